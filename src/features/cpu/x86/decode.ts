// klauspost/cpuid's x86 detection, re-implemented over raw CPUID leaves (read from
// /dev/cpu/0/cpuid), so that kompat reports what NFD reports when it executes CPUID itself.
// Only XGETBV cannot be read from the device: the caller supplies XCR0 (see xcr0Estimate).

import { regsAsText, type CpuidLeaves } from "./leaves.js";
import { VENDOR_UNKNOWN, vendorForSignature } from "../vendors.js";

export interface CpuIdentity {
  /** klauspost's vendor name (`Intel`, `AMD`, … or `VendorUnknown`). */
  vendor: string;
  family: number;
  model: number;
}

export interface DecodedCpuid extends CpuIdentity {
  features: Set<string>;
  /** The raw leaf 0x40000000 signature, as klauspost reads it. */
  hypervisorSignature: string;
  /** AVX10 version (CPUID 0x24 EBX[7:0]) when AVX10 is present, else 0. */
  avx10Level: number;
  /** Sum of the SGX EPC section sizes in bytes (0 without SGX). */
  sgxEpcBytes: number;
}

const bit = (v: number, n: number): boolean => ((v >>> n) & 1) === 1;

/** Family and model the way klauspost computes them from CPUID leaf 1 EAX. */
export function familyModelFromSignature(eax: number): { family: number; model: number } {
  let family = (eax >>> 8) & 0xf;
  let extended = family === 0x6;
  if (family === 0xf) {
    family += (eax >>> 20) & 0xff;
    extended = true;
  }
  let model = (eax >>> 4) & 0xf;
  if (extended) model += (eax >>> 12) & 0xf0;
  return { family, model };
}

function threadsPerCore(q: CpuidLeaves, vendor: string, family: number): number {
  const mfi = q.get(0)[0];
  if (mfi < 0x4 || (vendor !== "Intel" && vendor !== "AMD")) return 1;
  const [, b1, , d1] = q.get(1);
  if (mfi < 0xb) {
    if (vendor !== "Intel") return 1;
    if (bit(d1, 28)) {
      const logical = (b1 >>> 16) & 0xff;
      if (logical > 1) {
        const cores = (q.get(4)[0] >>> 26) + 1;
        return Math.trunc(logical / cores);
      }
    }
    return 1;
  }
  const b = q.get(0xb, 0)[1];
  if ((b & 0xffff) === 0) {
    if (vendor === "AMD" && bit(d1, 28) && family >= 23) {
      if (q.get(0x80000000)[0] >= 0x8000001e) return ((q.get(0x8000001e)[1] >>> 8) & 0xff) + 1;
      return 2;
    }
    return 1;
  }
  return b & 0xffff;
}

/**
 * Decodes the CPU's features as klauspost/cpuid's `support()` and `addInfo()` do.
 * `xcr0` stands in for XGETBV(0): the state components the OS enabled.
 */
