// The warm-up the start-up snapshot runs while it is built (src/cli/warmup.ts): its spec
// must load clean and every command it runs must succeed, or the blob would be built
// without the compiled code it is there for.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSpec } from "../../src/rules/index.js";
import { specFeatures } from "../../src/spec/features.js";
import { WARM_UP_SPEC, warmUp } from "../../src/cli/warmup.js";

test("the warm-up spec loads without a diagnostic and names features of many sources", () => {
  const parsed = loadSpec(WARM_UP_SPEC);
  assert.deepEqual(parsed.diagnostics, []);
  assert.ok(parsed.spec);
  const domains = new Set([...specFeatures(parsed.spec)].map((f) => f.split(".")[0]));
  for (const d of ["cpu", "kernel", "pci", "system", "memory", "rule"])
    assert.ok(domains.has(d), d);
});

test("the warm-up runs to the end on this machine", async () => {
  await warmUp();
});
