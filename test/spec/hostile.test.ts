// Hostile and odd input: every case ends in diagnostics, never a throw or a hang.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_SPEC_BYTES, parseSpec, type Diagnostic } from "../../src/spec/index.js";

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code}`);
}

describe("hostile input", () => {
  it("refuses input over the size limit without parsing it", () => {
    const p = parseSpec(`version: v1alpha1\n#${"x".repeat(MAX_SPEC_BYTES)}`);
    assert.equal(p.spec, null);
    assert.deepEqual(codes(p.diagnostics), ["1:1 error too-large"]);
    assert.match(
      p.diagnostics[0]?.message ?? "",
      /^the spec is 4194323 bytes; the limit is 4194304 \(4 MiB\)$/,
    );
  });

  it("counts the size in UTF-8 bytes", () => {
    const p = parseSpec(`# ${"é".repeat(MAX_SPEC_BYTES / 2)}\n`);
    assert.deepEqual(codes(p.diagnostics), ["1:1 error too-large"]);
  });

  it("refuses a million nested [ at the level that crosses the limit", () => {
    const p = parseSpec("[".repeat(1_000_000) + "]".repeat(1_000_000));
    assert.equal(p.spec, null);
    assert.deepEqual(codes(p.diagnostics), ["1:257 error too-deep"]);
  });

  it("refuses deeply nested flow mappings, counting lines", () => {
    const p = parseSpec(`version: v1alpha1\nx: ${"{a: ".repeat(100_000)}${"}".repeat(100_000)}\n`);
    assert.deepEqual(codes(p.diagnostics), ["2:1028 error too-deep"]);
  });

  it("reports deep block nesting as one diagnostic", () => {
    let text = "";
    for (let i = 0; i < 1000; i++) text += `${" ".repeat(i)}a:\n`;
    const p = parseSpec(text);
    assert.equal(p.spec, null);
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      ["too-deep"],
    );
  });

  it("stops an alias bomb inside the spec structure", () => {
    const n = 30;
    const term = "&t {feature: cpu.model, matchExpressions: {a: {op: Exists}}}";
    const rule = `&r {name: r, matchFeatures: [${term}${", *t".repeat(n - 1)}]}`;
    const set = `&s {rules: [${rule}${", *r".repeat(n - 1)}]}`;
    const text = `version: v1alpha1\ncompatibilities: [${set}${", *s".repeat(n - 1)}]\n`;
    const p = parseSpec(text);
    assert.equal(p.spec, null);
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      ["alias-limit"],
    );
    assert.equal(
      p.diagnostics[0]?.message,
      "the spec expands to more than 10000 aliases or 2000000 nodes",
    );
  });

  it("does not expand a billion laughs under an unknown field", () => {
    let text = "version: v1alpha1\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i < 10; i++)
      text += `lol${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    text += "compatibilities: [{rules: [{name: r}]}]\n";
    const p = parseSpec(text);
    assert.ok(p.spec);
    assert.equal(p.diagnostics.filter((d) => d.code === "unknown-field").length, 10);
  });

  it("survives a merge key that refers to its own mapping", () => {
    const p = parseSpec("version: v1alpha1\ncompatibilities: [{rules: [&r {name: x, <<: *r}]}]\n");
    assert.ok(p.diagnostics.length > 0);
    assert.ok(p.diagnostics.every((d) => d.line !== undefined));
  });

  it("refuses an alias to no anchor", () => {
    const p = parseSpec("version: v1alpha1\ncompatibilities: [{rules: [*nope]}]\n");
    assert.deepEqual(codes(p.diagnostics), ["2:28 error unknown-alias", "2:28 error wrong-type"]);
    assert.equal(p.diagnostics[0]?.message, "the alias *nope refers to no anchor");
  });

  it("handles a byte-order mark and CRLF line ends", () => {
    const lf =
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.cpuids\n";
    const crlf = `\ufeff${lf.replace(/\n/g, "\r\n")}`;
    assert.deepEqual(codes(parseSpec(crlf).diagnostics), codes(parseSpec(lf).diagnostics));
    assert.deepEqual(codes(parseSpec(lf).diagnostics), ["6:16 warning unknown-feature"]);
  });

  it("refuses tabs used as indentation with the parser's reason", () => {
    const p = parseSpec("version: v1alpha1\ncompatibilities:\n\t- rules: []\n");
    assert.equal(p.spec, null);
    assert.deepEqual(codes(p.diagnostics), ["3:1 error yaml-syntax"]);
    assert.equal(
      p.diagnostics[0]?.message,
      "YAML syntax error: tabs are not allowed as indentation",
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const p = parseSpec(text);
        for (const d of p.diagnostics)
          assert.ok(d.code && d.hint && d.line && d.col, JSON.stringify(d));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary YAML-ish token soup", () => {
    const token = fc.constantFrom(
      "version: v1alpha1\n",
      "compatibilities:\n",
      "- ",
      "  ",
      "rules: ",
      "[",
      "]",
      "{",
      "}",
      ", ",
      "name: r",
      "op: In",
      "value: ",
      "&a ",
      "*a",
      "<<: ",
      "~",
      "5.10",
      "'q'",
      '"',
      "\n",
      "matchFeatures: ",
      "feature: cpu.model",
      "matchExpressions: ",
      "x: ",
      "---\n",
      "#",
      "!!str ",
      "? ",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const p = parseSpec(tokens.join(""));
        for (const d of p.diagnostics)
          assert.ok(d.code && d.hint && d.line && d.col, JSON.stringify(d));
      }),
      { numRuns: 400 },
    );
  });

  it("never throws on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        parseSpec(JSON.stringify({ version: "v1alpha1", compatibilities: [{ rules: [v] }] }));
        parseSpec(JSON.stringify(v));
      }),
      { numRuns: 300 },
    );
  });
});
