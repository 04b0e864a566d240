// End to end from YAML text: loadSpec then evaluate, as the CLI does.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluate, loadSpec } from "../../src/rules/index.js";
import { hasErrors } from "../../src/spec/diagnostic.js";
import { serverA, serverB } from "./fixtures.js";

function run(text: string): { a: boolean[][]; b: boolean[][] } {
  const p = loadSpec(text, { file: "t.yaml" });
  assert.ok(p.spec && !hasErrors(p.diagnostics), JSON.stringify(p.diagnostics));
  const spec = p.spec;
  const of = (f: ReturnType<typeof serverA>) =>
    evaluate(spec, f).sets.map((s) => (s.rules ?? []).map((r) => r.isMatch));
  return { a: of(serverA()), b: of(serverB()) };
}

describe("YAML specs", () => {
  it("the gpu / driver back-reference example", () => {
    const text = `version: v1alpha1
compatibilities:
- description: gpu nodes
  weight: 10
  rules:
  - name: gpu
    vars: {has_gpu: "true"}
    matchFeatures: [{feature: pci.device, matchExpressions: {vendor: {op: In, value: ["10de"]}}}]
  - name: needs gpu driver
    matchFeatures:
    - feature: rule.matched
      matchExpressions: {has_gpu: {op: IsTrue}}
    - feature: kernel.loadedmodule
      matchExpressions: {nvidia: {op: Exists}}
`;
    assert.deepEqual(run(text), { a: [[true, true]], b: [[false, false]] });
  });

  it("unquoted numbers are read as NFD reads them (5.10 is 5.1)", () => {
    const text = `version: v1alpha1
compatibilities:
- rules:
  - name: minor
    matchFeatures: [{feature: kernel.version, matchExpressions: {full: {op: GeLe, value: [5.10, 6.8], type: version}}}]
`;
    // 5.1 <= 5.14.0 <= 6.8 on serverB; 6.8.0 <= 6.8 on serverA.
    assert.deepEqual(run(text), { a: [[true]], b: [[true]] });
  });

  it("a varsTemplate block scalar", () => {
    const text = `version: v1alpha1
compatibilities:
- rules:
  - name: display controllers
    varsTemplate: |
      {{ range .pci.device }}vendor-{{ .vendor }}=present
      {{ end }}
    matchFeatures: [{feature: pci.device, matchExpressions: {class: {op: InRegexp, value: ["^03"]}}}]
  - name: nvidia display
    matchFeatures: [{feature: rule.matched, matchExpressions: {vendor-10de: {op: In, value: [present]}}}]
`;
    assert.deepEqual(run(text), { a: [[true, true]], b: [[false, false]] });
  });
});
