import { test } from "node:test";
import assert from "node:assert/strict";
import { HostRoot, type HostTrace } from "../../src/features/hostroot.js";
import { makeTree, removeTree } from "./tree.js";

test("--host-prefix: NFD's prefixed and unprefixed paths", () => {
  const h = new HostRoot({ prefix: "/host-" });
  assert.equal(h.local("/sys/class/net"), "/host-sys/class/net");
  assert.equal(h.local("/proc/swaps"), "/host-proc/swaps");
  assert.equal(h.local("/etc/os-release"), "/host-etc/os-release");
  assert.equal(h.local("/usr/lib/modules/6.8/config"), "/host-usr/lib/modules/6.8/config");
  // Read by NFD without the prefix (the running kernel's anyway).
  assert.equal(h.local("/proc/modules"), "/proc/modules");
  assert.equal(h.local("/proc/sys/kernel/osrelease"), "/proc/sys/kernel/osrelease");
  assert.equal(h.local("/proc/config.gz"), "/proc/config.gz");
  assert.equal(h.local("/lib/modules/6.8/build/.config"), "/lib/modules/6.8/build/.config");
  assert.equal(
    h.local("/lib/modules/6.8/modules.builtin"),
    "/host-lib/modules/6.8/modules.builtin",
  );
  assert.equal(
    h.local("/etc/kubernetes/node-feature-discovery/features.d/x"),
    "/etc/kubernetes/node-feature-discovery/features.d/x",
  );
  assert.equal(h.local("/dev/cpu/0/cpuid"), "/dev/cpu/0/cpuid");
  assert.throws(() => new HostRoot({ root: "/x", prefix: "/host-" }), /cannot be used together/);
});

test("--host-root: links resolve inside the tree; loops are an error, not a hang", async () => {
  const root = await makeTree({
    "real/dir/file": "content\n",
    abs: { link: "/real/dir" },
    rel: { link: "real/../real/dir" },
    up: { link: "../../../../real/dir" },
    chain: { link: "abs" },
    loop1: { link: "loop2" },
    loop2: { link: "loop1" },
  });
  try {
    const h = new HostRoot({ root });
    for (const via of ["abs", "rel", "up", "chain"]) {
      assert.equal(await h.realPath(`/${via}/file`), "/real/dir/file", via);
      assert.equal(await h.readText(`/${via}/file`), "content\n", via);
    }
    await assert.rejects(h.readText("/loop1/x"), /too many levels of symbolic links/);
    await assert.rejects(h.readText("/missing"), { code: "ENOENT" });
  } finally {
    await removeTree(root);
  }
});

test("reads are capped; directory entries come in Go's byte order with their types", async () => {
  const root = await makeTree({
    big: "x".repeat(5000),
    "d/b": "",
    "d/a": { dir: true },
    "d/\u{1F600}": "",
    "d/\uFFFD": "",
    "d/l": { link: "a" },
  });
  try {
    const h = new HostRoot({ root });
    await assert.rejects(h.readText("/big", 4096), /\/big: larger than 4096 bytes/);
    const entries = await h.readDirEntries("/d");
    assert.deepEqual(
      entries.map((e) => [e.name, e.isDirectory, e.isSymbolicLink, e.isFile]),
      [
        ["a", true, false, false],
        ["b", false, false, true],
        ["l", false, true, false],
        ["\uFFFD", false, false, true],
        ["\u{1F600}", false, false, true],
      ],
    );
  } finally {
    await removeTree(root);
  }
});

test("the trace records how each path was touched, and the bytes read", async () => {
  const root = await makeTree({ "a/f": "hello", "a/g": "", l: { link: "a" } });
  try {
    const trace: HostTrace = new Map();
    const h = new HostRoot({ root, trace });
    await h.readText("/l/f");
    await h.readDir("/a");
    await h.exists("/a/g");
    await h.tryReadText("/nope");
    assert.equal(trace.get("/l/f")?.read?.toString(), "hello");
    assert.equal(trace.get("/a")?.list, true);
    assert.equal(trace.get("/a/g")?.stat, true);
    assert.deepEqual(trace.get("/nope"), {});
  } finally {
    await removeTree(root);
  }
});

test("attributes: one page at most, returned whole, traced like any read", async () => {
  const page = "x".repeat(4095) + "\n";
  const root = await makeTree({
    "sys/a/small": "0x8086\n",
    "sys/a/page": page,
    "sys/a/big": "y".repeat(4097),
    "sys/a/empty": "",
  });
  try {
    const trace: HostTrace = new Map();
    const h = new HostRoot({ root, trace });
    assert.equal(await h.readAttribute("/sys/a/small"), "0x8086\n");
    assert.equal(await h.readAttribute("/sys/a/page"), page);
    assert.equal(await h.readAttribute("/sys/a/empty"), "");
    await assert.rejects(h.readAttribute("/sys/a/big"), /larger than 4096 bytes/);
    assert.equal(await h.tryReadAttribute("/sys/a/missing"), undefined);
    assert.equal(trace.get("/sys/a/small")?.read?.toString(), "0x8086\n");
  } finally {
    await removeTree(root);
  }
});

test("this machine's sysfs attributes read the same in one read as read to the end", async () => {
  const h = new HostRoot();
  const dir = "/sys/devices/system/cpu";
  let compared = 0;
  for (const name of ["online", "possible", "present", "kernel_max"]) {
    const whole = await h.tryReadText(`${dir}/${name}`);
    if (whole === undefined) continue;
    assert.equal(await h.readAttribute(`${dir}/${name}`), whole, name);
    compared++;
  }
  assert.ok(compared > 0, `no readable attribute under ${dir}`);
});
