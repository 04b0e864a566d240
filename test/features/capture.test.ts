import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { lstat, mkdtemp, readFile, readdir, readlink, writeFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CAPTURE_MARKER, captureHost, CaptureError } from "../../src/features/capture.js";
import { discover } from "../../src/features/discover.js";
import { HostRoot } from "../../src/features/hostroot.js";
import { featuresToJson } from "../../src/features/snapshot-export.js";
import { makeTree, removeTree, type Entry } from "./tree.js";

const REL = "6.8.0-45-generic";
const PCI = "sys/devices/pci0000:00";

/** A host with something for every source, links of every kind, and files nobody reads. */
function hostEntries(outside: string): Record<string, Entry> {
  return {
    "proc/sys/kernel/osrelease": `${REL}\n`,
    "proc/sys/kernel/arch": "x86_64\n",
    "proc/config.gz": gzipSync("CONFIG_KVM=m\nCONFIG_HZ=250\n"),
    "proc/modules": "kvm 1142784 0 - Live 0x0\n",
    "proc/swaps": "Filename\tType\tSize\tUsed\tPriority\n",
    "proc/cpuinfo":
      "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\nflags\t\t: fpu sse sse2 lm avx avx2\n",
    [`usr/lib/modules/${REL}/modules.builtin`]: "kernel/fs/ext4/ext4.ko\n",
    lib: { link: "usr/lib" },
    "usr/lib/os-release": 'ID=ubuntu\nVERSION_ID="24.04"\n',
    "etc/os-release": { link: "../usr/lib/os-release" },
    "etc/hostname": "captured-node\n",
    "etc/passwd": "root:x:0:0::/root:/bin/sh\n",
    "etc/kubernetes/node-feature-discovery/features.d/acme": "# +no-label\nrack=12\nzone=b\n",
    "etc/kubernetes/node-feature-discovery/features.d/.hidden": "x=1\n",
    "sys/fs/selinux/enforce": "0\n",
    "sys/devices/virtual/misc/kvm/dev": "10:232\n",
    "sys/devices/system/node/node0/meminfo": "big\n",
    "sys/devices/system/node/node1/meminfo": "big\n",
    "sys/bus/node/devices/node0": { link: "../../../devices/system/node/node0" },
    "sys/bus/node/devices/node1": { link: "../../../devices/system/node/node1" },
    "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "512\n",
    "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages": "512\n",
    [`${PCI}/0000:17:00.0/class`]: "0x030200\n",
    [`${PCI}/0000:17:00.0/vendor`]: "0x10de\n",
    [`${PCI}/0000:17:00.0/device`]: "0x2330\n",
    [`${PCI}/0000:17:00.0/subsystem_vendor`]: "0x10de\n",
    [`${PCI}/0000:17:00.0/subsystem_device`]: "0x16c1\n",
    [`${PCI}/0000:17:00.0/config`]: Buffer.alloc(256, 7),
    [`${PCI}/0000:17:00.0/iommu_group`]: { link: "../../../kernel/iommu_groups/3" },
    "sys/kernel/iommu_groups/3/type": "DMA\n",
    [`${PCI}/0000:3b:00.0/class`]: "0x020000\n",
    [`${PCI}/0000:3b:00.0/vendor`]: "0x8086\n",
    [`${PCI}/0000:3b:00.0/device`]: "0x1592\n",
    [`${PCI}/0000:3b:00.0/subsystem_vendor`]: "0x8086\n",
    [`${PCI}/0000:3b:00.0/subsystem_device`]: "0x0001\n",
    [`${PCI}/0000:3b:00.0/sriov_totalvfs`]: "128\n",
    [`${PCI}/0000:3b:00.0/sriov_numvfs`]: "0\n",
    [`${PCI}/0000:3b:00.0/net/ens1/operstate`]: "up\n",
    [`${PCI}/0000:3b:00.0/net/ens1/mtu`]: "9000\n",
    [`${PCI}/0000:3b:00.0/net/ens1/device`]: { link: "../../../0000:3b:00.0" },
    "sys/bus/pci/devices/0000:17:00.0": { link: "../../../devices/pci0000:00/0000:17:00.0" },
    // An absolute link: inside the tree, not this machine's /sys.
    "sys/bus/pci/devices/0000:3b:00.0": { link: "/sys/devices/pci0000:00/0000:3b:00.0" },
    "sys/class/net/ens1": { link: "../../devices/pci0000:00/0000:3b:00.0/net/ens1" },
    "sys/class/net/lo": { link: "../../devices/virtual/net/lo" },
    "sys/class/net/bonding_masters": "\n",
    "sys/devices/virtual/net/lo/mtu": "65536\n",
    "sys/devices/virtual/net/lo/operstate": "unknown\n",
    "sys/block/nvme0n1": { link: "../devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1" },
    [`${PCI}/0000:01:00.0/nvme/nvme0/nvme0n1/queue/rotational`]: "0\n",
    [`${PCI}/0000:01:00.0/nvme/nvme0/nvme0n1/queue/zoned`]: "none\n",
    "sys/devices/virtual/dmi/id/sys_vendor": "Acme\n",
    // A link that would leave the tree if followed naively.
    "sys/devices/virtual/dmi/id/product_name": { link: outside },
  };
}

