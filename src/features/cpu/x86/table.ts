// From Linux /proc/cpuinfo `flags` to klauspost/cpuid feature names (what NFD reports as
// `cpu.cpuid`), for when CPUID cannot be read through /dev/cpu/N/cpuid.
//
// Linux prints a flag per X86_FEATURE_* bit that has a quoted name in
// arch/x86/include/asm/cpufeatures.h; klauspost names CPUID bits, sometimes with extra
// conditions (OS support via XGETBV, vendor checks, family/model rules). Each klauspost x86
// name is covered exactly once below: mapped from a flag (CPUINFO_TO_CPUID), derived from
// several facts (DERIVED_CPUID), or not knowable from cpuinfo (NOT_FROM_CPUINFO, with why).
// Linux flags with no klauspost counterpart (`lm`, `pcid`, `smep`, …) are ignored.

import { amdNotAffectedByTsa } from "./decode.js";

export interface X86Context {
  /** The first CPU's cpuinfo `flags`. */
  flags: ReadonlySet<string>;
  /** klauspost's vendor name (`Intel`, `AMD`, `Hygon`, …). */
  vendor: string;
  family: number;
  model: number;
  /** Hardware threads per core as CPUID reports them, when known. */
  threadsPerCore: number | undefined;
  /** Whether the CPU has cores of more than one type (Intel hybrid). */
  hybrid: boolean;
}

export interface CpuinfoMapping {
  /** The Linux cpuinfo flag. */
  linux: string;
  /** The klauspost/cpuid name it yields. */
  cpuid: string;
  /** A further condition, in words (for the docs). */
  condition?: string;
  when?: (x: X86Context) => boolean;
}

const has = (x: X86Context, flag: string): boolean => x.flags.has(flag);
// Linux shows avx/avx512* only when the OS enabled their XSAVE state, which is what klauspost
// checks with XGETBV: the flags stand in for XCR0.
const avxState = (x: X86Context): boolean => has(x, "avx");
const avx512State = (x: X86Context): boolean => has(x, "avx512f");
const amd = (x: X86Context): boolean => x.vendor === "AMD";

/** AMD/Hygon parts that implement SSBD through LS_CFG: Linux says `ssbd`, CPUID does not. */
function lsCfgSsbd(x: X86Context): boolean {
  if (x.vendor === "Hygon") return x.family === 0x18;
  if (x.vendor !== "AMD") return false;
  return x.family < 0x17 || (x.family === 0x17 && x.model < 0x30);
}

const row = (
  linux: string,
  cpuid: string,
  condition?: string,
  when?: (x: X86Context) => boolean,
): CpuinfoMapping => ({
  linux,
  cpuid,
  ...(condition ? { condition } : {}),
  ...(condition && when ? { when } : {}),
});

const AVX_ON = "and the OS enabled AVX state (`avx` flag)";
const AVX512_ON = "and the OS enabled AVX-512 state (`avx512f` flag), as klauspost requires";

