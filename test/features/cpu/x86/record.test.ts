// CPUID recordings: what capture-host writes where /dev/cpu/0/cpuid was, read back by
// discovery under --host-root as if the device had answered.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CpuidLeaves } from "../../../../src/features/cpu/x86/leaves.js";
import {
  formatCpuidRecording,
  parseCpuidRecording,
} from "../../../../src/features/cpu/x86/record.js";
import { decodeCpuid } from "../../../../src/features/cpu/x86/decode.js";
import { readCpuidDevice } from "../../../../src/features/cpu/x86/device.js";
import { xcr0Estimate } from "../../../../src/features/cpu/facts.js";
import { parseCpuinfo } from "../../../../src/features/cpu/cpuinfo.js";
import { cpuSource } from "../../../../src/features/cpu/index.js";
import { makeHost } from "../tree.js";

/** An Intel CPU under KVM: SSE2, SSE4.2, AVX, AVX2, BMI1/2, the hypervisor leaves. */
function kvmIntel(): CpuidLeaves {
  return new CpuidLeaves()
    .set(0, 0, [0xd, 0x756e6547, 0x6c65746e, 0x49656e69])
    .set(1, 0, [0x000906ea, 0x00010800, 0x9ed82203 | (1 << 31), 0x0f8bfbff])
    .set(7, 0, [0, (1 << 3) | (1 << 5) | (1 << 8), 0, 0])
    .set(0xd, 0, [0x7, 0x340, 0x340, 0])
    .set(0x40000000, 0, [0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d])
    .set(0x80000000, 0, [0x80000008, 0, 0, 0])
    .set(0x80000001, 0, [0, 0, 0x121, 0x2c100800]);
}

const CPUINFO = [
  "processor\t: 0",
  "vendor_id\t: GenuineIntel",
  "cpu family\t: 6",
  "model\t\t: 158",
  "flags\t\t: fpu sse sse2 avx hypervisor",
  "",
].join("\n");

test("a recording reads back as the same leaves, zeros included", () => {
  const leaves = kvmIntel().set(0x12, 3, [0, 0, 0, 0]);
  const text = formatCpuidRecording(leaves);
  assert.match(text, /^# kompat CPUID recording v1: leaf subleaf eax ebx ecx edx\n/);
  assert.match(text, /\n00000007 00000000 00000000 00000128 00000000 00000000\n/);
  const back = parseCpuidRecording(text);
  assert.ok(back instanceof CpuidLeaves, JSON.stringify(back));
  assert.deepEqual(back.entries(), leaves.entries());
  assert.ok(back.has(0x12, 3));
  assert.deepEqual(back.get(0x40000000), [0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d]);
});

test("a malformed recording names its line", () => {
  const good = formatCpuidRecording(kvmIntel());
  assert.deepEqual(parseCpuidRecording("not a recording"), {
    error: 'line 1: expected "# kompat CPUID recording v1: leaf subleaf eax ebx ecx edx"',
  });
  const lines = good.split("\n");
  lines.splice(2, 0, "00000001 00000000 zz");
  assert.deepEqual(parseCpuidRecording(lines.join("\n")), {
    error: "line 3: expected six hex numbers: leaf subleaf eax ebx ecx edx",
  });
  const noLeaf0 = good
    .split("\n")
    .filter((l) => !l.startsWith("00000000 00000000"))
    .join("\n");
  assert.deepEqual(parseCpuidRecording(noLeaf0), {
    error: "no leaf 0 (the CPU's vendor and maximum leaf)",
  });
});

test("a tree with a recording is discovered as the device would be", async () => {
  const leaves = kvmIntel();
  const h = await makeHost({
    "/proc/cpuinfo": CPUINFO,
    "/dev/cpu/0/cpuid": formatCpuidRecording(leaves),
  });
  try {
    const read = await readCpuidDevice(h.host);
    assert.ok("leaves" in read, JSON.stringify(read));
    const f = await cpuSource.discover(h.ctx());
    const expected = decodeCpuid(leaves, xcr0Estimate(parseCpuinfo(CPUINFO), leaves));
    const got = Object.keys(f.flags["cpu.cpuid"]?.elements ?? {});
    for (const name of ["AVX2", "BMI2", "SSE42", "HYPERVISOR"]) {
      assert.ok(expected.features.has(name), name);
      assert.ok(got.includes(name), `${name} not in ${got.join(" ")}`);
    }
    // From the CPUID signature: the cpuinfo path would not know it.
    assert.equal(f.attributes["cpu.model"]?.elements.hypervisor, "kvm");
    assert.ok(!h.warnings.some((w) => w.includes("CPUID not readable")), h.warnings.join("\n"));
  } finally {
    await h.cleanup();
  }
});

test("a broken recording is a reason to use cpuinfo, not an error", async () => {
  const h = await makeHost({
    "/proc/cpuinfo": CPUINFO,
    "/dev/cpu/0/cpuid": "# kompat CPUID recording v1: leaf subleaf eax ebx ecx edx\nbad\n",
  });
  try {
    const f = await cpuSource.discover(h.ctx());
    assert.ok(Object.hasOwn(f.flags["cpu.cpuid"]?.elements ?? {}, "SSE2"));
    assert.ok(
      h.warnings.some((w) => w.includes("line 2: expected six hex numbers")),
      h.warnings.join("\n"),
    );
  } finally {
    await h.cleanup();
  }
});