async function exportOf(root: string): Promise<string> {
  const { features } = await discover({ host: new HostRoot({ root }), env: {} });
  return featuresToJson(features);
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(join(e.parentPath, e.name).slice(dir.length + 1));
  }
  return out.sort();
}

test("capture of a host tree reproduces its export, copying only what discovery read", async () => {
  const secretDir = await mkdtemp(join(tmpdir(), "kompat-secret-"));
  const secret = join(secretDir, "secret");
  await writeFile(secret, "TOP-SECRET-OUTSIDE-THE-TREE\n");
  const root = await makeTree(hostEntries(secret));
  const dest = join(await mkdtemp(join(tmpdir(), "kompat-cap-")), "copy");
  try {
    const { summary, features } = await captureHost({ root, dest, env: {} });
    const original = await exportOf(root);
    assert.equal(featuresToJson(features), original);
    assert.equal(await exportOf(dest), original);
    assert.ok(summary.files > 20 && summary.links >= 8, JSON.stringify(summary));

    const files = await allFiles(dest);
    // Never read: not copied.
    for (const unread of [
      "etc/passwd",
      `${PCI}/0000:17:00.0/config`,
      "sys/devices/system/node/node0/meminfo",
    ])
      assert.ok(!files.includes(unread), unread);
    // Links stay links, with their original targets; targets read through them are copied.
    assert.equal(
      await readlink(join(dest, "sys/bus/pci/devices/0000:3b:00.0")),
      "/sys/devices/pci0000:00/0000:3b:00.0",
    );
    assert.equal(await readlink(join(dest, "etc/os-release")), "../usr/lib/os-release");
    assert.equal(
      await readFile(join(dest, "usr/lib/os-release"), "utf8"),
      'ID=ubuntu\nVERSION_ID="24.04"\n',
    );
    assert.equal(await readFile(join(dest, `${PCI}/0000:17:00.0/class`), "utf8"), "0x030200\n");
    // Listed-only entries keep their names (node count) as dangling links.
    assert.ok((await lstat(join(dest, "sys/bus/node/devices/node1"))).isSymbolicLink());
    // The hidden feature file's name is kept, not its content.
    assert.equal(
      await readFile(
        join(dest, "etc/kubernetes/node-feature-discovery/features.d/.hidden"),
        "utf8",
      ),
      "",
    );
    // Nothing from outside the tree was read.
    for (const f of files) {
      const st = await lstat(join(dest, f));
      if (st.isFile())
        assert.ok(!(await readFile(join(dest, f), "utf8")).includes("TOP-SECRET"), f);
    }
  } finally {
    await removeTree(root);
    await removeTree(join(dest, ".."));
    await removeTree(secretDir);
  }
});

