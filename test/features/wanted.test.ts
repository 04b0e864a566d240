// discover({ features }): only the features asked for come back, and the files only the
// others need are not read (the trace of the host root tells which were).

import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { HostRoot, type HostTrace } from "../../src/features/hostroot.js";
import { discover, runSources } from "../../src/features/discover.js";
import { emptyFeatures } from "../../src/features/nodefeatures.js";
import { makeTree, removeTree } from "./tree.js";

const REL = "6.8.0-45-generic";
const TREE = {
  "proc/sys/kernel/osrelease": `${REL}\n`,
  "proc/config.gz": gzipSync("CONFIG_KVM=m\nCONFIG_NUMA=y\n"),
  "proc/modules": "kvm 1 0 - Live 0x0\n",
  [`lib/modules/${REL}/modules.builtin`]: "kernel/fs/ext4/ext4.ko\n",
  "proc/cpuinfo":
    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nflags\t\t: fpu sse sse2\n\n",
  "sys/bus/cpu/devices": { dir: true as const },
  "etc/os-release": 'ID=debian\nVERSION_ID="12"\n',
  "sys/devices/virtual/dmi/id/sys_vendor": "QEMU\n",
  "sys/bus/pci/devices": { dir: true as const },
};

async function traced(features: string[] | undefined, sources?: string[]) {
  const root = await makeTree(TREE);
  try {
    const trace: HostTrace = new Map();
    const host = new HostRoot({ root, trace });
    const found = await discover({
      host,
      env: {},
      arch: "amd64",
      ...(features ? { features } : {}),
      ...(sources ? { sources } : {}),
    });
    const read = [...trace].filter(([, e]) => e.read !== undefined).map(([p]) => p);
    const names = [
      ...Object.keys(found.features.flags),
      ...Object.keys(found.features.attributes),
      ...Object.keys(found.features.instances),
    ].sort();
    return { names, read, found };
  } finally {
    await removeTree(root);
  }
}

test("only the wanted features come back; case of the names does not matter", async () => {
  const { names } = await traced(["Kernel.Version", "system.osrelease", "rule.matched"]);
  assert.deepEqual(names, ["kernel.version", "system.osrelease"]);
});

test("kernel.config is inflated only when asked for", async () => {
  const without = await traced(["kernel.version", "kernel.loadedmodule"]);
  assert.ok(!without.read.includes("/proc/config.gz"), without.read.join(" "));
  assert.ok(!without.read.includes(`/lib/modules/${REL}/modules.builtin`));
  assert.ok(without.read.includes("/proc/modules"));
  assert.deepEqual(without.names, ["kernel.loadedmodule", "kernel.version"]);

  const withConfig = await traced(["kernel.config"]);
  assert.ok(withConfig.read.includes("/proc/config.gz"));
  assert.equal(withConfig.found.features.attributes["kernel.config"]?.elements.KVM, "m");
  assert.deepEqual(withConfig.names, ["kernel.config"]);
});

test("kernel.enabledmodule still reads the loaded modules it is made of", async () => {
  const { found, read } = await traced(["kernel.enabledmodule"]);
  assert.ok(read.includes("/proc/modules"));
  const enabled = Object.keys(found.features.flags["kernel.enabledmodule"]?.elements ?? {});
  assert.deepEqual(enabled.sort(), ["ext4", "kvm"]);
  assert.equal(found.features.flags["kernel.loadedmodule"], undefined);
});

test("cpu sub-features that need no cpuinfo do not read it; dmiid only when asked", async () => {
  const topo = await traced(["cpu.topology"]);
  assert.ok(!topo.read.includes("/proc/cpuinfo"), topo.read.join(" "));
  assert.deepEqual(topo.names, ["cpu.topology"]);

  const cpuid = await traced(["cpu.cpuid"]);
  assert.ok(cpuid.read.includes("/proc/cpuinfo"));
  assert.ok(Object.hasOwn(cpuid.found.features.flags["cpu.cpuid"]?.elements ?? {}, "SSE2"));

  const os = await traced(["system.osrelease"]);
  assert.ok(!os.read.some((p) => p.startsWith("/sys/devices/virtual/dmi")), os.read.join(" "));
  const dmi = await traced(["system.dmiid"]);
  assert.equal(dmi.found.features.attributes["system.dmiid"]?.elements.sys_vendor, "QEMU");
});

test("sources outside the wanted features do not run, and --sources still narrows", async () => {
  const { read } = await traced(["pci.device"]);
  assert.deepEqual(read, []);
  const narrowed = await traced(["kernel.version", "system.osrelease"], ["system"]);
  assert.deepEqual(narrowed.names, ["system.osrelease"]);
});

test("all features without a wanted list, as export features does", async () => {
  const { names, read } = await traced(undefined);
  for (const n of ["kernel.config", "kernel.enabledmodule", "system.dmiid", "cpu.model"])
    assert.ok(names.includes(n), n);
  assert.ok(read.includes("/proc/config.gz"));
});

test("always-present features are created only when wanted", async () => {
  const stub = { name: "cpu" as const, discover: async () => emptyFeatures() };
  const base = { host: new HostRoot(), env: {}, arch: "amd64" };
  const r = await runSources([stub], { ...base, wanted: new Set(["cpu.sst"]) }, 1000);
  assert.deepEqual(Object.keys(r.features.attributes), ["cpu.sst"]);
});
