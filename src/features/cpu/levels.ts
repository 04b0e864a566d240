// x86-64 psABI microarchitecture levels as klauspost computes them (`CPU.X64Level()`), and
// NFD's cumulative X86_64_V1..X86_64_V<level> flags.

const V1 = ["CMOV", "CMPXCHG8", "X87", "FXSR", "MMX", "SSE", "SSE2"];
const V2 = [...V1, "CX16", "LAHF", "POPCNT", "SSE3", "SSE4", "SSE42", "SSSE3"];
const V3 = [...V2, "AVX", "AVX2", "BMI1", "BMI2", "F16C", "FMA3", "LZCNT", "MOVBE", "OSXSAVE"];
const V4 = [...V3, "AVX512F", "AVX512BW", "AVX512CD", "AVX512DQ", "AVX512VL"];

/** The highest level whose features are all present (0 without SYSCALL or SYSENTER). */
export function x86Level(features: ReadonlySet<string>): number {
  if (!features.has("SYSEE") && !features.has("SYSCALL")) return 0;
  const all = (names: string[]): boolean => names.every((n) => features.has(n));
  if (all(V4)) return 4;
  if (all(V3)) return 3;
  if (all(V2)) return 2;
  if (all(V1)) return 1;
  return 0;
}

/** `X86_64_V1` … `X86_64_V<level>`. */
export function levelFlags(level: number): string[] {
  const out: string[] = [];
  for (let i = 1; i <= level; i++) out.push(`X86_64_V${i}`);
  return out;
}
