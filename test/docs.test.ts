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

test("docs/cli.md is the commands' own help, regenerated", async () => {
  const { commandHelps, overview } = await import("../src/cli/help.js");
  const { cliReference } = await import("../src/cli/clidoc.js");
  const helps = await commandHelps();
  const committed = readFileSync(join(REPO, "docs/cli.md"), "utf8");
  assert.equal(committed, cliReference(helps, overview().usage), "run: npm run build");
  for (const h of helps) assert.ok(committed.includes(`## kompat ${h.name}\n`), h.name);
});
