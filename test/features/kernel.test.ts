import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { kernelSource } from "../../src/features/kernel/index.js";
import { parseKernelVersion } from "../../src/features/kernel/version.js";
import { parseKconfig, kconfigSearchPaths } from "../../src/features/kernel/config.js";
import { parseModulesBuiltin, parseProcModules } from "../../src/features/kernel/modules.js";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeTree, onTree, plain, removeTree, runSource } from "./tree.js";
import { runCli } from "../helpers/cli.js";

const REL = "6.8.0-45-generic";
const base = { "proc/sys/kernel/osrelease": `${REL}\n`, "sys/fs": { dir: true as const } };

test("kernel.version: NFD's sanitising and parts", () => {
  const cases: Array<[string, Record<string, string>]> = [
    [REL, { full: REL, major: "6", minor: "8", revision: "0" }],
    [
      "5.14.0-427.13.1.el9_4.x86_64",
      { full: "5.14.0-427.13.1.el9_4.x86_64", major: "5", minor: "14", revision: "0" },
    ],
    ["6.1", { full: "6.1", major: "6", minor: "1", revision: "" }],
    ["6", { full: "6", major: "6", minor: "", revision: "" }],
    ["6.18.44-fc-v657", { full: "6.18.44-fc-v657", major: "6", minor: "18", revision: "44" }],
    // '+' and '~' are not label-safe: replaced by '_', then '-_.' trimmed from both ends;
    // the parts need a '-' after the numbers.
    ["5.10.0+rt~1+", { full: "5.10.0_rt_1" }],
    ["5.10.0-rt~1", { full: "5.10.0-rt_1", major: "5", minor: "10", revision: "0" }],
    ["4.19.0_custom", { full: "4.19.0_custom" }],
    ["v5.4", { full: "v5.4" }],
    ["-6.2.1.", { full: "6.2.1", major: "6", minor: "2", revision: "1" }],
    ["6.2 ünïcode", { full: "6.2__n_code" }],
  ];
  for (const [raw, want] of cases) assert.deepEqual(plain(parseKernelVersion(raw)), want, raw);
});

test("kernel.config: values as written, quotes stripped, unset options absent", () => {
  const text = [
    "#",
    "# Automatically generated file; DO NOT EDIT.",
    'CONFIG_CC_VERSION_TEXT="gcc (GCC) 13.2.0"',
    "CONFIG_KVM=m",
    "CONFIG_PREEMPT_DYNAMIC=y",
    "CONFIG_LOG_BUF_SHIFT=18",
    "# CONFIG_NO_HZ_FULL is not set",
    'CONFIG_EMPTY=""',
    "CONFIG_NOEQUALS",
    "CONFIG_EQ=a=b",
    " CONFIG_INDENTED=y",
  ].join("\n");
  assert.deepEqual(plain(parseKconfig(text)), {
    CC_VERSION_TEXT: "gcc (GCC) 13.2.0",
    KVM: "m",
    PREEMPT_DYNAMIC: "y",
    LOG_BUF_SHIFT: "18",
    EMPTY: "",
    EQ: "a=b",
  });
});

test("kernel.config: search order follows NFD (config.gz first, /boot last)", () => {
  const paths = kconfigSearchPaths(REL);
  assert.equal(paths[0], "/proc/config.gz");
  assert.equal(paths.at(-1), `/boot/config-${REL}`);
  assert.ok(paths.includes(`/usr/lib/modules/${REL}/config`));
  assert.ok(paths.includes(`/lib/modules/${REL}/build/.config`));
  assert.deepEqual(kconfigSearchPaths(undefined), ["/proc/config.gz", "/usr/src/linux/.config"]);
});

