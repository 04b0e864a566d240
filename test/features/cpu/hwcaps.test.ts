import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuSource } from "../../../src/features/cpu/index.js";
import { parseAuxv, ppc64leFlags } from "../../../src/features/cpu/hwcaps.js";
import { makeHost, type Entry } from "./tree.js";

function auxv(pairs: Array<[bigint, bigint]>): Buffer {
  const buf = Buffer.alloc((pairs.length + 1) * 16);
  pairs.forEach(([tag, val], i) => {
    buf.writeBigUInt64LE(tag, i * 16);
    buf.writeBigUInt64LE(val, i * 16 + 8);
  });
  return buf;
}

async function flags(entries: Record<string, Entry>, arch: string): Promise<string[]> {
  const h = await makeHost(entries);
  try {
    const f = await cpuSource.discover(h.ctx(arch));
    return Object.keys(f.flags["cpu.cpuid"]?.elements ?? {});
  } finally {
    await h.cleanup();
  }
}

test("s390x: cpuinfo features upper-cased, limited to NFD's table", async () => {
  const cpuinfo =
    "vendor_id       : IBM/S390\n" +
    "features\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx vxd vxe gs " +
    "vxe2 vxp sort dflt vxp2 nnpa pcimio sie newthing\n";
  const got = await flags({ "/proc/cpuinfo": cpuinfo }, "s390x");
  assert.ok(got.includes("ZARCH") && got.includes("VXE2") && got.includes("PCIMIO"));
  assert.ok(!got.includes("NEWTHING"));
  assert.equal(got.length, 23);
});

test("ppc64le: AT_HWCAP/AT_HWCAP2 from /proc/self/auxv with NFD's names", async () => {
  // POWER9 little-endian: PPC64 ALTIVEC FPU MMU ARCH_2_05 DFP ARCH_2_06 VSX ARCHPMU TRUE_LE
  // PPCLE, and ARCH_2_07 HTM DSCR EBB ISEL TAR VCRYPTO ARCH_3_00 IEEE128 DARN SCV.
  const hwcap = 0x5c0015c3n;
  const hwcap2 = 0xfef00000n;
  const buf = auxv([
    [33n, 0x7fffn],
    [16n, hwcap],
    [26n, hwcap2],
  ]);
  assert.deepEqual(parseAuxv(buf), { hwcap, hwcap2 });
  const got = await flags({ "/proc/self/auxv": buf }, "ppc64le");
  for (const n of ["PPC64", "ALTIVEC", "VSX", "PPCLE", "ARCH_3_00", "IEEE128", "DARN", "SCV"]) {
    assert.ok(got.includes(n), `missing ${n}`);
  }
  assert.ok(!got.includes("MMA") && !got.includes("PPC32"));
  assert.deepEqual(ppc64leFlags(0n, 1n << 17n), ["MMA"]);
});

test("ppc64le without a readable auxv: empty flags and a warning", async () => {
  const h = await makeHost({});
  try {
    const f = await cpuSource.discover(h.ctx("ppc64le"));
    assert.deepEqual(Object.keys(f.flags["cpu.cpuid"]?.elements ?? {}), []);
    assert.ok(h.warnings.some((w) => w.includes("/proc/self/auxv")));
  } finally {
    await h.cleanup();
  }
});
