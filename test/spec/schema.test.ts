// The shipped JSON Schema and `spec lint` agree on a corpus: every spec lint accepts
// without errors (in canonical form) validates, every spec lint refuses does not, except
// the documented gaps a schema cannot express.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { loadSpec } from "../../src/rules/index.js";
import { OPS } from "../../src/spec/index.js";
import { CANONICAL_ONLY, INVALID, LINT_ONLY, VALID } from "./corpus.js";

// dist/test/spec -> the repository's schema/ directory.
const schemaUrl = new URL("../../../schema/compat-spec.v1alpha1.schema.json", import.meta.url);
const schema = JSON.parse(readFileSync(schemaUrl, "utf8")) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);

/** The schema's verdict on YAML text read as NFD reads it (YAML 1.1). */
function schemaAccepts(text: string): boolean {
  let doc: unknown;
  try {
    doc = parse(text, { version: "1.1" });
  } catch {
    return false; // not YAML (or duplicate keys): no document to validate
  }
  return validate(doc);
}

function lintErrors(text: string): string[] {
  return loadSpec(text)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.code}: ${d.message}`);
}

function lintWarnings(text: string): string[] {
  return loadSpec(text)
    .diagnostics.filter((d) => d.severity === "warning")
    .map((d) => d.code);
}

describe("JSON Schema vs spec lint", () => {
  for (const c of VALID) {
    it(`accepts: ${c.name}`, () => {
      assert.deepEqual(lintErrors(c.text), []);
      assert.ok(schemaAccepts(c.text), JSON.stringify(validate.errors));
    });
  }
  for (const c of INVALID) {
    it(`refuses: ${c.name}`, () => {
      assert.notDeepEqual(lintErrors(c.text), []);
      assert.equal(schemaAccepts(c.text), false);
    });
  }
  for (const c of LINT_ONLY) {
    it(`only lint refuses: ${c.name}`, () => {
      assert.notDeepEqual(lintErrors(c.text), []);
      assert.equal(schemaAccepts(c.text), true);
    });
  }
  for (const c of CANONICAL_ONLY) {
    it(`lint warns, schema refuses: ${c.name}`, () => {
      assert.deepEqual(lintErrors(c.text), []);
      assert.ok(lintWarnings(c.text).some((w) => w === "field-case" || w === "unquoted-scalar"));
      assert.equal(schemaAccepts(c.text), false);
    });
  }

  it("lists exactly the model's ops", () => {
    const defs = schema.definitions as Record<string, { properties: { op: { enum: string[] } } }>;
    assert.deepEqual(defs.expression?.properties.op.enum, [...OPS]);
  });

  it("describes every property for editor hovers", () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (typeof node !== "object" || node === null) return;
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === "object") {
        for (const [k, v] of Object.entries(
          o.properties as Record<string, Record<string, unknown>>,
        )) {
          if (typeof v.description !== "string" && !where.includes("/if"))
            missing.push(`${where}/${k}`);
        }
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${where}/${k}`);
    };
    walk(schema, "#");
    assert.deepEqual(
      missing.filter((m) => !/\/(if|then|else)\b/.test(m)),
      [],
    );
  });
});
