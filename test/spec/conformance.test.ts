// The structural `expectError: spec` cases of the conformance suite, as fixtures of the
// spec layer: each is refused by parseSpec itself, with the place of the problem.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hasErrors, parseSpec } from "../../src/spec/index.js";

const CASES: Array<{ name: string; text: string; code: string; at: [number, number] }> = [
  {
    name: "an unknown spec version (kompat refuses; NFD ignores version)",
    text: "{version: v9, compatibilities: [{rules: [{name: always}]}]}",
    code: "unsupported-version",
    at: [1, 11],
  },
  {
    name: "no compatibilities (kompat refuses; NFD prints an empty report)",
    text: "{version: v1alpha1}",
    code: "missing-field",
    at: [1, 1],
  },
  {
    name: "not YAML",
    text: "version: v1alpha1\ncompatibilities: [\n  - rules: {",
    code: "yaml-syntax",
    at: [3, 3],
  },
];

describe("conformance: structural spec errors", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const p = parseSpec(c.text);
      assert.ok(hasErrors(p.diagnostics));
      const d = p.diagnostics[0];
      assert.equal(d?.code, c.code);
      assert.deepEqual([d?.line, d?.col], c.at);
    });
  }

  it("the documented example parses, with a warning about vfio-pci", () => {
    const text = `version: v1alpha1
compatibilities:
- description: My image requirements
  rules:
  - name: kernel and cpu
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions: {vfio-pci: {op: Exists}}
    - feature: cpu.model
      matchExpressions: {vendor_id: {op: In, value: [Intel, AMD]}}
`;
    const p = parseSpec(text);
    assert.ok(p.spec);
    assert.deepEqual(
      p.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code}`),
      ["8:26 warning module-dash"],
    );
  });
});