/** Linux flag → klauspost name. A flag may yield several names and a name several flags. */
export const CPUINFO_TO_CPUID: readonly CpuinfoMapping[] = [
  // CPUID 1 EDX / ECX
  row("fpu", "X87"),
  row("cx8", "CMPXCHG8"),
  row("sep", "SYSEE"),
  row("cmov", "CMOV"),
  row("mmx", "MMX"),
  row("fxsr", "FXSR"),
  row("sse", "SSE"),
  // klauspost sets FXSROPT from CPUID 1 EDX bit 25, which is the SSE bit.
  row("sse", "FXSROPT"),
  row("sse2", "SSE2"),
  row("pni", "SSE3"),
  row("vmx", "VMX"),
  row("ssse3", "SSSE3"),
  row("sse4_1", "SSE4"),
  row("sse4_2", "SSE42"),
  row("aes", "AESNI"),
  row("pclmulqdq", "CLMUL"),
  row("movbe", "MOVBE"),
  row("popcnt", "POPCNT"),
  row("rdrand", "RDRAND"),
  row("hypervisor", "HYPERVISOR"),
  row("f16c", "F16C"),
  row("cx16", "CX16"),
  row("xsave", "XSAVE"),
  // Linux enables XSAVE (CR4.OSXSAVE) whenever it shows `xsave`; it has no flag for OSXSAVE.
  row("xsave", "OSXSAVE"),
  row("avx", "AVX"),
  row("fma", "FMA3", "and `xsave` (klauspost checks OSXSAVE)", (x) => has(x, "xsave")),
  // CPUID 7.0 EBX
  row("avx2", "AVX2", AVX_ON, avxState),
  row("bmi1", "BMI1"),
  row("bmi2", "BMI2", "and `bmi1` (klauspost reads BMI2 only when BMI1 is set)", (x) =>
    has(x, "bmi1"),
  ),
  row("sgx", "SGX"),
  row("hle", "HLE"),
  row("erms", "ERMS"),
  row("rtm", "RTM"),
  row("mpx", "MPX"),
  row("rdseed", "RDSEED"),
  row("adx", "ADX"),
  row("sha_ni", "SHA"),
  row("avx512f", "AVX512F"),
  row("avx512dq", "AVX512DQ", AVX512_ON, avx512State),
  row("avx512ifma", "AVX512IFMA", AVX512_ON, avx512State),
  row("avx512pf", "AVX512PF", AVX512_ON, avx512State),
  row("avx512er", "AVX512ER", AVX512_ON, avx512State),
  row("avx512cd", "AVX512CD", AVX512_ON, avx512State),
  row("avx512bw", "AVX512BW", AVX512_ON, avx512State),
  row("avx512vl", "AVX512VL", AVX512_ON, avx512State),
  // CPUID 7.0 ECX
  row("avx512vbmi", "AVX512VBMI", AVX512_ON, avx512State),
  // klauspost reads CPUID 7.0 ECX bit 3 (PKU) as AMXFP8.
  row("pku", "AMXFP8", AVX512_ON + " (klauspost reads the PKU bit as AMXFP8)", avx512State),
  row("waitpkg", "WAITPKG"),
  row("avx512_vbmi2", "AVX512VBMI2", AVX512_ON, avx512State),
  // Linux shows the shadow-stack CPUID bit only as `user_shstk`, when it also uses it.
  row("user_shstk", "CETSS"),
  row("gfni", "GFNI"),
  row("vaes", "VAES"),
  row("vpclmulqdq", "VPCLMULQDQ"),
  row("avx512_vnni", "AVX512VNNI", AVX512_ON, avx512State),
  row("avx512_bitalg", "AVX512BITALG", AVX512_ON, avx512State),
  row("tme", "TME"),
  row("avx512_vpopcntdq", "AVX512VPOPCNTDQ", AVX512_ON, avx512State),
  row("cldemote", "CLDEMOTE"),
  row("movdiri", "MOVDIRI"),
  row("movdir64b", "MOVDIR64B"),
  row("enqcmd", "ENQCMD"),
  row("sgx_lc", "SGXLC"),
  // CPUID 7.0 EDX
  row("fsrm", "FSRM"),
  row("avx512_vp2intersect", "AVX512VP2INTERSECT", AVX512_ON, avx512State),
  row("md_clear", "MD_CLEAR"),
  row("serialize", "SERIALIZE"),
  row("tsxldtrk", "TSXLDTRK"),
  row("pconfig", "PCONFIG"),
  row("ibt", "CETIBT"),
  row("amx_bf16", "AMXBF16", AVX512_ON, avx512State),
  row("avx512_fp16", "AVX512FP16", AVX512_ON, avx512State),
  row("amx_tile", "AMXTILE", AVX512_ON, avx512State),
  row("amx_int8", "AMXINT8", AVX512_ON, avx512State),
  row("flush_l1d", "FLUSH_L1D"),
  row("arch_capabilities", "IA32_ARCH_CAP"),
  // Linux's ibpb/stibp/ibrs/ssbd merge Intel's leaf-7 and AMD's 0x80000008 bits, as klauspost
  // does for IBPB and STIBP; klauspost's IBRS is AMD's bit only.
  row("ibpb", "IBPB"),
  row("stibp", "STIBP"),
  row("ibrs", "IBRS", "and not Intel (klauspost reads only AMD's IBRS bit)", (x) => {
    return x.vendor !== "Intel";
  }),
  row(
    "ssbd",
    "SPEC_CTRL_SSBD",
    "except AMD before family 17h model 30h and Hygon 18h, where Linux uses LS_CFG",
    (x) => !lsCfgSsbd(x),
  ),
  // CPUID 7.1 EAX
  row("avx_vnni", "AVXVNNI", AVX_ON, avxState),
  row("avx512_bf16", "AVX512BF16", AVX512_ON, avx512State),
  row("lam", "LAM"),
  // CPUID 0xD.1 EAX (klauspost reads it only with XSAVE)
  row("xsaveopt", "XSAVEOPT", "and `xsave`", (x) => has(x, "xsave")),
  row("xsavec", "XSAVEC", "and `xsave`", (x) => has(x, "xsave")),
  row("xgetbv1", "XGETBV1", "and `xsave`", (x) => has(x, "xsave")),
  row("xsaves", "XSAVES", "and `xsave`", (x) => has(x, "xsave")),
  // CPUID 0x80000001
  row("abm", "LZCNT"),
  row("abm", "POPCNT"),
  row("lahf_lm", "LAHF"),
  row("svm", "SVM"),
  row("sse4a", "SSE4A"),
  row("ibs", "IBS"),
  row("xop", "XOP", AVX_ON, avxState),
  row("fma4", "FMA4", AVX_ON, avxState),
  row("topoext", "TOPEXT"),
  row("syscall", "SYSCALL"),
  row("nx", "NX"),
  row("mmxext", "MMXEXT"),
  row("fxsr_opt", "FXSROPT"),
  row("rdtscp", "RDTSCP"),
  row("3dnowext", "AMD3DNOWEXT"),
  row("3dnow", "AMD3DNOW"),
  // CPUID 0x80000007
  row("overflow_recov", "MCAOVERFLOW"),
  row("succor", "SUCCOR"),
  row("cpb", "CPBOOST"),
  // CPUID 0x80000008 EBX
  row("clzero", "CLZERO"),
  row("irperf", "MSRIRC"),
  row("rdpru", "RDPRU"),
  row("invlpgb", "INVLPGB"),
  row("wbnoinvd", "WBNOINVD"),
  row("amd_ppin", "PPIN"),
  row("cppc", "CPPC"),
  // CPUID 0x8000000A EDX (klauspost reads it only with SVM)
  row("npt", "SVMNP", "and `svm`", (x) => has(x, "svm")),
  row("lbrv", "LBRVIRT", "and `svm`", (x) => has(x, "svm")),
  row("svm_lock", "SVML", "and `svm`", (x) => has(x, "svm")),
  row("nrip_save", "NRIPS", "and `svm`", (x) => has(x, "svm")),
  row("tsc_scale", "TSCRATEMSR", "and `svm`", (x) => has(x, "svm")),
  row("vmcb_clean", "VMCBCLEAN", "and `svm`", (x) => has(x, "svm")),
  row("flushbyasid", "SVMFBASID", "and `svm`", (x) => has(x, "svm")),
  row("decodeassists", "SVMDA", "and `svm`", (x) => has(x, "svm")),
  row("pausefilter", "SVMPF", "and `svm`", (x) => has(x, "svm")),
  row("pfthreshold", "SVMPFT", "and `svm`", (x) => has(x, "svm")),
  // CPUID 0x8000001F EAX (klauspost reads it only on AMD). Linux hides sme/sev when the
  // firmware has not enabled memory encryption; klauspost reports the CPUID bits.
  row("sme", "SME", "and vendor AMD", amd),
  row("sev", "SEV", "and vendor AMD", amd),
  row("sev_es", "SEV_ES", "and vendor AMD", amd),
  row("sev_snp", "SEV_SNP", "and vendor AMD", amd),
  row("debug_swap", "SEV_DEBUGSWAP", "and vendor AMD", amd),
  // CPUID 0x21 (and Hyper-V's 0x4000000C for TDX guests)
  row("tdx_guest", "TDX_GUEST"),
];