test("kernel.config: read from /proc/config.gz (gzip)", async () => {
  const r = await onTree(kernelSource, {
    ...base,
    "proc/config.gz": gzipSync("CONFIG_HZ=250\nCONFIG_X=y\n"),
    [`boot/config-${REL}`]: "CONFIG_HZ=1000\n",
  });
  assert.deepEqual(plain(r.features.attributes["kernel.config"]?.elements), { HZ: "250", X: "y" });
});

test("kernel.config: a corrupt config.gz falls through to /boot/config-<release>", async () => {
  const r = await onTree(kernelSource, {
    ...base,
    "proc/config.gz": "not gzip at all",
    [`boot/config-${REL}`]: 'CONFIG_HZ=1000\nCONFIG_LOCALVERSION="-generic"\n',
  });
  assert.deepEqual(plain(r.features.attributes["kernel.config"]?.elements), {
    HZ: "1000",
    LOCALVERSION: "-generic",
  });
});

test("kernel.config: absent with a problem naming the searched files", async () => {
  const root = await makeTree(base);
  try {
    const r = await runSource(kernelSource, root);
    assert.equal(r.features.attributes["kernel.config"], undefined);
    const p = r.problems.find((x) => x.message.startsWith("kernel.config"));
    assert.ok(p, JSON.stringify(r.problems));
    assert.equal(
      p.message,
      `kernel.config: none of the 11 files NFD searches exists (${root}/proc/config.gz … ` +
        `${root}/boot/config-<release>, release "${REL}")`,
    );
  } finally {
    await removeTree(root);
  }
});

test("kernel.config: a gzip bomb is refused in kompat's words, bounded, once", async () => {
  // 64 MiB of zeros in 64 KiB: inflation stops at the 16 MiB limit.
  const bomb = gzipSync(Buffer.alloc(64 << 20));
  const root = await makeTree({ ...base, "proc/config.gz": bomb });
  try {
    const r = await runSource(kernelSource, root);
    assert.equal(r.features.attributes["kernel.config"], undefined);
    assert.deepEqual(
      r.problems.filter((x) => x.fatal === true),
      [
        {
          source: "kernel",
          message: `failed: no usable kernel config: ${root}/proc/config.gz: inflates past 16 MiB (the limit)`,
          fatal: true,
        },
      ],
    );
    // With another config to use, NFD's search goes on to it.
    await makeTree({ [`boot/config-${REL}`]: "CONFIG_HZ=1000\n" }, root);
    const next = await runSource(kernelSource, root);
    assert.deepEqual(plain(next.features.attributes["kernel.config"]?.elements), { HZ: "1000" });
  } finally {
    await removeTree(root);
  }
});

test("a 3,000-character kernel release is said once, briefly, in one -v line", async () => {
  const release = `6.8.0-${"x".repeat(2994)}`;
  const root = await makeTree({ ...base, "proc/sys/kernel/osrelease": `${release}\n` });
  try {
    const spec = join(root, "spec.yaml");
    await writeFile(
      spec,
      "version: v1alpha1\ncompatibilities:\n  - description: t\n    rules:\n      - name: r\n" +
        "        matchFeatures:\n          - feature: kernel.config\n" +
        "            matchExpressions:\n              HZ: { op: Exists }\n",
    );
    const r = await runCli(["validate-node", "--spec", spec, "--host-root", root, "-v"]);
    assert.equal(r.code, 1, r.stderr);
    const line = r.stderr.split("\n").find((l) => l.includes("kernel.config"));
    assert.ok(line, r.stderr);
    assert.equal(line.split("6.8.0-xxx").length - 1, 1, line);
    assert.ok(line.length < 400 + root.length * 2, `${line.length} characters`);
    assert.match(line, /\(3000 characters\)/);
  } finally {
    await removeTree(root);
  }
});

test("kernel modules: loaded and builtin parsing", () => {
  assert.deepEqual(
    parseProcModules("kvm_intel 409600 0 - Live 0x0\nkvm 1142784 1 kvm_intel, Live 0x0\n\n"),
    ["kvm_intel", "kvm"],
  );
  assert.deepEqual(
    parseModulesBuiltin(
      "kernel/fs/ext4/ext4.ko\nkernel/drivers/md/dm-mod.ko\n\nnot-a-module.txt\n  kernel/x/y.ko  \n",
    ),
    ["ext4", "dm-mod", "y"],
  );
});

