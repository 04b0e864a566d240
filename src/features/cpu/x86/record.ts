// CPUID leaves as text, so a captured host tree can carry what /dev/cpu/N/cpuid answered:
// a device node cannot be copied, so capture-host writes this regular file in its place
// (/dev/cpu/0/cpuid of the tree) and discovery under --host-root reads it back. kompat's own
// format (NFD has no capture): a header line, then one line per leaf, all hex.
//
//   # kompat CPUID recording v1: leaf subleaf eax ebx ecx edx
//   00000000 00000000 0000000d 756e6547 6c65746e 49656e69

import { CpuidLeaves, type Regs } from "./leaves.js";

const HEADER = "# kompat CPUID recording v1: leaf subleaf eax ebx ecx edx";
const LINE =
  /^([0-9a-f]{1,8}) ([0-9a-f]{1,8}) ([0-9a-f]{1,8}) ([0-9a-f]{1,8}) ([0-9a-f]{1,8}) ([0-9a-f]{1,8})$/i;

export function formatCpuidRecording(leaves: CpuidLeaves): string {
  const hex = (n: number): string => n.toString(16).padStart(8, "0");
  const lines = leaves
    .entries()
    .map(({ leaf, subleaf, regs }) => [leaf, subleaf, ...regs].map(hex).join(" "));
  return `${HEADER}\n${lines.join("\n")}\n`;
}

/** The leaves, or what is wrong with the text (naming the line). */
export function parseCpuidRecording(text: string): CpuidLeaves | { error: string } {
  const lines = text.split("\n");
  if (lines[0]?.trimEnd() !== HEADER) return { error: `line 1: expected "${HEADER}"` };
  const leaves = new CpuidLeaves();
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m)
      return { error: `line ${i + 1}: expected six hex numbers: leaf subleaf eax ebx ecx edx` };
    const [leaf, subleaf, ...regs] = m.slice(1).map((h) => parseInt(h, 16));
    leaves.set(leaf as number, subleaf as number, regs as unknown as Regs);
  }
  if (!leaves.has(0)) return { error: "no leaf 0 (the CPU's vendor and maximum leaf)" };
  return leaves;
}
