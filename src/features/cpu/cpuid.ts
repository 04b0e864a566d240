// `cpu.cpuid`: on amd64 klauspost/cpuid's feature names plus X86_64_V1..V<level>, and the
// attribute set (AVX10_VERSION when AVX10 is present); on arm64, s390x and ppc64le NFD's
// hwcap names. Other architectures get an empty flag set, as from NFD's stub.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";
import { arm64Flags } from "./arm64.js";
import { KLAUSPOST_X86_NAMES } from "./x86/names.js";
import type { CpuFacts } from "./facts.js";
import { ppc64leFlagsFromHost, s390xFlags } from "./hwcaps.js";
import { levelFlags, x86Level } from "./levels.js";

const KNOWN_X86 = new Set(KLAUSPOST_X86_NAMES);

export interface CpuidFeature {
  flags: string[];
  /** undefined: the attribute feature is not created (every arch but amd64). */
  attributes: Record<string, string> | undefined;
}

export async function discoverCpuid(ctx: SourceContext, facts: CpuFacts): Promise<CpuidFeature> {
  if (facts.x86 !== undefined) {
    // The filter is a guard: the decoders only produce klauspost names.
    const names = [...facts.x86.features].filter((n) => KNOWN_X86.has(n)).sort();
    const attributes = newMap<string>();
    if (facts.x86.avx10Level > 0) attributes.AVX10_VERSION = String(facts.x86.avx10Level);
    return { flags: [...names, ...levelFlags(x86Level(facts.x86.features))], attributes };
  }
  let flags: string[] | undefined = [];
  if (facts.arch === "arm64") {
    flags = facts.cpuinfo ? arm64Flags(facts.cpuinfo) : undefined;
    if (flags === undefined && facts.cpuinfo) ctx.warn("cpu.cpuid: no Features line in cpuinfo");
  } else if (facts.arch === "s390x") {
    flags = facts.cpuinfo ? s390xFlags(facts.cpuinfo) : undefined;
    if (flags === undefined && facts.cpuinfo) ctx.warn("cpu.cpuid: no features line in cpuinfo");
  } else if (facts.arch === "ppc64le") {
    flags = await ppc64leFlagsFromHost(ctx.host);
    if (flags === undefined) ctx.warn("cpu.cpuid: cannot read /proc/self/auxv");
  }
  return { flags: (flags ?? []).sort(), attributes: undefined };
}
