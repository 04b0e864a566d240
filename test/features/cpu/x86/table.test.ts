import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CPUINFO_TO_CPUID,
  DERIVED_CPUID,
  NOT_FROM_CPUINFO,
  cpuidFromCpuinfo,
  cpuidMappingMarkdown,
  type X86Context,
} from "../../../../src/features/cpu/x86/table.js";
import { KLAUSPOST_X86_NAMES } from "../../../../src/features/cpu/x86/names.js";
import { parseCpuinfo, cpuinfoWords } from "../../../../src/features/cpu/cpuinfo.js";
import { x86IdentityFromCpuinfo } from "../../../../src/features/cpu/facts.js";
import { fixture } from "../tree.js";

const X86_FIXTURES = [
  "cpuinfo-firecracker-amd-zen5.txt",
  "cpuinfo-intel-xeon-8480.txt",
  "cpuinfo-intel-xeon-6338n.txt",
  "cpuinfo-amd-epyc-7763.txt",
];

async function namesList(): Promise<Set<string>> {
  return new Set((await fixture("cpuid-names.txt")).split("\n").filter((l) => l.trim() !== ""));
}

function ctx(flags: string, over: Partial<X86Context> = {}): X86Context {
  return {
    flags: new Set(flags.split(" ").filter(Boolean)),
    vendor: "Intel",
    family: 6,
    model: 143,
    threadsPerCore: 1,
    hybrid: false,
    ...over,
  };
}

test("the table covers every klauspost x86 name exactly once", () => {
  const mapped = new Set(CPUINFO_TO_CPUID.map((m) => m.cpuid));
  const derived = new Set(DERIVED_CPUID.map((d) => d.cpuid));
  for (const name of KLAUSPOST_X86_NAMES) {
    const where = [mapped.has(name), derived.has(name), Object.hasOwn(NOT_FROM_CPUINFO, name)];
    assert.equal(where.filter(Boolean).length, 1, `${name} covered ${where.join("/")}`);
  }
});

test("the source's name list is the reference list (x86 part)", async () => {
  const list = await namesList();
  for (const n of KLAUSPOST_X86_NAMES) assert.ok(list.has(n), `${n} not in cpuid-names.txt`);
  for (const m of CPUINFO_TO_CPUID) assert.ok(list.has(m.cpuid), `table yields ${m.cpuid}`);
  for (const d of DERIVED_CPUID) assert.ok(list.has(d.cpuid), `derived ${d.cpuid}`);
  for (const n of Object.keys(NOT_FROM_CPUINFO)) assert.ok(list.has(n), `${n}`);
});

test("linux flags in the table are lower-case cpuinfo words", () => {
  for (const m of CPUINFO_TO_CPUID) assert.match(m.linux, /^[a-z0-9_]+$/, m.linux);
});

for (const file of X86_FIXTURES) {
  test(`${file}: only klauspost names, never a raw Linux flag`, async () => {
    const list = await namesList();
    const info = parseCpuinfo(await fixture(file));
    const flags = cpuinfoWords(info, "flags");
    const id = x86IdentityFromCpuinfo(info);
    assert.ok(flags && id);
    const names = cpuidFromCpuinfo({ flags, ...id, threadsPerCore: 2, hybrid: false });
    assert.ok(names.size > 30, `${names.size} names`);
    for (const n of names) {
      assert.ok(list.has(n), `${n} is not a klauspost name`);
      assert.ok(!flags.has(n), `${n} is a raw cpuinfo flag`);
    }
  });
}

test("well-known renames", () => {
  const names = cpuidFromCpuinfo(
    ctx(
      "sse4_2 pclmulqdq fma xsave aes sha_ni avx avx512f avx512_fp16 amx_tile hypervisor lm " +
        "sse4_1 pni lahf_lm abm sep cx8",
    ),
  );
  for (const n of [
    "SSE42",
    "CLMUL",
    "FMA3",
    "AESNI",
    "SHA",
    "AVX512FP16",
    "AMXTILE",
    "HYPERVISOR",
    "SSE4",
    "SSE3",
    "LAHF",
    "LZCNT",
    "POPCNT",
    "SYSEE",
    "CMPXCHG8",
    "OSXSAVE",
  ]) {
    assert.ok(names.has(n), `missing ${n}`);
  }
  assert.ok(![...names].some((n) => n === "LM" || n === "lm"), "lm has no klauspost name");
});

test("OS-state gates: AVX2 needs avx, AVX-512 names need avx512f, FMA3 needs xsave", () => {
  const noAvx = cpuidFromCpuinfo(ctx("avx2 fma avx512dq avx512bw amx_tile avx_vnni xop"));
  for (const n of ["AVX2", "FMA3", "AVX512DQ", "AVX512BW", "AMXTILE", "AVXVNNI", "XOP"]) {
    assert.ok(!noAvx.has(n), `${n} without OS support`);
  }
  const full = cpuidFromCpuinfo(ctx("xsave avx avx2 fma avx512f avx512dq amx_tile avx_vnni"));
  for (const n of ["AVX2", "FMA3", "AVX512F", "AVX512DQ", "AMXTILE", "AVXVNNI"]) {
    assert.ok(full.has(n), `${n} missing`);
  }
});