test("kernel.loadedmodule and enabledmodule (loaded + builtin)", async () => {
  const r = await onTree(kernelSource, {
    ...base,
    "proc/modules": "vfio_pci 16384 0 - Live 0x0\nkvm 1142784 1 - Live 0x0\n",
    [`lib/modules/${REL}/modules.builtin`]: "kernel/fs/ext4/ext4.ko\nkernel/drivers/md/dm-mod.ko\n",
  });
  assert.deepEqual(Object.keys(r.features.flags["kernel.loadedmodule"]?.elements ?? {}).sort(), [
    "kvm",
    "vfio_pci",
  ]);
  assert.deepEqual(Object.keys(r.features.flags["kernel.enabledmodule"]?.elements ?? {}).sort(), [
    "dm-mod",
    "ext4",
    "kvm",
    "vfio_pci",
  ]);
});

test("kernel.enabledmodule absent when modules.builtin is unreadable; loadedmodule absent without /proc/modules", async () => {
  const r = await onTree(kernelSource, { ...base, "proc/modules": "kvm 1 0 - Live 0x0\n" });
  assert.ok(r.features.flags["kernel.loadedmodule"]);
  assert.equal(r.features.flags["kernel.enabledmodule"], undefined);
  assert.ok(r.problems.some((p) => p.message.includes(`/lib/modules/${REL}/modules.builtin`)));

  const r2 = await onTree(kernelSource, {
    ...base,
    [`lib/modules/${REL}/modules.builtin`]: "kernel/fs/ext4/ext4.ko\n",
  });
  assert.equal(r2.features.flags["kernel.loadedmodule"], undefined);
  assert.deepEqual(Object.keys(r2.features.flags["kernel.enabledmodule"]?.elements ?? {}), [
    "ext4",
  ]);
});

test("kernel.selinux and kernel.kvm", async () => {
  const none = await onTree(kernelSource, base);
  assert.deepEqual(plain(none.features.attributes["kernel.selinux"]?.elements), {
    enabled: "false",
  });
  assert.deepEqual(plain(none.features.attributes["kernel.kvm"]?.elements), { enabled: "false" });

  const on = await onTree(kernelSource, {
    ...base,
    "sys/fs/selinux/enforce": "1",
    "sys/devices/virtual/misc/kvm/dev": "10:232\n",
  });
  assert.deepEqual(plain(on.features.attributes["kernel.selinux"]?.elements), { enabled: "true" });
  assert.deepEqual(plain(on.features.attributes["kernel.kvm"]?.elements), { enabled: "true" });

  const permissive = await onTree(kernelSource, { ...base, "sys/fs/selinux/enforce": "0" });
  assert.equal(permissive.features.attributes["kernel.selinux"]?.elements.enabled, "false");

  // No /sys/fs at all: NFD cannot tell, the feature is absent.
  const nosys = await onTree(kernelSource, { "proc/sys/kernel/osrelease": REL });
  assert.equal(nosys.features.attributes["kernel.selinux"], undefined);
  assert.ok(nosys.problems.some((p) => p.message.startsWith("kernel.selinux")));
});

test("kernel: without osrelease, version is absent and the generic config paths are used", async () => {
  const r = await onTree(kernelSource, {
    "sys/fs": { dir: true },
    "usr/src/linux/.config": "CONFIG_A=y\n",
  });
  assert.equal(r.features.attributes["kernel.version"], undefined);
  assert.deepEqual(plain(r.features.attributes["kernel.config"]?.elements), { A: "y" });
  assert.ok(r.problems.some((p) => p.message.includes("/proc/sys/kernel/osrelease")));
});
