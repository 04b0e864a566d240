// Generated documentation stays in step with the code it documents.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuidMappingDoc } from "../src/features/cpu/doc.js";
import { CPUINFO_TO_CPUID } from "../src/features/cpu/index.js";
import { REPO } from "./helpers/cli.js";

test("docs/cpuid-mapping.md is generated from the mapping table", () => {
  const committed = readFileSync(join(REPO, "docs/cpuid-mapping.md"), "utf8");
  assert.equal(committed, cpuidMappingDoc(), "run: npm run build && node scripts/gen-docs.mjs");
  for (const row of CPUINFO_TO_CPUID) assert.ok(committed.includes(`\`${row.linux}\``), row.linux);
});