export interface DerivedCpuid {
  cpuid: string;
  rule: string;
  derive: (x: X86Context) => boolean;
}

/** Names klauspost computes from more than one bit, reproduced from cpuinfo facts. */
export const DERIVED_CPUID: readonly DerivedCpuid[] = [
  {
    cpuid: "AVXSLOW",
    rule: "`avx` and Intel family 6 model < 60, or AMD family < 23 or family 23 model < 49",
    derive: (x) =>
      avxState(x) &&
      ((x.vendor === "Intel" && x.family === 6 && x.model < 60) ||
        (x.vendor === "AMD" && (x.family < 23 || (x.family === 23 && x.model < 49)))),
  },
  {
    cpuid: "HTT",
    rule:
      "`ht`, vendor Intel or AMD, and more than one hardware thread per core " +
      "(sysfs smt/control, else cpuinfo `siblings` / `cpu cores`)",
    derive: (x) =>
      has(x, "ht") && (x.vendor === "Intel" || x.vendor === "AMD") && (x.threadsPerCore ?? 1) > 1,
  },
  {
    cpuid: "HYBRID_CPU",
    rule: "/sys/devices/cpu_core and /sys/devices/cpu_atom both exist (Intel hybrid PMUs)",
    derive: (x) => x.hybrid,
  },
  {
    cpuid: "TSA_L1_NO",
    rule: "vendor AMD and family < 19h, or family 1Ah models 00h-4Fh/60h-7Fh (klauspost's rule)",
    derive: (x) => amd(x) && amdNotAffectedByTsa(x.family, x.model),
  },
  {
    cpuid: "TSA_SQ_NO",
    rule: "as TSA_L1_NO",
    derive: (x) => amd(x) && amdNotAffectedByTsa(x.family, x.model),
  },
];

