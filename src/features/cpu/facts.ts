// What the cpu sub-features share, read once: /proc/cpuinfo, raw CPUID where the device is
// readable, and the x86 feature set in klauspost's names from whichever of the two is there.

import type { SourceContext } from "../source.js";
import type { CpuIdentity } from "./x86/decode.js";
import { decodeCpuid } from "./x86/decode.js";
import type { CpuidLeaves } from "./x86/leaves.js";
import { readCpuidDevice } from "./x86/device.js";
import { cannotRead } from "../constructors.js";
import { cpuidFromCpuinfo } from "./x86/table.js";
import { parseCpuinfo, cpuinfoValue, cpuinfoWords, type Cpuinfo } from "./cpuinfo.js";
import { VENDOR_UNKNOWN, vendorForTrimmedSignature } from "./vendors.js";

export interface X86Facts {
  /** Where the feature names came from. */
  source: "cpuid" | "cpuinfo";
  identity: CpuIdentity | undefined;
  /** klauspost feature names. */
  features: Set<string>;
  /** Raw CPUID, when the device was readable. */
  leaves: CpuidLeaves | undefined;
  /** The leaf 0x40000000 signature (CPUID source only). */
  hypervisorSignature: string | undefined;
  avx10Level: number;
  /** SGX EPC bytes from CPUID (CPUID source only). */
  sgxEpcBytes: number | undefined;
}

export interface CpuFacts {
  arch: string;
  cpuinfo: Cpuinfo | undefined;
  /** amd64 only. */
  x86: X86Facts | undefined;
}

export const CPUINFO = "/proc/cpuinfo";
/** Hosts with hundreds of CPUs print more than HostRoot's default 1 MiB. */
const CPUINFO_MAX_BYTES = 32 << 20;

export async function gatherCpuFacts(ctx: SourceContext): Promise<CpuFacts> {
  // Both at once: each waits on the thread pool, which other sources keep busy.
  const [text, device] = await Promise.all([
    ctx.host.readText(CPUINFO, CPUINFO_MAX_BYTES).catch((err: unknown) => {
      ctx.warn(`cpu: ${cannotRead(ctx.host, CPUINFO, err)}`);
      return undefined;
    }),
    ctx.arch === "amd64" ? readCpuidDevice(ctx.host) : undefined,
  ]);
  const cpuinfo: Cpuinfo | undefined = text === undefined ? undefined : parseCpuinfo(text);
  const facts: CpuFacts = { arch: ctx.arch, cpuinfo, x86: undefined };
  if (device === undefined) return facts;

  if ("leaves" in device) {
    const decoded = decodeCpuid(device.leaves, xcr0Estimate(cpuinfo, device.leaves));
    facts.x86 = {
      source: "cpuid",
      identity: { vendor: decoded.vendor, family: decoded.family, model: decoded.model },
      features: decoded.features,
      leaves: device.leaves,
      hypervisorSignature: decoded.hypervisorSignature,
      avx10Level: decoded.avx10Level,
      sgxEpcBytes: decoded.sgxEpcBytes,
    };
    return facts;
  }
  ctx.warn(
    `CPUID not readable (${device.reason}); cpu.cpuid is derived from ` +
      `${ctx.host.local(CPUINFO)} flags, ` +
      "without the names Linux does not show",
  );
  const identity = cpuinfo ? x86IdentityFromCpuinfo(cpuinfo) : undefined;
  const flags = cpuinfo ? cpuinfoWords(cpuinfo, "flags") : undefined;
  if (cpuinfo && flags === undefined) ctx.warn(`${CPUINFO} has no "flags" line`);
  const features =
    cpuinfo && flags && identity
      ? cpuidFromCpuinfo({
          flags,
          ...identity,
          threadsPerCore: await threadsPerCore(ctx, cpuinfo),
          hybrid:
            (await ctx.host.exists("/sys/devices/cpu_core")) &&
            (await ctx.host.exists("/sys/devices/cpu_atom")),
        })
      : new Set<string>();
  facts.x86 = {
    source: "cpuinfo",
    identity,
    features,
    leaves: undefined,
    hypervisorSignature: undefined,
    avx10Level: 0,
    sgxEpcBytes: undefined,
  };
  return facts;
}

/**
 * klauspost's vendor, family and model from cpuinfo. Linux computes family the same way
 * (base + extended when base is 0xF) but adds the extended model for every family ≥ 6,
 * klauspost only for base family 6 and 0xF: for families 7-14 it keeps the low 4 bits.
 */
export function x86IdentityFromCpuinfo(info: Cpuinfo): CpuIdentity | undefined {
  const vendorId = cpuinfoValue(info, "vendor_id");
  const family = decimal(cpuinfoValue(info, "cpu family"));
  const model = decimal(cpuinfoValue(info, "model"));
  if (vendorId === undefined || family === undefined || model === undefined) return undefined;
  return {
    vendor: vendorForTrimmedSignature(vendorId) ?? VENDOR_UNKNOWN,
    family,
    model: family > 6 && family < 0xf ? model & 0xf : model,
  };
}

function decimal(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Threads per core as CPUID reports them: sysfs smt/control says whether the hardware has
 * SMT at all (`off`/`forceoff` only disable it in the kernel; CPUID still counts siblings);
 * else cpuinfo `siblings` / `cpu cores` of the online CPUs.
 */
async function threadsPerCore(ctx: SourceContext, info: Cpuinfo): Promise<number | undefined> {
  const control = (await ctx.host.tryReadText("/sys/devices/system/cpu/smt/control"))?.trim();
  if (control === "on" || control === "off" || control === "forceoff") return 2;
  if (control === "notsupported") return 1;
  const siblings = decimal(cpuinfoValue(info, "siblings"));
  const cores = decimal(cpuinfoValue(info, "cpu cores"));
  if (siblings === undefined || cores === undefined || cores === 0) return undefined;
  return Math.trunc(siblings / cores);
}

/**
 * What XGETBV(0) would return, for klauspost's AVX and AVX-512 checks. Linux shows avx and
 * avx512f only when it enabled their XSAVE state, so cpuinfo tells; without cpuinfo, the
 * CPU's supported state components (CPUID 0xD.0 EAX) when the OS set OSXSAVE.
 */
export function xcr0Estimate(info: Cpuinfo | undefined, leaves: CpuidLeaves): number {
  const flags = info ? cpuinfoWords(info, "flags") : undefined;
  if (flags) {
    let x = 1;
    if (flags.has("sse")) x |= 1 << 1;
    if (flags.has("avx")) x |= 1 << 2;
    if (flags.has("avx512f")) x |= 0b111 << 5;
    return x;
  }
  const osxsave = ((leaves.get(1)[2] >>> 27) & 1) === 1;
  return osxsave ? leaves.get(0xd, 0)[0] : 0;
}
