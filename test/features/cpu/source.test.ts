import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { cpuSource } from "../../../src/features/cpu/index.js";
import { arm64Flags } from "../../../src/features/cpu/arm64.js";
import { parseCpuinfo, cpuinfoWords } from "../../../src/features/cpu/cpuinfo.js";
import { cpuidFromCpuinfo } from "../../../src/features/cpu/x86/table.js";
import { decodeCpuid } from "../../../src/features/cpu/x86/decode.js";
import { currentCpu, readCpuidDevice } from "../../../src/features/cpu/x86/device.js";
import { x86IdentityFromCpuinfo, xcr0Estimate } from "../../../src/features/cpu/facts.js";
import { HostRoot } from "../../../src/features/hostroot.js";
import { fixture, makeHost, type Entry } from "./tree.js";

async function discover(entries: Record<string, Entry>, arch = "amd64") {
  const h = await makeHost(entries);
  try {
    return { f: await cpuSource.discover(h.ctx(arch)), warnings: h.warnings };
  } finally {
    await h.cleanup();
  }
}

async function allowed(): Promise<Set<string>> {
  const names = (await fixture("cpuid-names.txt")).split("\n").filter((l) => l.trim() !== "");
  return new Set([...names, "X86_64_V1", "X86_64_V2", "X86_64_V3", "X86_64_V4"]);
}

const ALWAYS = ["pstate", "rdt", "security", "sst", "topology", "coprocessor"];

test("amd64: the features NFD always creates exist, cpuid attributes included", async () => {
  const { f } = await discover({ "/proc/cpuinfo": await fixture("cpuinfo-intel-xeon-8480.txt") });
  for (const name of [...ALWAYS, "model", "cpuid"]) {
    assert.ok(f.attributes[`cpu.${name}`], `cpu.${name} missing`);
  }
  assert.deepEqual({ ...f.attributes["cpu.cpuid"]?.elements }, {}, "no AVX10 on SPR");
  const flags = Object.keys(f.flags["cpu.cpuid"]?.elements ?? {});
  const ok = await allowed();
  for (const n of flags) assert.ok(ok.has(n), `${n} is not an NFD cpuid name`);
  for (const n of ["AVX512FP16", "AMXTILE", "AMXFP8", "X86_64_V4", "HTT"]) {
    assert.ok(flags.includes(n), `missing ${n}`);
  }
  assert.ok(!flags.includes("HYPERVISOR"));
});

test("amd64 levels from real CPUs", async () => {
  const levels = async (file: string): Promise<string[]> => {
    const { f } = await discover({ "/proc/cpuinfo": await fixture(file) });
    return Object.keys(f.flags["cpu.cpuid"]?.elements ?? {}).filter((n) => n.startsWith("X86_64"));
  };
  assert.deepEqual(await levels("cpuinfo-amd-epyc-7763.txt"), [
    "X86_64_V1",
    "X86_64_V2",
    "X86_64_V3",
  ]);
  assert.equal((await levels("cpuinfo-firecracker-amd-zen5.txt")).length, 4);
  assert.equal((await levels("cpuinfo-intel-xeon-6338n.txt")).length, 4);
});

test("arm64: NFD's hwcap names, unknown words dropped, no cpuid attributes", async () => {
  const text = (await fixture("cpuinfo-arm64-graviton3.txt")).replace(
    / rng$/gm,
    " rng cssc sve2p1",
  );
  const { f } = await discover({ "/proc/cpuinfo": text }, "arm64");
  const flags = Object.keys(f.flags["cpu.cpuid"]?.elements ?? {});
  for (const n of ["FP", "ASIMD", "SVE", "ASIMDFHM", "PACA", "I8MM", "BF16", "RNG", "CPUID"]) {
    assert.ok(flags.includes(n), `missing ${n}`);
  }
  assert.ok(!flags.includes("CSSC") && !flags.includes("SVE2P1"), "outside NFD's table");
  assert.ok(flags.every((n) => n === n.toUpperCase()));
  assert.equal(f.attributes["cpu.cpuid"], undefined);
  for (const name of [...ALWAYS, "cstate"])
    assert.deepEqual({ ...f.attributes[`cpu.${name}`]?.elements }, {});
  const g2 = arm64Flags(parseCpuinfo(await fixture("cpuinfo-arm64-graviton2.txt")));
  assert.deepEqual(g2?.sort(), [
    "AES",
    "ASIMD",
    "ASIMDDP",
    "ASIMDHP",
    "ASIMDRDM",
    "ATOMICS",
    "CPUID",
    "CRC32",
    "DCPOP",
    "EVTSTRM",
    "FP",
    "FPHP",
    "LRCPC",
    "PMULL",
    "SHA1",
    "SHA2",
    "SSBS",
  ]);
});

