import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { endianness } from "node:os";
import {
  discover,
  resolveSources,
  runSources,
  SOURCE_NAMES,
  UnknownSourceError,
} from "../../src/features/discover.js";
import { HostRoot } from "../../src/features/hostroot.js";
import { emptyFeatures } from "../../src/features/nodefeatures.js";
import { hostArch, ociArchFromCpuinfo, ociArchFromMachine } from "../../src/features/arch.js";
import { goArch } from "../../src/lib/go/arch.js";
import { makeTree, removeTree, plain } from "./tree.js";

test("resolveSources: all by default, names, all, -name", () => {
  assert.deepEqual(resolveSources(undefined), [...SOURCE_NAMES]);
  assert.deepEqual(resolveSources(["pci", "kernel"]), ["kernel", "pci"]);
  assert.deepEqual(resolveSources(["all", "-cpu", "-local"]), [
    "kernel",
    "memory",
    "network",
    "pci",
    "usb",
    "storage",
    "system",
  ]);
  assert.deepEqual(
    resolveSources(["-usb"]),
    SOURCE_NAMES.filter((s) => s !== "usb"),
  );
  assert.deepEqual(resolveSources([]), []);
});

test("an unknown source name is an error listing the valid ones", async () => {
  assert.throws(
    () => resolveSources(["pci", "gpu"]),
    (e: unknown) => {
      assert.ok(e instanceof UnknownSourceError);
      assert.equal(
        e.message,
        'unknown feature source "gpu" (valid: cpu, kernel, memory, network, pci, usb, storage, system, local, all)',
      );
      return true;
    },
  );
  await assert.rejects(
    discover({ host: new HostRoot(), env: {}, sources: ["-nope"] }),
    UnknownSourceError,
  );
});

test("an empty host tree: always-present features exist, the rest is absent, problems say why", async () => {
  const root = await makeTree({});
  try {
    const { features, problems } = await discover({
      host: new HostRoot({ root }),
      env: {},
      arch: "amd64",
      sources: ["memory", "network", "local", "system", "pci"],
    });
    assert.deepEqual(Object.keys(features.instances).sort(), [
      "memory.nv",
      "network.device",
      "network.virtual",
    ]);
    assert.deepEqual(Object.keys(features.attributes).sort(), [
      "local.feature",
      "local.label",
      // No hugepages directory at all: NFD still says enabled=false.
      "memory.hugepages",
      "system.name",
    ]);
    assert.deepEqual(Object.keys(features.flags), []);
    const bySource = new Set(problems.map((p) => p.source));
    assert.deepEqual([...bySource].sort(), ["memory", "network", "pci", "system"]);
  } finally {
    await removeTree(root);
  }
});

test("cpu's always-present features are created when the cpu source leaves them out", async () => {
  const stub = { name: "cpu" as const, discover: async () => emptyFeatures() };
  const base = { host: new HostRoot(), env: {} };
  const amd = await runSources([stub], { ...base, arch: "amd64" }, 1000);
  assert.deepEqual(Object.keys(amd.features.attributes).sort(), [
    "cpu.coprocessor",
    "cpu.cpuid",
    "cpu.pstate",
    "cpu.rdt",
    "cpu.security",
    "cpu.sst",
    "cpu.topology",
  ]);
  const arm = await runSources([stub], { ...base, arch: "arm64" }, 1000);
  assert.equal(arm.features.attributes["cpu.cpuid"], undefined);
});

test("a source that throws is dropped with a problem; the others still report", async () => {
  const bad = {
    name: "kernel" as const,
    discover: async () => {
      throw new Error("boom");
    },
  };
  const good = {
    name: "system" as const,
    discover: async () => {
      const f = emptyFeatures();
      f.attributes["system.name"] = { elements: { nodename: "n" } };
      return f;
    },
  };
  const r = await runSources([bad, good], { host: new HostRoot(), env: {}, arch: "amd64" }, 1000);
  assert.deepEqual(plain(r.features.attributes), {
    "system.name": { elements: { nodename: "n" } },
  });
  assert.deepEqual(r.problems, [{ source: "kernel", message: "failed: boom", fatal: true }]);
});

