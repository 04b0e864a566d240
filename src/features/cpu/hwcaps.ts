// `cpu.cpuid` on s390x and ppc64le, where NFD names the kernel's AT_HWCAP(2) bits with its own
// tables. s390x: the cpuinfo `features` words are those bits' kernel names, NFD's names are
// them upper-cased. ppc64le: cpuinfo does not list them, so the bits come from the auxiliary
// vector in /proc/self/auxv (hwcaps are the same for every process on a kernel).

import type { HostRoot } from "../hostroot.js";
import type { Cpuinfo } from "./cpuinfo.js";
import { cpuinfoWords } from "./cpuinfo.js";

const NFD_S390X = new Set([
  "ESAN3",
  "ZARCH",
  "STFLE",
  "MSA",
  "LDISP",
  "EIMM",
  "DFP",
  "EDAT",
  "ETF3EH",
  "HIGHGPRS",
  "TE",
  "VX",
  "VXD",
  "VXE",
  "GS",
  "VXE2",
  "VXP",
  "SORT",
  "DFLT",
  "VXP2",
  "NNPA",
  "PCIMIO",
  "SIE",
]);

export function s390xFlags(info: Cpuinfo): string[] | undefined {
  const words = cpuinfoWords(info, "features");
  if (words === undefined) return undefined;
  return [...words].map((w) => w.toUpperCase()).filter((w) => NFD_S390X.has(w));
}

/** NFD's ppc64le AT_HWCAP names by bit (from bit 31 down). */
const PPC_HWCAP: ReadonlyArray<readonly [number, string]> = [
  [31, "PPC32"],
  [30, "PPC64"],
  [29, "PPC601"],
  [28, "ALTIVEC"],
  [27, "FPU"],
  [26, "MMU"],
  [25, "4xxMAC"],
  [24, "UCACHE"],
  [23, "SPE"],
  [22, "EFPFLOAT"],
  [21, "EFPDOUBLE"],
  [20, "NOTB"],
  [19, "POWER4"],
  [18, "POWER5"],
  [17, "POWER5+"],
  [16, "CELLBE"],
  [15, "BOOKE"],
  [14, "SMT"],
  [13, "IC_SNOOP"],
  [12, "ARCH_2_05"],
  [11, "PA6T"],
  [10, "DFP"],
  [9, "POWER6X"],
  [8, "ARCH_2_06"],
  [7, "VSX"],
  [6, "ARCHPMU"],
  [1, "TRUE_LE"],
  [0, "PPCLE"],
];

/** NFD's ppc64le AT_HWCAP2 names by bit. */
const PPC_HWCAP2: ReadonlyArray<readonly [number, string]> = [
  [31, "ARCH_2_07"],
  [30, "HTM"],
  [29, "DSCR"],
  [28, "EBB"],
  [27, "ISEL"],
  [26, "TAR"],
  [25, "VCRYPTO"],
  [24, "HTM-NOSC"],
  [23, "ARCH_3_00"],
  [22, "IEEE128"],
  [21, "DARN"],
  [20, "SCV"],
  [19, "HTM-NO-SUSPEND"],
  [18, "ARCH_3_1"],
  [17, "MMA"],
];

const AT_HWCAP = 16n;
const AT_HWCAP2 = 26n;

/** AT_HWCAP and AT_HWCAP2 from a 64-bit little-endian auxiliary vector. */
export function parseAuxv(buf: Buffer): { hwcap: bigint; hwcap2: bigint } {
  let hwcap = 0n;
  let hwcap2 = 0n;
  for (let off = 0; off + 16 <= buf.length; off += 16) {
    const tag = buf.readBigUInt64LE(off);
    const val = buf.readBigUInt64LE(off + 8);
    if (tag === 0n) break;
    if (tag === AT_HWCAP) hwcap = val;
    if (tag === AT_HWCAP2) hwcap2 = val;
  }
  return { hwcap, hwcap2 };
}

export function ppc64leFlags(hwcap: bigint, hwcap2: bigint): string[] {
  const out: string[] = [];
  for (const [bit, name] of PPC_HWCAP) if ((hwcap >> BigInt(bit)) & 1n) out.push(name);
  for (const [bit, name] of PPC_HWCAP2) if ((hwcap2 >> BigInt(bit)) & 1n) out.push(name);
  return out;
}

export async function ppc64leFlagsFromHost(host: HostRoot): Promise<string[] | undefined> {
  try {
    const { hwcap, hwcap2 } = parseAuxv(await host.readBytes("/proc/self/auxv"));
    return ppc64leFlags(hwcap, hwcap2);
  } catch {
    return undefined;
  }
}
