// The documentation page of the x86 cpuinfo → cpu.cpuid mapping, generated from the table.
import { cpuidMappingMarkdown } from "./index.js";

export function cpuidMappingDoc(): string {
  return `# x86-64: from /proc/cpuinfo flags to \`cpu.cpuid\` names

kompat names x86-64 CPU features as klauspost/cpuid (and so NFD) does. When
\`/dev/cpu/N/cpuid\` can be read (root, the \`cpuid\` driver; N is the CPU kompat runs
on, as NFD executes CPUID wherever it runs), kompat decodes the CPUID leaves itself; otherwise it derives the names from the \`flags\` line of \`/proc/cpuinfo\`
through the tables below. A host tree captured by \`kompat capture-host\` holds the CPUID
leaves read at capture (a recording in the device's place) and decodes them; a tree
without a recording takes the cpuinfo path. Generated from the source by \`node scripts/gen-docs.mjs\`; do not edit.

${cpuidMappingMarkdown()}`;
}
