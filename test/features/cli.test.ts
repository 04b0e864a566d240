import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { runCli } from "../helpers/cli.js";
import { makeTree, removeTree } from "./tree.js";

const TREE = {
  "proc/sys/kernel/osrelease": "6.1.0-18-amd64\n",
  "proc/modules": "kvm 1 0 - Live 0x0\n",
  "etc/os-release": 'ID=debian\nVERSION_ID="12"\n',
  "etc/hostname": "tree-host\n",
  "sys/bus/pci/devices/0000:00:01.0": { link: "../../../devices/pci0000:00/0000:00:01.0" },
  "sys/devices/pci0000:00/0000:00:01.0/class": "0x030000\n",
  "sys/devices/pci0000:00/0000:00:01.0/vendor": "0x1234\n",
  "sys/devices/pci0000:00/0000:00:01.0/device": "0x1111\n",
  "sys/devices/pci0000:00/0000:00:01.0/subsystem_vendor": "0x1af4\n",
  "sys/devices/pci0000:00/0000:00:01.0/subsystem_device": "0x1100\n",
};

test("export features: NFD JSON for a host tree, sources chosen, NODE_NAME honoured", async () => {
  const root = await makeTree(TREE);
  try {
    const r = await runCli(
      ["export", "features", "--host-root", root, "--sources", "kernel,system,pci"],
      { env: { NODE_NAME: "n1" } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.ok(r.stdout.endsWith("}\n"));
    assert.ok(r.stdout.startsWith('{\n    "flags": {\n'));
    const f = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(f), ["flags", "attributes", "instances"]);
    assert.equal(f.attributes["kernel.version"].elements.full, "6.1.0-18-amd64");
    assert.equal(f.attributes["system.name"].elements.nodename, "n1");
    assert.deepEqual(f.instances["pci.device"].elements[0].attributes.class, "0300");
    assert.deepEqual(Object.keys(f.flags), ["kernel.loadedmodule"]);
    assert.equal(f.attributes["memory.numa"], undefined);
  } finally {
    await removeTree(root);
  }
});

test("export features: KOMPAT_HOST_ROOT, -o yaml, --path, -v problems", async () => {
  const root = await makeTree(TREE);
  const out = join(await mkdtemp(join(tmpdir(), "kompat-out-")), "f.yaml");
  try {
    const quiet = await runCli(["export", "features", "--sources", "system,memory", "-o", "yaml"], {
      env: { KOMPAT_HOST_ROOT: root },
    });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, "");
    const y = parseYaml(quiet.stdout) as {
      attributes: Record<string, { elements: Record<string, string> }>;
    };
    assert.equal(y.attributes["system.osrelease"]?.elements.VERSION_ID, "12");

    const verbose = await runCli(
      ["export", "features", "--sources", "memory", "-v", "--path", out, "--host-root", root],
      { env: {} },
    );
    assert.equal(verbose.code, 0);
    assert.equal(verbose.stdout, "");
    // The path where it was looked for on this machine, the tree's.
    assert.ok(
      verbose.stderr.includes(
        `kompat: discovery: memory: memory.numa: cannot read ${root}/sys/bus/node/devices: no such file or directory\n`,
      ),
      verbose.stderr,
    );
    assert.match(await readFile(out, "utf8"), /"memory.nv"/);
  } finally {
    await removeTree(root);
    await removeTree(join(out, ".."));
  }
});

test("export features: bad flags exit 2 with a clear message", async () => {
  const file = join(await mkdtemp(join(tmpdir(), "kompat-f-")), "file");
  await writeFile(file, "x");
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [["-o", "xml"], {}, /^kompat: export features: -o xml: expected json or yaml\n$/],
    [
      ["--sources", "pci,gpu"],
      {},
      /unknown feature source "gpu" \(valid: cpu, kernel, memory, network, pci, usb, storage, system, local, all\)/,
    ],
    [["--sources", "-gpu"], {}, /unknown feature source "gpu"/],
    [["--sources", ","], {}, /--sources: no source named/],
    [
      ["--host-root", "/nonexistent/kompat"],
      {},
      /--host-root \/nonexistent\/kompat: no such directory/,
    ],
    [["--host-root", file], {}, /not a directory/],
    [
      [],
      { KOMPAT_HOST_ROOT: "/nonexistent/kompat" },
      /KOMPAT_HOST_ROOT \/nonexistent\/kompat: no such directory/,
    ],
    [
      ["--host-root", "/tmp", "--host-prefix", "/host-"],
      {},
      /--host-root and --host-prefix cannot be used together/,
    ],
    [["--host-prefix", "host-"], {}, /--host-prefix host-: must be absolute/],
    [["--frobnicate"], {}, /Unknown option '--frobnicate'/],
    [["extra"], {}, /Unexpected argument 'extra'/],
  ];
  try {
    for (const [args, env, want] of cases) {
      const r = await runCli(["export", "features", ...args], { env });
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, want, args.join(" "));
    }
  } finally {
    await removeTree(join(file, ".."));
  }
});

test("capture-host then export: identical output; usage errors", async () => {
  const root = await makeTree(TREE);
  const parent = await mkdtemp(join(tmpdir(), "kompat-cli-cap-"));
  const dest = join(parent, "cap");
  try {
    const cap = await runCli(["capture-host", dest, "--host-root", root], { env: {} });
    assert.equal(cap.code, 0, cap.stderr);
    assert.match(
      cap.stdout,
      /^Captured \d+ files \(.*\), \d+ symlinks and \d+ directories from host root .* into /,
    );
    const a = await runCli(["export", "features", "--host-root", root], { env: {} });
    const b = await runCli(["export", "features", "--host-root", dest], { env: {} });
    assert.equal(b.stdout, a.stdout);

    const again = await runCli(["capture-host", dest, "--host-root", root], { env: {} });
    assert.equal(again.code, 2);
    assert.match(
      again.stderr,
      /capture-host: .*cap: directory is not empty \(use --force to write into it\)/,
    );
    const forced = await runCli(["capture-host", dest, "--host-root", root, "--force"], {
      env: {},
    });
    assert.equal(forced.code, 0, forced.stderr);

    const none = await runCli(["capture-host"], { env: {} });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give exactly one destination directory/);
    const badSource = await runCli(["capture-host", join(parent, "x"), "--sources", "gpu"], {
      env: {},
    });
    assert.equal(badSource.code, 2);
    assert.match(badSource.stderr, /unknown feature source "gpu"/);
    await assert.rejects(stat(join(parent, "x")), /ENOENT/);
  } finally {
    await removeTree(root);
    await removeTree(parent);
  }
});