test("capture refuses a non-empty directory unless forced, and never writes through links in it", async () => {
  const root = await makeTree(hostEntries("/nonexistent"));
  const parent = await mkdtemp(join(tmpdir(), "kompat-cap-"));
  const victim = await mkdtemp(join(tmpdir(), "kompat-victim-"));
  const dest = join(parent, "copy");
  try {
    await captureHost({ root, dest, env: {}, sources: ["pci"] });
    assert.ok((await lstat(join(dest, CAPTURE_MARKER))).isFile());
    // A link planted in the earlier capture: replaced, never written through.
    await removeTree(join(dest, "sys"));
    await symlink(victim, join(dest, "sys"));
    await assert.rejects(captureHost({ root, dest, env: {}, sources: ["pci"] }), (e: unknown) => {
      assert.ok(e instanceof CaptureError);
      assert.match(e.message, /directory is not empty \(use --force/);
      return true;
    });
    await captureHost({ root, dest, env: {}, sources: ["pci"], force: true });
    assert.deepEqual(await readdir(victim), []);
    assert.ok((await lstat(join(dest, "sys"))).isDirectory());

    await writeFile(join(parent, "file"), "x");
    await assert.rejects(
      captureHost({ root, dest: join(parent, "file"), env: {} }),
      /exists and is not a directory/,
    );
    await assert.rejects(
      captureHost({ root, dest: root, env: {}, force: true }),
      /would overwrite the host tree/,
    );
  } finally {
    await removeTree(root);
    await removeTree(parent);
    await removeTree(victim);
  }
});

test("--force overwrites only a capture, and never a directory of someone's files", async () => {
  const root = await makeTree(hostEntries("/nonexistent"));
  const parent = await mkdtemp(join(tmpdir(), "kompat-cap-"));
  try {
    // Not a capture: nothing in it is touched.
    const mine = join(parent, "mine");
    await makeTree({ "sys/notes.txt": "mine\n", "photo.jpg": "jpeg" }, mine);
    await assert.rejects(
      captureHost({ root, dest: mine, env: {}, sources: ["pci"], force: true }),
      (e: unknown) => {
        assert.ok(e instanceof CaptureError);
        assert.equal(
          e.message,
          `${mine}: not empty and not a capture (no .kompat-capture in it): --force ` +
            "overwrites only an earlier capture; choose an empty or new directory",
        );
        return true;
      },
    );
    assert.deepEqual((await readdir(mine)).sort(), ["photo.jpg", "sys"]);
    assert.equal(await readFile(join(mine, "sys/notes.txt"), "utf8"), "mine\n");

    // A capture where a user's directory now sits where the capture needs a symlink.
    const dest = join(parent, "copy");
    await captureHost({ root, dest, env: {}, sources: ["pci"] });
    const dev = join(dest, "sys/bus/pci/devices/0000:17:00.0");
    await removeTree(dev);
    await makeTree({ "keep.txt": "kept\n" }, dev);
    await assert.rejects(
      captureHost({ root, dest, env: {}, sources: ["pci"], force: true }),
      (e: unknown) => {
        assert.ok(e instanceof CaptureError);
        assert.equal(
          e.message,
          `${dev}: a directory with files in it, where the capture needs a symlink; ` +
            "not removed (move it away, or capture into an empty directory)",
        );
        return true;
      },
    );
    assert.equal(await readFile(join(dev, "keep.txt"), "utf8"), "kept\n");
    // Empty, it is the capture's to replace.
    await removeTree(join(dev, "keep.txt"));
    await captureHost({ root, dest, env: {}, sources: ["pci"], force: true });
    assert.ok((await lstat(dev)).isSymbolicLink());
  } finally {
    await removeTree(root);
    await removeTree(parent);
  }
});

test("capture from NFD's container layout (--host-prefix) works as a --host-root", async () => {
  const base = await mkdtemp(join(tmpdir(), "kompat-prefix-"));
  const prefix = `${base}/host-`;
  await makeTree(
    {
      "host-etc/os-release": "ID=rhel\nVERSION_ID=9.4\n",
      "host-sys/devices/pci0000:00/0000:00:01.0/class": "0x010802\n",
      "host-sys/devices/pci0000:00/0000:00:01.0/vendor": "0x144d\n",
      "host-sys/devices/pci0000:00/0000:00:01.0/device": "0xa808\n",
      "host-sys/devices/pci0000:00/0000:00:01.0/subsystem_vendor": "0x144d\n",
      "host-sys/devices/pci0000:00/0000:00:01.0/subsystem_device": "0xa801\n",
      "host-sys/bus/pci/devices/0000:00:01.0": { link: "../../../devices/pci0000:00/0000:00:01.0" },
    },
    base,
  );
  const dest = join(base, "copy");
  try {
    const sources = ["system", "pci"];
    const live = await discover({ host: new HostRoot({ prefix }), env: {}, sources });
    await captureHost({ prefix, dest, env: {}, sources });
    const copy = await discover({ host: new HostRoot({ root: dest }), env: {}, sources });
    assert.equal(featuresToJson(copy.features), featuresToJson(live.features));
    assert.equal(copy.features.attributes["system.osrelease"]?.elements.ID, "rhel");
    assert.equal(copy.features.instances["pci.device"]?.elements[0]?.attributes.class, "0108");
  } finally {
    await removeTree(base);
  }
});