export function decodeCpuid(q: CpuidLeaves, xcr0: number): DecodedCpuid {
  const fs = new Set<string>();
  const setIf = (cond: boolean, ...names: string[]): void => {
    if (cond) for (const n of names) fs.add(n);
  };
  const [mfi, vb, vc, vd] = q.get(0);
  const vendor = vendorForSignature(regsAsText(vb, vd, vc)) ?? VENDOR_UNKNOWN;
  const maxExt = q.get(0x80000000)[0];
  const [, hb, hc, hd] = q.get(0x40000000);
  const result: DecodedCpuid = {
    vendor,
    family: 0,
    model: 0,
    features: fs,
    hypervisorSignature: regsAsText(hb, hc, hd),
    avx10Level: 0,
    sgxEpcBytes: 0,
  };
  if (mfi < 1) return result;
  const { family, model } = familyModelFromSignature(q.get(1)[0]);
  result.family = family;
  result.model = model;

  const [, , c, d] = q.get(1);
  setIf(bit(d, 0), "X87");
  setIf(bit(d, 8), "CMPXCHG8");
  setIf(bit(d, 11), "SYSEE");
  setIf(bit(d, 15), "CMOV");
  setIf(bit(d, 23), "MMX");
  setIf(bit(d, 24), "FXSR");
  setIf(bit(d, 25), "FXSROPT", "SSE");
  setIf(bit(d, 26), "SSE2");
  setIf(bit(c, 0), "SSE3");
  setIf(bit(c, 5), "VMX");
  setIf(bit(c, 9), "SSSE3");
  setIf(bit(c, 19), "SSE4");
  setIf(bit(c, 20), "SSE42");
  setIf(bit(c, 25), "AESNI");
  setIf(bit(c, 1), "CLMUL");
  setIf(bit(c, 22), "MOVBE");
  setIf(bit(c, 23), "POPCNT");
  setIf(bit(c, 30), "RDRAND");
  setIf(bit(c, 31), "HYPERVISOR");
  setIf(bit(c, 29), "F16C");
  setIf(bit(c, 13), "CX16");
  if ((vendor === "Intel" || vendor === "AMD") && bit(d, 28) && mfi >= 4) {
    setIf(threadsPerCore(q, vendor, family) > 1, "HTT");
  }
  setIf(bit(c, 26), "XSAVE");
  setIf(bit(c, 27), "OSXSAVE");
  const xsaveEnabled = bit(c, 26) && bit(c, 27);
  if (xsaveEnabled && bit(c, 28) && (xcr0 & 0x6) === 0x6) {
    fs.add("AVX");
    if (vendor === "Intel") setIf(family === 6 && model < 60, "AVXSLOW");
    if (vendor === "AMD") setIf(family < 23 || (family === 23 && model < 49), "AVXSLOW");
  }
  setIf(bit(c, 12) && bit(c, 27), "FMA3");

  if (mfi >= 7) {
    const [, ebx, ecx, edx] = q.get(7, 0);
    setIf(fs.has("AVX") && bit(ebx, 5), "AVX2");
    if (bit(ebx, 3)) {
      fs.add("BMI1");
      setIf(bit(ebx, 8), "BMI2");
    }
    setIf(bit(ebx, 2), "SGX");
    setIf(bit(ebx, 4), "HLE");
    setIf(bit(ebx, 9), "ERMS");
    setIf(bit(ebx, 11), "RTM");
    setIf(bit(ebx, 14), "MPX");
    setIf(bit(ebx, 18), "RDSEED");
    setIf(bit(ebx, 19), "ADX");
    setIf(bit(ebx, 29), "SHA");

    setIf(bit(ecx, 5), "WAITPKG");
    setIf(bit(ecx, 7), "CETSS");
    setIf(bit(ecx, 8), "GFNI");
    setIf(bit(ecx, 9), "VAES");
    setIf(bit(ecx, 10), "VPCLMULQDQ");
    setIf(bit(ecx, 13), "TME");
    setIf(bit(ecx, 25), "CLDEMOTE");
    setIf(bit(ecx, 23), "KEYLOCKER");
    setIf(bit(ecx, 27), "MOVDIRI");
    setIf(bit(ecx, 28), "MOVDIR64B");
    setIf(bit(ecx, 29), "ENQCMD");
    setIf(bit(ecx, 30), "SGXLC");

    setIf(bit(edx, 4), "FSRM");
    setIf(bit(edx, 9), "SRBDS_CTRL");
    setIf(bit(edx, 10), "MD_CLEAR");
    setIf(bit(edx, 11), "RTM_ALWAYS_ABORT");
    setIf(bit(edx, 14), "SERIALIZE");
    setIf(bit(edx, 15), "HYBRID_CPU");
    setIf(bit(edx, 16), "TSXLDTRK");
    setIf(bit(edx, 18), "PCONFIG");
    setIf(bit(edx, 20), "CETIBT");
    setIf(bit(edx, 26), "IBPB");
    setIf(bit(edx, 27), "STIBP");
    setIf(bit(edx, 28), "FLUSH_L1D");
    setIf(bit(edx, 29), "IA32_ARCH_CAP");
    setIf(bit(edx, 30), "IA32_CORE_CAP");
    setIf(bit(edx, 31), "SPEC_CTRL_SSBD");

    const [eax1, , , edx1] = q.get(7, 1);
    setIf(fs.has("AVX") && bit(eax1, 4), "AVXVNNI");
    setIf(bit(eax1, 1), "SM3_X86");
    setIf(bit(eax1, 2), "SM4_X86");
    setIf(bit(eax1, 7), "CMPCCXADD");
    setIf(bit(eax1, 10), "MOVSB_ZL");
    setIf(bit(eax1, 11), "STOSB_SHORT");
    setIf(bit(eax1, 12), "CMPSB_SCADBS_SHORT");
    setIf(bit(eax1, 22), "HRESET");
    setIf(bit(eax1, 23), "AVXIFMA");
    setIf(bit(eax1, 26), "LAM");

    setIf(bit(edx1, 4), "AVXVNNIINT8");
    setIf(bit(edx1, 5), "AVXNECONVERT");
    setIf(bit(edx1, 6), "AMXTRANSPOSE");
    setIf(bit(edx1, 7), "AMXTF32");
    setIf(bit(edx1, 8), "AMXCOMPLEX");
    setIf(bit(edx1, 10), "AVXVNNIINT16");
    setIf(bit(edx1, 14), "PREFETCHI");
    setIf(bit(edx1, 19), "AVX10");
    setIf(bit(edx1, 21), "APX_F");

    // AVX-512 (and, in klauspost, the AMX and MSR-list bits) need the OS to have enabled the
    // opmask and ZMM state: XCR0[7:5] = 111b and XCR0[2:1] = 11b.
    if (xsaveEnabled && ((xcr0 >>> 5) & 7) === 7 && ((xcr0 >>> 1) & 3) === 3) {
      setIf(bit(ebx, 16), "AVX512F");
      setIf(bit(ebx, 17), "AVX512DQ");
      setIf(bit(ebx, 21), "AVX512IFMA");
      setIf(bit(ebx, 26), "AVX512PF");
      setIf(bit(ebx, 27), "AVX512ER");
      setIf(bit(ebx, 28), "AVX512CD");
      setIf(bit(ebx, 30), "AVX512BW");
      setIf(bit(ebx, 31), "AVX512VL");
      setIf(bit(ecx, 1), "AVX512VBMI");
      // klauspost reads bit 3 (architecturally PKU) as AMXFP8; kept for fidelity with NFD.
      setIf(bit(ecx, 3), "AMXFP8");
      setIf(bit(ecx, 6), "AVX512VBMI2");
      setIf(bit(ecx, 11), "AVX512VNNI");
      setIf(bit(ecx, 12), "AVX512BITALG");
      setIf(bit(ecx, 14), "AVX512VPOPCNTDQ");
      setIf(bit(edx, 8), "AVX512VP2INTERSECT");
      setIf(bit(edx, 22), "AMXBF16");
      setIf(bit(edx, 23), "AVX512FP16");
      setIf(bit(edx, 24), "AMXTILE");
      setIf(bit(edx, 25), "AMXINT8");
      setIf(bit(eax1, 5), "AVX512BF16");
      setIf(bit(eax1, 19), "WRMSRNS");
      setIf(bit(eax1, 21), "AMXFP16");
      setIf(bit(eax1, 27), "MSRLIST");
    }

    const edx2 = q.get(7, 2)[3];
    setIf(bit(edx2, 0), "PSFD");
    setIf(bit(edx2, 1), "IDPRED_CTRL");
    setIf(bit(edx2, 2), "RRSBA_CTRL");
    setIf(bit(edx2, 4), "BHI_CTRL");
    setIf(bit(edx2, 5), "MCDT_NO");

    if (fs.has("SGX")) setIf(bit(q.get(0x12, 0)[0], 12), "SGXPQC");
    if (fs.has("KEYLOCKER") && mfi >= 0x19) setIf((q.get(0x19, 0)[1] & 5) === 5, "KEYLOCKERW");
    if (fs.has("AVX10") && mfi >= 0x24) {
      const b24 = q.get(0x24, 0)[1];
      setIf(bit(b24, 16), "AVX10_128");
      setIf(bit(b24, 17), "AVX10_256");
      setIf(bit(b24, 18), "AVX10_512");
    }
  }

  if (mfi >= 0xd && fs.has("XSAVE")) {
    const eax = q.get(0xd, 1)[0];
    setIf(bit(eax, 0), "XSAVEOPT");
    setIf(bit(eax, 1), "XSAVEC");
    setIf(bit(eax, 2), "XGETBV1");
    setIf(bit(eax, 3), "XSAVES");
  }

  if (maxExt >= 0x80000001) {
    const [, , ec, ed] = q.get(0x80000001);
    setIf(bit(ec, 5), "LZCNT", "POPCNT");
    setIf(bit(ec, 0), "LAHF");
    setIf(bit(ec, 2), "SVM");
    setIf(bit(ec, 6), "SSE4A");
    setIf(bit(ec, 10), "IBS");
    setIf(bit(ec, 22), "TOPEXT");
    setIf(bit(ed, 11), "SYSCALL");
    setIf(bit(ed, 20), "NX");
    setIf(bit(ed, 22), "MMXEXT");
    setIf(bit(ed, 23), "MMX");
    setIf(bit(ed, 24), "FXSR");
    setIf(bit(ed, 25), "FXSROPT");
    setIf(bit(ed, 27), "RDTSCP");
    setIf(bit(ed, 30), "AMD3DNOWEXT");
    setIf(bit(ed, 31), "AMD3DNOW");
    if (fs.has("AVX")) {
      setIf(bit(ec, 11), "XOP");
      setIf(bit(ec, 16), "FMA4");
    }
  }
  if (maxExt >= 0x80000007) {
    const [, b, , dd] = q.get(0x80000007);
    setIf(bit(b, 0), "MCAOVERFLOW");
    setIf(bit(b, 1), "SUCCOR");
    setIf(bit(b, 2), "HWA");
    setIf(bit(dd, 9), "CPBOOST");
  }
  if (maxExt >= 0x80000008) {
    const b = q.get(0x80000008)[1];
    const bits: Array<[number, string]> = [
      [28, "PSFD"],
      [27, "CPPC"],
      [24, "SPEC_CTRL_SSBD"],
      [23, "PPIN"],
      [21, "TLB_FLUSH_NESTED"],
      [20, "EFER_LMSLE_UNS"],
      [19, "IBRS_PROVIDES_SMP"],
      [18, "IBRS_PREFERRED"],
      [17, "STIBP_ALWAYSON"],
      [15, "STIBP"],
      [14, "IBRS"],
      [13, "INT_WBINVD"],
      [12, "IBPB"],
      [9, "WBNOINVD"],
      [8, "MCOMMIT"],
      [4, "RDPRU"],
      [3, "INVLPGB"],
      [1, "MSRIRC"],
      [0, "CLZERO"],
    ];
    for (const [n, name] of bits) setIf(bit(b, n), name);
  }
  if (fs.has("SVM") && maxExt >= 0x8000000a) {
    const ed = q.get(0x8000000a)[3];
    const bits: Array<[number, string]> = [
      [0, "SVMNP"],
      [1, "LBRVIRT"],
      [2, "SVML"],
      [3, "NRIPS"],
      [4, "TSCRATEMSR"],
      [5, "VMCBCLEAN"],
      [6, "SVMFBASID"],
      [7, "SVMDA"],
      [10, "SVMPF"],
      [12, "SVMPFT"],
    ];
    for (const [n, name] of bits) setIf(bit(ed, n), name);
  }
  if (maxExt >= 0x8000001a) {
    const a = q.get(0x8000001a)[0];
    setIf(bit(a, 0), "FP128");
    setIf(bit(a, 1), "MOVU");
    setIf(bit(a, 2), "FP256");
  }
  if (maxExt >= 0x8000001b && fs.has("IBS")) {
    const a = q.get(0x8000001b)[0];
    const names = [
      "IBSFFV",
      "IBSFETCHSAM",
      "IBSOPSAM",
      "IBSRDWROPCNT",
      "IBSOPCNT",
      "IBSBRNTRGT",
      "IBSOPCNTEXT",
      "IBSRIPINVALIDCHK",
      "IBS_OPFUSE",
      "IBS_FETCH_CTLX",
      "IBS_OPDATA4",
      "IBS_ZEN4",
    ];
    names.forEach((name, n) => setIf(bit(a, n), name));
  }
  if (maxExt >= 0x8000001f && vendor === "AMD") {
    const a = q.get(0x8000001f)[0];
    const bits: Array<[number, string]> = [
      [0, "SME"],
      [1, "SEV"],
      [2, "MSR_PAGEFLUSH"],
      [3, "SEV_ES"],
      [4, "SEV_SNP"],
      [5, "VMPL"],
      [10, "SME_COHERENT"],
      [11, "SEV_64BIT"],
      [12, "SEV_RESTRICTED"],
      [13, "SEV_ALTERNATIVE"],
      [14, "SEV_DEBUGSWAP"],
      [15, "IBS_PREVENTHOST"],
      [16, "VTE"],
      [24, "VMSA_REGPROT"],
    ];
    for (const [n, name] of bits) setIf(bit(a, n), name);
  }
  if (maxExt >= 0x80000021 && vendor === "AMD") {
    const [a, , cc] = q.get(0x80000021);
    setIf(bit(a, 31), "SRSO_MSR_FIX");
    setIf(bit(a, 30), "SRSO_USER_KERNEL_NO");
    setIf(bit(a, 29), "SRSO_NO");
    setIf(bit(a, 28), "IBPB_BRTYPE");
    setIf(bit(a, 27), "SBPB");
    setIf(bit(a, 23), "AVX512BMM");
    setIf(bit(cc, 1), "TSA_L1_NO");
    setIf(bit(cc, 2), "TSA_SQ_NO");
    setIf(bit(a, 5), "TSA_VERW_CLEAR");
  }
  if (vendor === "AMD") setIf(amdNotAffectedByTsa(family, model), "TSA_L1_NO", "TSA_SQ_NO");

  if (mfi >= 0x20) setIf(q.get(0x4000000c)[1] === 0xbe3, "TDX_GUEST");
  if (mfi >= 0x21) {
    const [, b, cc, dd] = q.get(0x21);
    setIf(regsAsText(b, dd, cc) === "IntelTDX    ", "TDX_GUEST");
  }

  if (fs.has("SGX")) {
    let total = 0;
    for (let sub = 2; sub < 10; sub++) {
      const [a, , cc, dd] = q.get(0x12, sub);
      const type = a & 0xf;
      if (type === 0) break;
      if (type === 1) total += ((cc & 0xfffff000) >>> 0) + (dd & 0xfffff) * 2 ** 32;
    }
    result.sgxEpcBytes = total;
  }
  if (mfi >= 0x24 && fs.has("AVX10")) result.avx10Level = q.get(0x24, 0)[1] & 0xff;
  if (mfi >= 0xa) {
    const [a, b, , dd] = q.get(0xa);
    for (const name of pmuFixedCounters(a, b, dd)) fs.add(name);
  }
  return result;
}

/**
 * AMD families klauspost marks as not affected by TSA although the CPU does not say so:
 * before family 19h, and family 1Ah models 00h-4Fh and 60h-7Fh.
 */
export function amdNotAffectedByTsa(family: number, model: number): boolean {
  if (family < 0x19) return true;
  return family === 0x1a && (model <= 0x4f || (model >= 0x60 && model <= 0x7f));
}

function pmuFixedCounters(eax: number, ebx: number, edx: number): string[] {
  const version = eax & 0xff;
  if (version === 0) return [];
  const fixed = version > 1 ? edx & 0x1f : 0;
  const all = [
    "PMU_FIXEDCOUNTER_INSTRUCTIONS",
    "PMU_FIXEDCOUNTER_CYCLES",
    "PMU_FIXEDCOUNTER_REFCYCLES",
    "PMU_FIXEDCOUNTER_TOPDOWN_SLOTS",
  ];
  const out: string[] = [];
  if (ebx === 0 && fixed === 3) out.push(...all.slice(0, 3));
  if (ebx === 0 && fixed === 4) out.push(...all);
  if (ebx !== 0) all.forEach((name, n) => ((ebx >>> n) & 1) === 0 && out.push(name));
  return out;
}