test("a source that never finishes is dropped after the timeout; the others report", async () => {
  const stuck = { name: "usb" as const, discover: () => new Promise<never>(() => undefined) };
  const late = {
    name: "storage" as const,
    discover: async (ctx: { warn: (m: string) => void }) => {
      ctx.warn("early warning");
      return emptyFeatures();
    },
  };
  const r = await runSources([stuck, late], { host: new HostRoot(), env: {}, arch: "amd64" }, 200);
  assert.deepEqual(r.problems, [
    {
      source: "usb",
      message: "gave up after 200 ms (a file did not answer); its features are left out",
      fatal: true,
    },
    { source: "storage", message: "early warning" },
  ]);
});

test("a FIFO planted in a host tree does not block discovery: its source fails", async () => {
  const root = await makeTree({ "etc/hostname": "fifo-test\n" });
  const fifo = join(root, "etc/os-release");
  execFileSync("mkfifo", [fifo]);
  try {
    const r = await discover({
      host: new HostRoot({ root }),
      env: {},
      arch: "amd64",
      sources: ["system"],
      timeoutMs: 5000,
    });
    // Not an empty os-release (a silently smaller set): the source could not read it.
    assert.equal(r.features.attributes["system.osrelease"], undefined);
    assert.deepEqual(r.problems, [
      {
        source: "system",
        message: `cannot read ${fifo}: not a regular file; its features are left out`,
        fatal: true,
      },
    ]);
  } finally {
    await removeTree(root);
  }
});

test("architecture names", () => {
  assert.equal(ociArchFromMachine("x86_64\n"), "amd64");
  assert.equal(ociArchFromMachine("aarch64"), "arm64");
  assert.equal(ociArchFromMachine("armv7l"), "arm");
  assert.equal(ociArchFromMachine("s390x"), "s390x");
  assert.equal(ociArchFromMachine("vax"), undefined);
  assert.equal(
    ociArchFromCpuinfo("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 lm avx\n"),
    "amd64",
  );
  assert.equal(
    ociArchFromCpuinfo(
      "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\nCPU architecture: 8\n",
    ),
    "arm64",
  );
  assert.equal(ociArchFromCpuinfo("vendor_id       : IBM/S390\n"), "s390x");
  assert.equal(ociArchFromCpuinfo("processor\t: 0\ncpu\t\t: POWER9 (architected)\n"), "ppc64le");
});

test("under --host-root the architecture comes from the tree", async () => {
  const arm = await makeTree({ "proc/sys/kernel/arch": "aarch64\n" });
  const x86 = await makeTree({ "proc/cpuinfo": "vendor_id\t: AuthenticAMD\nflags\t\t: fpu lm\n" });
  try {
    assert.equal(await hostArch(new HostRoot({ root: arm })), "arm64");
    assert.equal(await hostArch(new HostRoot({ root: x86 })), "amd64");
    assert.equal(await hostArch(new HostRoot()), goArch(process.arch, endianness() === "LE"));
  } finally {
    await removeTree(arm);
    await removeTree(x86);
  }
});

test("a source's problems come sorted, whatever order its reads finished in", async () => {
  const racy = {
    name: "cpu" as const,
    discover: async (ctx: { warn: (m: string) => void }) => {
      ctx.warn("cpu.sst: z");
      ctx.warn("cpu.model: a");
      return emptyFeatures();
    },
  };
  const r = await runSources([racy], { host: new HostRoot(), env: {}, arch: "amd64" }, 1000);
  assert.deepEqual(
    r.problems.map((p) => p.message),
    ["cpu.model: a", "cpu.sst: z"],
  );
});