const NO_FLAG = "Linux defines the bit but prints no cpuinfo flag for it";
const KVM_ONLY = "Linux knows the bit only inside KVM (reverse_cpuid.h); cpuinfo never shows it";

/** klauspost names that /proc/cpuinfo cannot tell; reported only when CPUID is readable. */
export const NOT_FROM_CPUINFO: Readonly<Record<string, string>> = {
  AMXFP16: NO_FLAG,
  AMXTF32: KVM_ONLY,
  AMXCOMPLEX: KVM_ONLY,
  AMXTRANSPOSE: "CPUID 7.1 EDX bit 6: not known to Linux",
  APX_F: "CPUID 7.1 EDX bit 21: no cpuinfo flag",
  AVX10: KVM_ONLY,
  AVX10_128: "CPUID 0x24: no cpuinfo flag",
  AVX10_256: "CPUID 0x24: no cpuinfo flag",
  AVX10_512: "CPUID 0x24: no cpuinfo flag",
  AVX512BMM: "CPUID 0x80000021 EAX bit 23: no cpuinfo flag",
  AVXIFMA: NO_FLAG,
  AVXNECONVERT: KVM_ONLY,
  AVXVNNIINT8: KVM_ONLY,
  AVXVNNIINT16: KVM_ONLY,
  BHI_CTRL: NO_FLAG,
  CMPCCXADD: NO_FLAG,
  CMPSB_SCADBS_SHORT: NO_FLAG + " (FSRC)",
  EFER_LMSLE_UNS: "CPUID 0x80000008 EBX bit 20: no cpuinfo flag",
  FP128: "CPUID 0x8000001A: not read by Linux",
  FP256: "CPUID 0x8000001A: not read by Linux",
  HRESET: "CPUID 7.1 EAX bit 22: no cpuinfo flag",
  HWA: "CPUID 0x80000007 EBX bit 2: no cpuinfo flag",
  IA32_CORE_CAP: NO_FLAG,
  IBPB_BRTYPE: NO_FLAG,
  IBRS_PREFERRED: "CPUID 0x80000008 EBX bit 18: no cpuinfo flag",
  IBRS_PROVIDES_SMP: "CPUID 0x80000008 EBX bit 19: no cpuinfo flag",
  IBSBRNTRGT: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBSFETCHSAM: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBSFFV: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBSOPCNT: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBSOPCNTEXT: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBSOPSAM: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBSRDWROPCNT: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBSRIPINVALIDCHK: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBS_FETCH_CTLX: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBS_OPDATA4: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBS_OPFUSE: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBS_ZEN4: "CPUID 0x8000001B: no cpuinfo flags for IBS capabilities",
  IBS_PREVENTHOST: "CPUID 0x8000001F EAX bit 15: no cpuinfo flag",
  IDPRED_CTRL: "CPUID 7.2 EDX bit 1: no cpuinfo flag",
  INT_WBINVD: "CPUID 0x80000008 EBX bit 13: no cpuinfo flag",
  KEYLOCKER: "Key Locker: not supported by Linux, no cpuinfo flag",
  KEYLOCKERW: "Key Locker: not supported by Linux, no cpuinfo flag",
  MCDT_NO: "CPUID 7.2 EDX bit 5: no cpuinfo flag",
  MCOMMIT: "CPUID 0x80000008 EBX bit 8: no cpuinfo flag",
  MOVSB_ZL: NO_FLAG + " (FZRM)",
  MOVU: "CPUID 0x8000001A: not read by Linux",
  MSRLIST: "CPUID 7.1 EAX bit 27: no cpuinfo flag",
  MSR_PAGEFLUSH: NO_FLAG + " (VM_PAGE_FLUSH)",
  PREFETCHI: KVM_ONLY,
  PSFD: NO_FLAG + " (AMD_PSFD) / CPUID 7.2 EDX bit 0",
  RRSBA_CTRL: NO_FLAG,
  RTM_ALWAYS_ABORT: NO_FLAG,
  SBPB: NO_FLAG,
  SEV_64BIT: "CPUID 0x8000001F EAX bit 11: no cpuinfo flag",
  SEV_ALTERNATIVE: "CPUID 0x8000001F EAX bit 13: no cpuinfo flag",
  SEV_RESTRICTED: "CPUID 0x8000001F EAX bit 12: no cpuinfo flag",
  SGXPQC: "CPUID 0x12 EAX bit 12: no cpuinfo flag",
  SME_COHERENT: NO_FLAG,
  SM3_X86: NO_FLAG,
  SM4_X86: NO_FLAG,
  SRBDS_CTRL: NO_FLAG,
  SRSO_MSR_FIX: NO_FLAG,
  SRSO_NO: NO_FLAG,
  SRSO_USER_KERNEL_NO: NO_FLAG,
  STIBP_ALWAYSON: NO_FLAG + " (AMD_STIBP_ALWAYS_ON)",
  STOSB_SHORT: NO_FLAG + " (FSRS)",
  TBM: "klauspost defines TBM but never detects it, so NFD never reports it",
  TLB_FLUSH_NESTED: "CPUID 0x80000008 EBX bit 21: no cpuinfo flag",
  TSA_VERW_CLEAR: NO_FLAG,
  VMPL: "CPUID 0x8000001F EAX bit 5: no cpuinfo flag",
  VMSA_REGPROT: "CPUID 0x8000001F EAX bit 24: no cpuinfo flag",
  VTE: "CPUID 0x8000001F EAX bit 16: no cpuinfo flag",
  WRMSRNS: NO_FLAG,
  PMU_FIXEDCOUNTER_CYCLES: "CPUID 0xA fixed counters: not in cpuinfo",
  PMU_FIXEDCOUNTER_REFCYCLES: "CPUID 0xA fixed counters: not in cpuinfo",
  PMU_FIXEDCOUNTER_INSTRUCTIONS: "CPUID 0xA fixed counters: not in cpuinfo",
  PMU_FIXEDCOUNTER_TOPDOWN_SLOTS: "CPUID 0xA fixed counters: not in cpuinfo",
};

