// Hostile host trees: links out of the root, links to this machine's devices, FIFOs and
// directories where files are expected, and a bus with more devices than a child process
// has file descriptors. Each outcome is asserted as a user sees it (exit status, message);
// the bounds are the child's own limits (prlimit, spawnSync's timeout), never timings.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostRoot } from "../../src/features/hostroot.js";
import { readCpuidDevice } from "../../src/features/cpu/x86/device.js";
import { BIN, REPO, runCli } from "../helpers/cli.js";
import { makeTree, removeTree, type Entry } from "./tree.js";

const CPUINFO =
  "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n" +
  "flags\t\t: fpu sse sse2 ht lm\n\n";

/** kompat as a child process with a timeout: a hang fails the test instead of the run. */
function kompat(argv: string[], opts: { nofile?: number } = {}) {
  const [cmd, args] =
    opts.nofile === undefined
      ? [BIN, argv]
      : ["prlimit", [`--nofile=${opts.nofile}:${opts.nofile}`, BIN, ...argv]];
  const r = spawnSync(cmd, args, {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.signal, null, `killed (${r.signal}): ${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function withTree<T>(entries: Record<string, Entry>, fn: (root: string) => Promise<T>) {
  const root = await makeTree(entries);
  try {
    return await fn(root);
  } finally {
    await removeTree(root);
  }
}

test("dev/cpu -> /dev/cpu in a tree never reads this machine's CPUID device", async () => {
  await withTree({ "dev/cpu": { link: "/dev/cpu" } }, async (root) => {
    const r = await readCpuidDevice(new HostRoot({ root }));
    assert.ok("reason" in r, "this machine's CPU was read");
    assert.match(r.reason, /too many levels of symbolic links|ELOOP/);
  });
  await withTree({ "dev/cpu": { link: "../../.." } }, async (root) => {
    const r = await readCpuidDevice(new HostRoot({ root }));
    assert.deepEqual(r, { reason: `${root}/dev/cpu/0/cpuid: ENOENT` });
  });
});

test("a device link out of the tree is followed inside it, never outside", async () => {
  const outside = await mkdtemp(join(tmpdir(), "kompat-outside-"));
  // A recording outside the tree: read through the link it would say "not a device".
  await makeTree({ "0/cpuid": "not a recording" }, outside);
  try {
    await withTree({ "dev/cpu": { link: outside } }, async (root) => {
      const r = await readCpuidDevice(new HostRoot({ root }));
      assert.deepEqual(r, { reason: `${root}/dev/cpu/0/cpuid: ENOENT` });
    });
  } finally {
    await removeTree(outside);
  }
});

test("export of a tree with hostile cpu links: the tree's CPU, or an error naming the link", async () => {
  // `../../..`: the tree's root, no device there: cpuinfo decides (an Intel, whatever this is).
  await withTree(
    { "proc/cpuinfo": CPUINFO, "dev/cpu": { link: "../../.." }, "sys/devices/system/cpu/x": "" },
    async (root) => {
      const r = kompat(["export", "features", "--sources", "cpu", "--host-root", root]);
      assert.equal(r.code, 0, r.stderr);
      const f = JSON.parse(r.stdout) as {
        attributes: Record<string, { elements: Record<string, string> }>;
      };
      assert.equal(f.attributes["cpu.model"]?.elements.vendor_id, "Intel");
      assert.equal(f.attributes["cpu.model"]?.elements.id, "143");
    },
  );
  // A loop: the device path cannot be resolved, which is an error of the cpu source.
  await withTree({ "proc/cpuinfo": CPUINFO, "dev/cpu": { link: "/dev/cpu" } }, async (root) => {
    const r = kompat(["export", "features", "--sources", "cpu", "--host-root", root]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `kompat: export features: discovery: cpu: cannot read ${root}/dev/cpu/0/cpuid: ` +
        "too many levels of symbolic links; its features are left out\n",
    );
  });
});

test("links to /dev/zero and out of the root read as absent; a FIFO fails its source", async () => {
  const outside = await mkdtemp(join(tmpdir(), "kompat-outside-"));
  await writeFile(join(outside, "os-release"), 'ID="outside"\n');
  try {
    await withTree(
      {
        "proc/cpuinfo": { link: "/dev/zero" },
        "etc/os-release": { link: join(outside, "os-release") },
        "sys/block": { link: "../../../../../../../../.." },
      },
      async (root) => {
        const r = kompat([
          "export",
          "features",
          "--sources",
          "system,storage",
          "--host-root",
          root,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stdout, /outside/);
        const f = JSON.parse(r.stdout) as { attributes: Record<string, unknown> };
        assert.equal(f.attributes["system.osrelease"], undefined);
      },
    );
    await withTree({ "sys/x": "" }, async (root) => {
      execFileSync("mkdir", ["-p", join(root, "proc/sys/kernel")]);
      execFileSync("mkfifo", [join(root, "proc/sys/kernel/osrelease")]);
      const spec = join(root, "spec.yaml");
      await writeFile(spec, specFor("kernel.version", "major", "Gt", "3"));
      const r = kompat(["validate-node", "--spec", spec, "--host-root", root]);
      assert.equal(r.code, 2, r.stdout);
      assert.equal(
        r.stderr,
        `kompat: validate-node: discovery: kernel: cannot read ${root}/proc/sys/kernel/osrelease: ` +
          "not a regular file; its features are left out\n",
      );
    });
  } finally {
    await removeTree(outside);
  }
});

function specFor(feature: string, key: string, op: string, value: string): string {
  return (
    "version: v1alpha1\ncompatibilities:\n  - description: t\n    rules:\n      - name: r\n" +
    `        matchFeatures:\n          - feature: ${feature}\n            matchExpressions:\n` +
    `              ${key}: { op: ${op}, value: ["${value}"] }\n`
  );
}

const GPU_SPEC = specFor("pci.device", "vendor", "In", "10de");

/** A bus of `n` devices, the last one a GPU. */
function pciBus(n: number): Record<string, Entry> {
  const entries: Record<string, Entry> = {};
  for (let i = 0; i < n; i++) {
    const addr = `0000:${(i >> 5).toString(16).padStart(2, "0")}:${(i & 31).toString(16).padStart(2, "0")}.0`;
    const dir = `sys/devices/pci0000:00/${addr}`;
    const gpu = i === n - 1;
    entries[`${dir}/class`] = gpu ? "0x030200\n" : "0x020000\n";
    entries[`${dir}/vendor`] = gpu ? "0x10de\n" : "0x8086\n";
    entries[`${dir}/device`] = "0x1592\n";
    entries[`${dir}/subsystem_vendor`] = "0x8086\n";
    entries[`${dir}/subsystem_device`] = "0x0001\n";
    entries[`sys/bus/pci/devices/${addr}`] = { link: `../../../devices/pci0000:00/${addr}` };
  }
  return entries;
}

test("300 PCI devices with 64 open files allowed: all 300 reported, the GPU found", async () => {
  await withTree(pciBus(300), async (root) => {
    const r = kompat(["export", "features", "--sources", "pci", "--host-root", root], {
      nofile: 64,
    });
    assert.equal(r.code, 0, r.stderr);
    const f = JSON.parse(r.stdout) as { instances: Record<string, { elements: unknown[] }> };
    assert.equal(f.instances["pci.device"]?.elements.length, 300);

    const spec = join(root, "gpu.yaml");
    await writeFile(spec, GPU_SPEC);
    const v = kompat(["validate-node", "--spec", spec, "--host-root", root], { nofile: 64 });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});

test("a directory where a PCI attribute is expected: exit 2 naming the source, no verdict", async () => {
  const entries = pciBus(3);
  const victim = "sys/devices/pci0000:00/0000:00:01.0/vendor";
  delete entries[victim];
  entries[victim] = { dir: true };
  await withTree(entries, async (root) => {
    const spec = join(root, "gpu.yaml");
    await writeFile(spec, GPU_SPEC);
    const r = await runCli(["validate-node", "--spec", spec, "--host-root", root]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `kompat: validate-node: discovery: pci: cannot read ${root}/${victim}: ` +
        "is a directory; its features are left out\n",
    );
  });
});

test("a host root or prefix with neither proc nor sys is an error, not a verdict", async () => {
  const spec = join(await mkdtemp(join(tmpdir(), "kompat-spec-")), "gpu.yaml");
  await writeFile(spec, GPU_SPEC);
  try {
    const prefix = kompat(["validate-node", "--spec", spec, "--host-prefix", "/nonexistent-"]);
    assert.equal(prefix.code, 2, prefix.stdout);
    assert.equal(
      prefix.stderr,
      "kompat: validate-node: --host-prefix /nonexistent-: neither /nonexistent-proc nor " +
        "/nonexistent-sys is a directory: not a host tree (is a host mount missing?)\n",
    );
    // An empty directory, and one whose proc and sys lead out of it.
    await withTree(
      { etc: { dir: true }, proc: { link: "/proc" }, sys: { link: "../../../../sys" } },
      async (root) => {
        const r = await runCli(["validate-node", "--spec", spec, "--host-root", root]);
        assert.equal(r.code, 2, r.stdout);
        assert.equal(
          r.stderr,
          `kompat: validate-node: --host-root ${root}: neither ${root}/proc nor ${root}/sys ` +
            "is a directory: not a host tree (is a host mount missing?)\n",
        );
      },
    );
  } finally {
    await removeTree(join(spec, ".."));
  }
});

test("--host-prefix: -v names the prefixed paths it looked for", async () => {
  const base = await mkdtemp(join(tmpdir(), "kompat-prefix-"));
  const prefix = `${base}/hp-`;
  await makeTree({ "hp-sys/x": "", "hp-proc/x": "" }, base);
  try {
    const r = await runCli(
      ["export", "features", "--sources", "cpu,kernel", "--host-prefix", prefix, "-v"],
      { env: {} },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`cpu\\.pstate: ${prefix}sys/devices/system/cpu not found`));
    assert.match(
      r.stderr,
      new RegExp(`kernel\\.selinux: cannot read ${prefix}sys/fs: no such file`),
    );
    assert.doesNotMatch(r.stderr, / \/sys\/devices\/system\/cpu not found/);
  } finally {
    await removeTree(base);
  }
});

test("a FIFO where the tree's architecture is read: exit 2, not an internal error", async () => {
  await withTree({ "proc/sys/kernel": { dir: true }, sys: { dir: true } }, async (root) => {
    execFileSync("mkfifo", [join(root, "proc/sys/kernel/arch")]);
    const r = await runCli(["export", "features", "--sources", "system", "--host-root", root]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(
      r.stderr,
      "kompat: export features: discovery: host: cannot tell the host's architecture: " +
        `${root}/proc/sys/kernel/arch: not a regular file\n`,
    );
  });
});