test("malformed and missing files never abort discovery", async () => {
  const { f, warnings } = await discover({
    "/proc/cpuinfo": "garbage without colons\n\x00\x01\nflags\n",
    "/sys/devices/system/cpu/intel_pstate/status": "active\n",
    "/sys/devices/system/cpu/intel_pstate/no_turbo": "",
    "/sys/bus/cpu/devices/cpu0": { link: "../../../devices/system/cpu/cpu0" },
    "/sys/devices/system/cpu/cpu0/cpufreq/base_frequency": "fast\n",
    "/sys/fs/cgroup/misc.capacity": "sev\n",
    "/sys/module/kvm_amd/parameters/sev": "Y\n",
  });
  assert.deepEqual(Object.keys(f.flags["cpu.cpuid"]?.elements ?? {}), []);
  assert.deepEqual({ ...f.attributes["cpu.pstate"]?.elements }, { status: "active" });
  assert.deepEqual({ ...f.attributes["cpu.security"]?.elements }, { "sev.enabled": "true" });
  assert.ok(
    warnings.some((w) => w.includes("base_frequency") && w.includes("fast")),
    warnings.join("\n"),
  );
  assert.ok(warnings.some((w) => w.includes("no_turbo")));
});

test("a regular file where the CPUID device should be is not used", async () => {
  const h = await makeHost({ "/dev/cpu/0/cpuid": "not a device" });
  try {
    const r = await readCpuidDevice(h.host);
    assert.ok("reason" in r, JSON.stringify(r));
    assert.match(r.reason, /is a file, not the cpuid device nor a CPUID recording \(line 1: /);
  } finally {
    await h.cleanup();
  }
});

test("a link to this machine's /dev/null resolves inside the tree: nothing there", async () => {
  const h = await makeHost({ "/dev/cpu/0/cpuid": { link: "/dev/null" } });
  try {
    const r = await readCpuidDevice(h.host);
    assert.deepEqual(r, { reason: `${h.root}/dev/cpu/0/cpuid: ENOENT` });
  } finally {
    await h.cleanup();
  }
});

test("another character device in the tree (a null device) is not read", async (t) => {
  const h = await makeHost({ "/dev/cpu/0": { dir: true } });
  try {
    try {
      execFileSync("mknod", [`${h.root}/dev/cpu/0/cpuid`, "c", "1", "3"], { stdio: "ignore" });
    } catch {
      t.skip("mknod needs CAP_MKNOD");
      return;
    }
    const r = await readCpuidDevice(h.host);
    assert.ok("reason" in r && r.reason.includes("not the cpuid device"), JSON.stringify(r));
  } finally {
    await h.cleanup();
  }
});

/** The CPUs this process may run on (Cpus_allowed_list: `0-3,8`). */
function allowedCpus(): number[] {
  const status = readFileSync("/proc/self/status", "utf8");
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? "0";
  return list.split(",").flatMap((r) => {
    const [a, b] = r.split("-").map(Number) as [number, number | undefined];
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

test("currentCpu names the CPU the process is pinned to", (t) => {
  const cpus = allowedCpus();
  const url = new URL("../../../src/features/cpu/x86/device.js", import.meta.url).href;
  const script = `import(${JSON.stringify(url)}).then((m) => process.stdout.write(String(m.currentCpu())))`;
  const seen = new Set<string>();
  for (const cpu of cpus) {
    const r = spawnSync("taskset", ["-c", String(cpu), process.execPath, "-e", script], {
      encoding: "utf8",
    });
    if (r.error) return t.skip("taskset is not installed");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, String(cpu));
    seen.add(r.stdout);
  }
  assert.equal(seen.size, cpus.length);
  assert.ok(cpus.includes(currentCpu()));
});

// On this machine: read at test time, skipped where it does not apply.
const live = { skip: process.arch !== "x64" };

test("this machine: cpu.cpuid agrees with /proc/cpuinfo through the table", live, async (t) => {
  let text: string;
  try {
    text = await readFile("/proc/cpuinfo", "utf8");
  } catch {
    t.skip("no /proc/cpuinfo");
    return;
  }
  const { f } = await discover({ "/proc/cpuinfo": text });
  const got = new Set(Object.keys(f.flags["cpu.cpuid"]?.elements ?? {}));
  const info = parseCpuinfo(text);
  const flags = cpuinfoWords(info, "flags") ?? new Set<string>();
  const id = x86IdentityFromCpuinfo(info);
  assert.ok(id, "x86 cpuinfo has vendor, family and model");
  const expected = cpuidFromCpuinfo({ flags, ...id, threadsPerCore: undefined, hybrid: false });
  // HTT is the one name that depends on sysfs (absent in this tree): compare without it.
  got.delete("HTT");
  expected.delete("HTT");
  for (const n of expected) assert.ok(got.has(n), `${n} expected from cpuinfo`);
  const ok = await allowed();
  for (const n of got) {
    assert.ok(ok.has(n), `${n} is not a klauspost name`);
    if (!n.startsWith("X86_64_")) assert.ok(expected.has(n), `${n} not derived from cpuinfo`);
  }
  for (const [linux, name] of [
    ["sse4_2", "SSE42"],
    ["pclmulqdq", "CLMUL"],
    ["aes", "AESNI"],
    ["hypervisor", "HYPERVISOR"],
  ]) {
    assert.equal(got.has(name as string), flags.has(linux as string), `${linux} → ${name}`);
  }
});

test(
  "this machine: CPUID via /dev/cpu/0/cpuid agrees with cpuinfo on identity",
  live,
  async (t) => {
    const dev = await stat("/dev/cpu/0/cpuid").catch(() => undefined);
    const r = dev ? await readCpuidDevice(new HostRoot()) : undefined;
    if (r === undefined || !("leaves" in r)) {
      t.skip("CPUID device not readable here");
      return;
    }
    const info = parseCpuinfo(await readFile("/proc/cpuinfo", "utf8"));
    const decoded = decodeCpuid(r.leaves, xcr0Estimate(info, r.leaves));
    const id = x86IdentityFromCpuinfo(info);
    assert.deepEqual({ vendor: decoded.vendor, family: decoded.family, model: decoded.model }, id);
    const flags = cpuinfoWords(info, "flags") ?? new Set<string>();
    assert.equal(decoded.features.has("HYPERVISOR"), flags.has("hypervisor"));
    assert.equal(decoded.features.has("AVX2"), flags.has("avx2"));
    assert.equal(decoded.features.has("AVX512F"), flags.has("avx512f"));
  },
);

test("a cpuinfo of many CPUs (over 1 MiB) is read whole", async () => {
  const block = (await fixture("cpuinfo-intel-xeon-8480.txt")).split("\n\n")[0] ?? "";
  const text = Array.from({ length: 900 }, () => block).join("\n\n");
  assert.ok(text.length > 1 << 20);
  const { f, warnings } = await discover({ "/proc/cpuinfo": text });
  assert.equal(f.attributes["cpu.model"]?.elements.vendor_id, "Intel");
  assert.ok(Object.keys(f.flags["cpu.cpuid"]?.elements ?? {}).includes("AVX512F"));
  assert.ok(!warnings.some((w) => w.includes("larger than")), warnings.join("\n"));
});