/** klauspost names for a CPU described by its cpuinfo flags and identity. */
export function cpuidFromCpuinfo(x: X86Context): Set<string> {
  const out = new Set<string>();
  for (const m of CPUINFO_TO_CPUID) {
    if (x.flags.has(m.linux) && (m.when === undefined || m.when(x))) out.add(m.cpuid);
  }
  for (const d of DERIVED_CPUID) if (d.derive(x)) out.add(d.cpuid);
  return out;
}

/** The three tables above as Markdown, for the docs. */
export function cpuidMappingMarkdown(): string {
  const lines = [
    "| cpuinfo flag | cpu.cpuid name | condition |",
    "|---|---|---|",
    ...CPUINFO_TO_CPUID.map((m) => `| \`${m.linux}\` | \`${m.cpuid}\` | ${m.condition ?? ""} |`),
    "",
    "| derived name | rule |",
    "|---|---|",
    ...DERIVED_CPUID.map((d) => `| \`${d.cpuid}\` | ${d.rule} |`),
    "",
    "| name only from CPUID (/dev/cpu/N/cpuid) | why not from cpuinfo |",
    "|---|---|",
    ...Object.entries(NOT_FROM_CPUINFO).map(([n, why]) => `| \`${n}\` | ${why} |`),
  ];
  return `${lines.join("\n")}\n`;
}
