import { test } from "node:test";
import assert from "node:assert/strict";
import { CpuidLeaves, regsAsText } from "../../../../src/features/cpu/x86/leaves.js";
import { decodeCpuid, familyModelFromSignature } from "../../../../src/features/cpu/x86/decode.js";
import { KLAUSPOST_X86_NAMES } from "../../../../src/features/cpu/x86/names.js";
import { xcr0Estimate } from "../../../../src/features/cpu/facts.js";
import { parseCpuinfo } from "../../../../src/features/cpu/cpuinfo.js";
import { fixture } from "../tree.js";

/** Registers spelling a 12-character signature in EBX, EDX, ECX order (leaf 0). */
function vendorRegs(sig: string): [number, number, number] {
  const word = (s: string): number =>
    [...s.padEnd(4, "\0")].reduce((acc, ch, i) => acc + ch.charCodeAt(0) * 2 ** (8 * i), 0);
  return [word(sig.slice(0, 4)), word(sig.slice(8, 12)), word(sig.slice(4, 8))];
}

function cpu(sig: string, maxStd: number, leaf1: number): CpuidLeaves {
  const [b, c, d] = vendorRegs(sig);
  return new CpuidLeaves().set(0, 0, [maxStd, b, c, d]).set(1, 0, [leaf1, 0, 0, 0]);
}

// Raw CPUID of the Firecracker VM this project is developed on (AMD family 1Ah, KVM).
const FIRECRACKER_ZEN5: Array<[number, number, [number, number, number, number]]> = [
  [0x0, 0, [0x1c, 0x68747541, 0x444d4163, 0x69746e65]],
  [0x1, 0, [0x00b00f21, 0x00020800, 0xfffa3203, 0x178bfbff]],
  [0x7, 0, [0x1, 0xf1bf07ab, 0x00405fc6, 0x110]],
  [0x7, 1, [0x30, 0, 0, 0]],
  [0xb, 0, [0, 1, 0x100, 0]],
  [0xb, 1, [5, 2, 0x201, 0]],
  [0xd, 0, [0xe7, 0x980, 0x980, 0]],
  [0xd, 1, [0xf, 0x9a8, 0x1800, 0]],
  [0x40000000, 0, [0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d]],
  [0x80000000, 0, [0x80000021, 0x68747541, 0x444d4163, 0x69746e65]],
  [0x80000001, 0, [0x00b00f21, 0x40000000, 0x004003f3, 0x2fd3fbff]],
  [0x80000007, 0, [0, 0, 0, 0x100]],
  [0x80000008, 0, [0x00303030, 0x50020005, 0x7001, 0]],
  [0x8000001a, 0, [2, 0, 0, 0]],
  [0x80000021, 0, [0x204, 0, 0x86, 0]],
];

test("family and model as klauspost computes them", () => {
  assert.deepEqual(familyModelFromSignature(0x000806f8), { family: 6, model: 143 }); // SPR
  assert.deepEqual(familyModelFromSignature(0x00a00f11), { family: 25, model: 1 }); // Milan
  assert.deepEqual(familyModelFromSignature(0x00b00f21), { family: 26, model: 2 }); // Zen 5
  assert.deepEqual(familyModelFromSignature(0x000006fb), { family: 6, model: 15 }); // Core 2
  // Zhaoxin (family 7): klauspost ignores the extended model.
  assert.deepEqual(familyModelFromSignature(0x000107b5), { family: 7, model: 11 });
});

test("the Firecracker VM's leaves decode to klauspost's names", async () => {
  const q = new CpuidLeaves();
  for (const [l, s, r] of FIRECRACKER_ZEN5) q.set(l, s, r);
  const info = parseCpuinfo(await fixture("cpuinfo-firecracker-amd-zen5.txt"));
  const d = decodeCpuid(q, xcr0Estimate(info, q));
  assert.equal(d.vendor, "AMD");
  assert.deepEqual([d.family, d.model], [26, 2]);
  assert.equal(d.hypervisorSignature, "KVMKVMKVM");
  for (const n of ["AVX512F", "AVX512BF16", "AVXVNNI", "HYPERVISOR", "CLZERO", "MOVU", "PSFD"]) {
    assert.ok(d.features.has(n), `missing ${n}`);
  }
  for (const n of ["TSA_L1_NO", "TSA_SQ_NO", "STIBP_ALWAYSON", "CETSS", "FXSROPT", "LAHF"]) {
    assert.ok(d.features.has(n), `missing ${n}`);
  }
  for (const n of ["HTT", "AMXFP8", "FP256", "IBPB", "AVXSLOW", "SVM"]) {
    assert.ok(!d.features.has(n), `unexpected ${n}`);
  }
  const known = new Set(KLAUSPOST_X86_NAMES);
  for (const n of d.features) assert.ok(known.has(n), n);
});

