// The package entry point: what a library user imports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import * as kompat from "../src/index.js";
import { REPO } from "./helpers/cli.js";

test("the entry point parses, checks and evaluates", () => {
  const text =
    "version: v1alpha1\ncompatibilities:\n- tag: t\n  rules:\n  - name: kvm\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions: {kvm: {op: Exists}}\n";
  const parsed = kompat.parseSpec(text, { file: "s.yaml" });
  assert.ok(parsed.spec);
  const loaded = kompat.loadSpec(text, { file: "s.yaml" });
  assert.deepEqual(loaded.diagnostics, []);
  const features = kompat.emptyFeatures();
  features.flags["kernel.loadedmodule"] = { elements: { kvm: {} } };
  const yes = kompat.evaluate(parsed.spec, features, { tags: ["t"] });
  assert.equal(yes.compatible, true);
  assert.equal(yes.best, 0);
  const no = kompat.evaluate(parsed.spec, kompat.emptyFeatures());
  assert.equal(no.compatible, false);
  assert.equal(no.best, null);
});

test("bad specs come back as located diagnostics, not exceptions", () => {
  const loaded = kompat.loadSpec(
    "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions: {family: {op: Gt, value: [x]}}\n",
    { file: "b.yaml" },
  );
  const err = loaded.diagnostics.find((d) => d.severity === "error");
  assert.ok(err, "an error diagnostic");
  assert.equal(err.line, 7);
  assert.match(kompat.formatDiagnostic(err), /^b\.yaml:7:\d+: error: /);
});

test("package.json points at built files with type declarations", () => {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    exports: { ".": { types: string; default: string } };
  };
  assert.ok(existsSync(join(REPO, pkg.exports["."].default)), pkg.exports["."].default);
  assert.ok(existsSync(join(REPO, pkg.exports["."].types)), pkg.exports["."].types);
});
