// `cpu.sst` (amd64): `bf.enabled` when some CPU's cpufreq base_frequency (kHz) / 1000 exceeds
// the nominal base frequency (MHz), i.e. Intel Speed Select Base Frequency raised it. NFD
// takes the nominal frequency from CPUID leaf 0x16 EAX; without raw CPUID kompat takes the
// `@ 2.30GHz` of an Intel brand string (cpuinfo `model name`), which states the same figure.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";
import { cpuinfoValue } from "./cpuinfo.js";
import type { CpuFacts } from "./facts.js";

const DEVICES = "/sys/bus/cpu/devices";

export async function discoverSst(
  ctx: SourceContext,
  facts: CpuFacts,
): Promise<Record<string, string>> {
  const out = newMap<string>();
  const cpus = await ctx.host.tryReadDir(DEVICES);
  if (cpus === undefined) {
    ctx.warn(`cpu.sst: ${ctx.host.local(DEVICES)} not found`);
    return out;
  }
  let nominal: number | undefined;
  for (const cpu of cpus) {
    const path = `${DEVICES}/${cpu}/cpufreq/base_frequency`;
    if (!(await ctx.host.exists(path))) continue;
    const text = await ctx.host.tryReadText(path);
    if (text === undefined) {
      ctx.warn(`cpu.sst: ${ctx.host.local(path)} not found`);
      return out;
    }
    if (!/^[+-]?\d+$/.test(text.trim())) {
      ctx.warn(`cpu.sst: ${path}: not an integer: ${JSON.stringify(text.trim())}`);
      return out;
    }
    nominal ??= nominalBaseMhz(facts);
    if (nominal === undefined || nominal === 0) {
      ctx.warn("cpu.sst: nominal base frequency unknown (no CPUID leaf 0x16, no brand string)");
      return out;
    }
    if (Math.trunc(Number(text.trim()) / 1000) > nominal) {
      out["bf.enabled"] = "true";
      return out;
    }
  }
  return out;
}

function nominalBaseMhz(facts: CpuFacts): number | undefined {
  const leaves = facts.x86?.leaves;
  if (leaves !== undefined) return leaves.get(0x16, 0)[0];
  const brand = facts.cpuinfo ? cpuinfoValue(facts.cpuinfo, "model name") : undefined;
  return brand === undefined ? undefined : brandFrequencyMhz(brand);
}

/** `Intel(R) Xeon(R) Gold 6252N CPU @ 2.30GHz` → 2300. */
export function brandFrequencyMhz(brand: string): number | undefined {
  const m = /@\s*(\d+(?:\.\d+)?)\s*([GM])Hz\s*$/.exec(brand);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(m[2] === "G" ? n * 1000 : n);
}
