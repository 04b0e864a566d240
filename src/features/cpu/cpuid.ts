// `cpu.cpuid`: on amd64 klauspost/cpuid's feature names plus X86_64_V1..V<level>, and the
// attribute set (AVX10_VERSION when AVX10 is present); on arm64 NFD's hwcap names.
// Other architectures get an empty flag set here (NFD reads their hwcaps from the auxiliary
// vector with tables kompat does not carry).

import { newMap } from "../model.js";
import type { SourceContext } from "../source.js";
import { arm64Flags } from "./arm64.js";
import { KLAUSPOST_X86_NAMES } from "./cpuid-names.js";
import type { CpuFacts } from "./facts.js";
import { levelFlags, x86Level } from "./levels.js";

const KNOWN_X86 = new Set(KLAUSPOST_X86_NAMES);

export interface CpuidFeature {
  flags: string[];
  /** undefined: the attribute feature is not created (every arch but amd64). */
  attributes: Record<string, string> | undefined;
}

export function discoverCpuid(ctx: SourceContext, facts: CpuFacts): CpuidFeature {
  if (facts.x86 !== undefined) {
    // The filter is a guard: the decoders only produce klauspost names.
    const names = [...facts.x86.features].filter((n) => KNOWN_X86.has(n)).sort();
    const attributes = newMap<string>();
    if (facts.x86.avx10Level > 0) attributes.AVX10_VERSION = String(facts.x86.avx10Level);
    return { flags: [...names, ...levelFlags(x86Level(facts.x86.features))], attributes };
  }
  if (facts.arch === "arm64") {
    const flags = facts.cpuinfo ? arm64Flags(facts.cpuinfo) : undefined;
    if (flags === undefined && facts.cpuinfo) ctx.warn("cpu.cpuid: no Features line in cpuinfo");
    return { flags: (flags ?? []).sort(), attributes: undefined };
  }
  return { flags: [], attributes: undefined };
}
