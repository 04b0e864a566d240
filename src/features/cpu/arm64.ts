// arm64: NFD names the kernel's HWCAP/HWCAP2 bits with its own table; every name is the
// kernel's cpuinfo `Features` word upper-cased, so cpuinfo gives the same set. Bits NFD's table
// does not know (newer kernels' sve2p1, sme2, …) are not reported by NFD, so not by kompat.

import type { Cpuinfo } from "./cpuinfo.js";
import { cpuinfoValue, cpuinfoWords } from "./cpuinfo.js";
import type { CpuIdentity } from "./x86/decode.js";
import { VENDOR_UNKNOWN, vendorForArmImplementer } from "./vendors.js";

/** NFD's arm64 flag names (HWCAP bits 0-31, then HWCAP2 bits 0-33). */
export const NFD_ARM64_HWCAPS: readonly string[] = [
  "FP",
  "ASIMD",
  "EVTSTRM",
  "AES",
  "PMULL",
  "SHA1",
  "SHA2",
  "CRC32",
  "ATOMICS",
  "FPHP",
  "ASIMDHP",
  "CPUID",
  "ASIMDRDM",
  "JSCVT",
  "FCMA",
  "LRCPC",
  "DCPOP",
  "SHA3",
  "SM3",
  "SM4",
  "ASIMDDP",
  "SHA512",
  "SVE",
  "ASIMDFHM",
  "DIT",
  "USCAT",
  "ILRCPC",
  "FLAGM",
  "SSBS",
  "SB",
  "PACA",
  "PACG",
  "DCPODP",
  "SVE2",
  "SVEAES",
  "SVEPMULL",
  "SVEBITPERM",
  "SVESHA3",
  "SVESM4",
  "FLAGM2",
  "FRINT",
  "SVEI8MM",
  "SVEF32MM",
  "SVEF64MM",
  "SVEBF16",
  "I8MM",
  "BF16",
  "DGH",
  "RNG",
  "BTI",
  "MTE",
  "ECV",
  "AFP",
  "RPRES",
  "MTE3",
  "SME",
  "SMEI16I64",
  "SMEF64F64",
  "SMEI8I32",
  "SMEF16F32",
  "SMEB16F32",
  "SMEF32F32",
  "SMEFA64",
  "WFXT",
  "EBF16",
  "SVEEBF16",
];

const KNOWN = new Set(NFD_ARM64_HWCAPS);

/** NFD's arm64 `cpu.cpuid` flags from the cpuinfo `Features` line. */
export function arm64Flags(info: Cpuinfo): string[] | undefined {
  const words = cpuinfoWords(info, "Features");
  if (words === undefined) return undefined;
  return [...words].map((w) => w.toUpperCase()).filter((w) => KNOWN.has(w));
}

/**
 * Vendor, family and model as klauspost derives them from MIDR_EL1 (which it may read only
 * when the kernel advertises the `cpuid` hwcap): family = MIDR[23:16] (variant and
 * architecture; the architecture field is 0xF on every ARMv8 CPU, whatever cpuinfo's
 * `CPU architecture: 8` says), model = MIDR[15:0] (part number and revision).
 */
export function arm64Identity(info: Cpuinfo): CpuIdentity | undefined {
  const words = cpuinfoWords(info, "Features");
  if (words === undefined) return undefined;
  if (!words.has("cpuid")) return { vendor: VENDOR_UNKNOWN, family: 0, model: 0 };
  const num = (key: string): number | undefined => {
    const v = cpuinfoValue(info, key);
    if (v === undefined || !/^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return undefined;
    return Number(v);
  };
  const implementer = num("CPU implementer");
  const variant = num("CPU variant");
  const part = num("CPU part");
  const revision = num("CPU revision");
  if (implementer === undefined || variant === undefined || part === undefined) return undefined;
  if (revision === undefined) return undefined;
  return {
    vendor: vendorForArmImplementer(implementer),
    family: ((variant & 0xf) << 4) | 0xf,
    model: ((part & 0xfff) << 4) | (revision & 0xf),
  };
}
