// Regenerates docs/cpuid-mapping.md from the table discovery uses (run after `npm run build`).
// test/docs.test.ts fails when the committed file and the table disagree.
import { writeFileSync } from "node:fs";
import { cpuidMappingDoc } from "../dist/src/features/cpu/doc.js";

writeFileSync(new URL("../docs/cpuid-mapping.md", import.meta.url), cpuidMappingDoc());
