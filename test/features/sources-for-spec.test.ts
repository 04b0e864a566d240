import { test } from "node:test";
import assert from "node:assert/strict";
import { sourcesForFeatures } from "../../src/features/discover.js";
import { specFeatures } from "../../src/spec/features.js";
import { parseSpec } from "../../src/spec/index.js";

test("a spec is discovered with only the sources its features come from", () => {
  const parsed = parseSpec(
    [
      "version: v1alpha1",
      "compatibilities:",
      "- rules:",
      "  - name: a",
      "    matchFeatures: [{feature: CPU.cpuid, matchName: {op: Exists}}]",
      "  - name: b",
      "    matchAny:",
      "    - matchFeatures: [{feature: pci.device, matchExpressions: {vendor: {op: Exists}}}]",
      "    - matchFeatures: [{feature: rule.matched, matchExpressions: {x: {op: Exists}}}]",
      "- rules:",
      "  - name: c",
      "    matchFeatures: [{feature: kernel.version, matchExpressions: {major: {op: Exists}}}]",
      "",
    ].join("\n"),
  );
  assert.ok(parsed.spec);
  const names = specFeatures(parsed.spec);
  assert.deepEqual([...names].sort(), [
    "CPU.cpuid",
    "kernel.version",
    "pci.device",
    "rule.matched",
  ]);
  assert.deepEqual(sourcesForFeatures(names), ["cpu", "kernel", "pci"]);
  assert.deepEqual(sourcesForFeatures(["foo.bar", "rule.matched"]), []);
});