test("AVX and AVX-512 follow XCR0", () => {
  const q = cpu("GenuineIntel", 7, 0x000806f8);
  q.set(1, 0, [0x000806f8, 0, (1 << 26) | (1 << 27) | (1 << 28) | (1 << 12), 0]);
  q.set(7, 0, [0, (1 << 5) | (1 << 16) | (1 << 30), 1 << 3, 1 << 24]);
  const none = decodeCpuid(q, 0x3);
  assert.ok(!none.features.has("AVX") && !none.features.has("AVX2"));
  assert.ok(none.features.has("FMA3"), "FMA3 needs only FMA and OSXSAVE");
  const avx = decodeCpuid(q, 0x7);
  assert.ok(avx.features.has("AVX") && avx.features.has("AVX2"));
  assert.ok(!avx.features.has("AVX512F") && !avx.features.has("AMXTILE"));
  const all = decodeCpuid(q, 0xe7);
  for (const n of ["AVX512F", "AVX512BW", "AMXTILE", "AMXFP8"]) assert.ok(all.features.has(n), n);
});

test("HTT from leaf 0xB threads per core (Intel) and 0x8000001E (AMD Zen)", () => {
  const intel = cpu("GenuineIntel", 0xb, 0x000806f8);
  intel.set(1, 0, [0x000806f8, 0, 0, 1 << 28]).set(0xb, 0, [1, 2, 0x100, 0]);
  assert.ok(decodeCpuid(intel, 0).features.has("HTT"));
  intel.set(0xb, 0, [0, 1, 0x100, 0]);
  assert.ok(!decodeCpuid(intel, 0).features.has("HTT"));
  const amd = cpu("AuthenticAMD", 0xd, 0x00a00f11);
  amd.set(1, 0, [0x00a00f11, 0, 0, 1 << 28]).set(0x80000000, 0, [0x8000001e, 0, 0, 0]);
  amd.set(0x8000001e, 0, [0, 0x100, 0, 0]);
  assert.ok(decodeCpuid(amd, 0).features.has("HTT"));
});

test("AVX10 version, SGX EPC sections, TDX guest identity, PMU counters", () => {
  const q = cpu("GenuineIntel", 0x24, 0x000a06f0);
  q.set(1, 0, [0x000a06f0, 0, (1 << 26) | (1 << 27), 0]);
  q.set(7, 0, [0, 1 << 2, 0, 0]).set(7, 1, [0, 0, 0, 1 << 19]);
  q.set(0x24, 0, [0, 2 | (1 << 16) | (1 << 17) | (1 << 18), 0, 0]);
  q.set(0x12, 2, [0x1 | 0x1000, 0, 0x40000001, 0x1]); // 4 GiB + 1 GiB
  q.set(0x12, 3, [0x1, 0, 0x10000001, 0]); // 256 MiB
  q.set(0x12, 4, [0, 0, 0, 0]);
  q.set(0x12, 5, [0x1, 0, 0x10000001, 0]); // after the end marker: ignored
  const [b, c, d] = vendorRegs("IntelTDX    ");
  q.set(0x21, 0, [0, b, c, d]);
  q.set(0xa, 0, [0x05, 0, 0, 4]);
  const r = decodeCpuid(q, 0xe7);
  assert.equal(r.avx10Level, 2);
  for (const n of ["AVX10", "AVX10_128", "AVX10_256", "AVX10_512", "SGX", "TDX_GUEST"]) {
    assert.ok(r.features.has(n), n);
  }
  assert.equal(r.sgxEpcBytes, 0x40000000 + 2 ** 32 + 0x10000000);
  assert.ok(r.features.has("PMU_FIXEDCOUNTER_TOPDOWN_SLOTS"));
});

test("vendor and hypervisor signatures as text", () => {
  const [b, c, d] = vendorRegs("HygonGenuine");
  assert.equal(regsAsText(b, d, c), "HygonGenuine");
  assert.equal(decodeCpuid(cpu("CentaurHauls", 1, 0x6f0), 0).vendor, "VIA");
  assert.equal(decodeCpuid(cpu("  Shanghai  ", 1, 0x107b5), 0).vendor, "VendorUnknown");
  assert.equal(decodeCpuid(cpu("GenuineIntel", 0, 0), 0).family, 0, "no leaf 1");
});