test("klauspost quirks: BMI2 only with BMI1, PKU read as AMXFP8 with AVX-512 state", () => {
  assert.ok(!cpuidFromCpuinfo(ctx("bmi2")).has("BMI2"));
  assert.ok(cpuidFromCpuinfo(ctx("bmi1 bmi2")).has("BMI2"));
  assert.ok(!cpuidFromCpuinfo(ctx("pku avx")).has("AMXFP8"));
  assert.ok(cpuidFromCpuinfo(ctx("pku avx avx512f")).has("AMXFP8"));
  assert.ok(cpuidFromCpuinfo(ctx("sse")).has("FXSROPT"), "FXSROPT from the SSE bit");
  assert.ok(!cpuidFromCpuinfo(ctx("tbm")).has("TBM"), "klauspost never detects TBM");
});

test("vendor-dependent names", () => {
  assert.ok(!cpuidFromCpuinfo(ctx("ibrs")).has("IBRS"), "Intel's ibrs is SPEC_CTRL");
  assert.ok(cpuidFromCpuinfo(ctx("ibrs", { vendor: "AMD", family: 25 })).has("IBRS"));
  const hygon = cpuidFromCpuinfo(ctx("sme sev", { vendor: "Hygon", family: 0x18 }));
  assert.ok(!hygon.has("SME") && !hygon.has("SEV"), "0x8000001F is read on AMD only");
  const amd = cpuidFromCpuinfo(ctx("sme sev sev_es", { vendor: "AMD", family: 25 }));
  assert.ok(amd.has("SME") && amd.has("SEV") && amd.has("SEV_ES"));
  assert.ok(
    !cpuidFromCpuinfo(ctx("ssbd", { vendor: "AMD", family: 0x17, model: 1 })).has("SPEC_CTRL_SSBD"),
  );
  assert.ok(
    cpuidFromCpuinfo(ctx("ssbd", { vendor: "AMD", family: 0x17, model: 0x31 })).has(
      "SPEC_CTRL_SSBD",
    ),
  );
  assert.ok(!cpuidFromCpuinfo(ctx("npt")).has("SVMNP"), "SVM leaf needs svm");
  assert.ok(cpuidFromCpuinfo(ctx("svm npt", { vendor: "AMD" })).has("SVMNP"));
});

test("AVXSLOW by vendor, family and model", () => {
  const slow = (over: Partial<X86Context>): boolean =>
    cpuidFromCpuinfo(ctx("xsave avx", over)).has("AVXSLOW");
  assert.equal(slow({ vendor: "Intel", family: 6, model: 45 }), true);
  assert.equal(slow({ vendor: "Intel", family: 6, model: 60 }), false);
  assert.equal(slow({ vendor: "AMD", family: 21, model: 2 }), true);
  assert.equal(slow({ vendor: "AMD", family: 23, model: 1 }), true);
  assert.equal(slow({ vendor: "AMD", family: 23, model: 49 }), false);
  assert.equal(cpuidFromCpuinfo(ctx("", { model: 45 })).has("AVXSLOW"), false, "needs avx");
});

test("HTT needs ht, Intel or AMD, and SMT hardware", () => {
  const htt = (flags: string, over: Partial<X86Context>): boolean =>
    cpuidFromCpuinfo(ctx(flags, over)).has("HTT");
  assert.equal(htt("ht", { threadsPerCore: 2 }), true);
  assert.equal(htt("ht", { threadsPerCore: 1 }), false);
  assert.equal(htt("ht", { threadsPerCore: undefined }), false);
  assert.equal(htt("", { threadsPerCore: 2 }), false);
  assert.equal(htt("ht", { threadsPerCore: 2, vendor: "AMD" }), true);
  assert.equal(htt("ht", { threadsPerCore: 2, vendor: "Hygon" }), false);
});

test("TSA_*_NO follow klauspost's AMD family rule", () => {
  const tsa = (family: number, model: number, vendor = "AMD"): boolean => {
    const n = cpuidFromCpuinfo(ctx("", { vendor, family, model }));
    assert.equal(n.has("TSA_L1_NO"), n.has("TSA_SQ_NO"));
    return n.has("TSA_L1_NO");
  };
  assert.equal(tsa(0x17, 0x31), true);
  assert.equal(tsa(0x19, 0x01), false);
  assert.equal(tsa(0x1a, 0x02), true);
  assert.equal(tsa(0x1a, 0x50), false);
  assert.equal(tsa(0x1a, 0x70), true);
  assert.equal(tsa(0x17, 0x31, "Intel"), false);
});

test("HYBRID_CPU from the hybrid PMU directories", () => {
  assert.ok(cpuidFromCpuinfo(ctx("", { hybrid: true })).has("HYBRID_CPU"));
  assert.ok(!cpuidFromCpuinfo(ctx("")).has("HYBRID_CPU"));
});

test("the Markdown rendering lists every klauspost x86 name", () => {
  const md = cpuidMappingMarkdown();
  for (const n of KLAUSPOST_X86_NAMES) assert.ok(md.includes(`\`${n}\``), n);
  assert.ok(md.includes("| `sse4_2` | `SSE42` |"));
});
