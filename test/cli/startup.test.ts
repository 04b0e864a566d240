// How bin/kompat starts: from the V8 start-up snapshot when the node on PATH is the binary
// that built it, from the plain bundle otherwise. A copy of bin/kompat in a temp tree whose
// plain bundle is a stub that reports itself shows which way a run went.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { BIN, REPO } from "../helpers/cli.js";

const SNAPSHOT = join(REPO, "dist/snapshot");
const tmp = mkdtempSync(join(tmpdir(), "kompat-startup-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const NODE_DIR = dirname(process.execPath);
const baseEnv = { PATH: `${NODE_DIR}:/usr/bin:/bin`, HOME: process.env.HOME };

// The stub stands in for dist/bundle/kompat.js: it says it ran, with what.
const STUB = `process.stdout.write(JSON.stringify({ plain: true, argv: process.argv.slice(2), execArgv: process.execArgv }));`;

let trees = 0;
/** A copy of bin/kompat with a stub plain bundle and, as asked, the real blob and stamp. */
function tree(opts: { blob?: boolean; stamp?: (path: string) => void } = {}): string {
  const root = join(tmp, `t${trees++}`);
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(join(root, "dist/bundle"), { recursive: true });
  copyFileSync(BIN, join(root, "bin/kompat"));
  chmodSync(join(root, "bin/kompat"), 0o755);
  writeFileSync(join(root, "dist/bundle/kompat.js"), STUB);
  if (opts.blob !== false) {
    mkdirSync(join(root, "dist/snapshot"));
    // A link, not a copy: the blob is megabytes and the stamp's mtime must stay exact.
    symlinkSync(join(SNAPSHOT, "kompat.blob"), join(root, "dist/snapshot/kompat.blob"));
    const stamp = join(root, "dist/snapshot/kompat.blob.node");
    if (opts.stamp) opts.stamp(stamp);
    else symlinkSync(join(SNAPSHOT, "kompat.blob.node"), stamp);
  }
  return root;
}

function run(bin: string, args: string[], env: Record<string, string | undefined> = baseEnv) {
  const r = spawnSync(bin, args, { env: env as NodeJS.ProcessEnv, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Stub {
  plain: true;
  argv: string[];
  execArgv: string[];
}

function ranPlain(out: string): Stub | undefined {
  if (!out.startsWith("{")) return undefined;
  return JSON.parse(out) as Stub;
}

test("the build made a blob and recorded the node that built it", () => {
  const blob = join(SNAPSHOT, "kompat.blob");
  assert.ok(existsSync(blob), `${blob} is missing: run npm run build`);
  const built = readFileSync(`${blob}.node`, "utf8").trim();
  assert.ok(existsSync(built), `kompat.blob.node names ${built}, which does not exist`);
});

test("bin/kompat runs the blob with the V8 flags it was built with", async () => {
  const url = pathToFileURL(join(REPO, "scripts/snapshot.mjs")).href;
  const { V8_FLAGS } = (await import(url)) as { V8_FLAGS: string[] };
  const exec = /exec "\$node" (.*) --snapshot-blob "\$blob"/.exec(readFileSync(BIN, "utf8"));
  assert.ok(exec, "bin/kompat has no exec line for the blob");
  assert.deepEqual((exec[1] as string).split(" "), V8_FLAGS);
});

test("the blob is used when the node on PATH built it", () => {
  const r = run(join(tree(), "bin/kompat"), ["--version"]);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, "kompat 0.1.0\n", "the stub plain bundle ran instead of the blob");
  assert.equal(r.code, 0);
});

test("arguments reach the snapshot unchanged, flags that node also knows included", () => {
  const r = run(join(tree(), "bin/kompat"), ["spec", "lint", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lint/);
  const bad = run(join(tree(), "bin/kompat"), ["no such command", "--", "-e"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "no such command -- -e"/);
});

test("through a symlink (npm's .bin link) the blob is still found", () => {
  const link = join(tmp, "kompat-link");
  symlinkSync(join(tree(), "bin/kompat"), link);
  assert.equal(run(link, ["--version"]).stdout, "kompat 0.1.0\n");
});

test("without a blob the plain bundle runs, with the arguments as given", () => {
  const r = run(join(tree({ blob: false }), "bin/kompat"), [
    "validate-node",
    "--spec",
    "a b",
    "--",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ranPlain(r.stdout)?.argv, ["validate-node", "--spec", "a b", "--"]);
});

test("a blob without its stamp is not used (a build that stopped half-way)", () => {
  const r = run(join(tree({ stamp: () => {} }), "bin/kompat"), ["--version"]);
  assert.ok(ranPlain(r.stdout), r.stdout + r.stderr);
});

test("a stamp naming another binary means the blob is stale: plain bundle", () => {
  const root = tree({
    stamp: (p) => {
      writeFileSync(p, "/bin/sh\n");
      touchLike(p, "/bin/sh");
    },
  });
  const r = run(join(root, "bin/kompat"), ["--version"]);
  assert.ok(ranPlain(r.stdout), r.stdout + r.stderr);
});

test("node replaced since the build (other mtime) means the blob is stale: plain bundle", () => {
  const root = tree({
    stamp: (p) => {
      writeFileSync(p, `${process.execPath}\n`);
      utimesSync(p, new Date("2001-02-03"), new Date("2001-02-03"));
    },
  });
  const r = run(join(root, "bin/kompat"), ["--version"]);
  assert.ok(ranPlain(r.stdout), r.stdout + r.stderr);
});

test("another node first on PATH gets the plain bundle, not the blob", () => {
  const fake = join(tmp, "other-node");
  mkdirSync(fake);
  writeFileSync(join(fake, "node"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n`);
  chmodSync(join(fake, "node"), 0o755);
  const r = run(join(tree(), "bin/kompat"), ["--version"], {
    ...baseEnv,
    PATH: `${fake}:${baseEnv.PATH}`,
  });
  assert.ok(ranPlain(r.stdout), r.stdout + r.stderr);
});

test("KOMPAT_DEBUG runs the plain bundle with source maps (stacks name .ts lines)", () => {
  const r = run(join(tree(), "bin/kompat"), ["--version"], { ...baseEnv, KOMPAT_DEBUG: "1" });
  const stub = ranPlain(r.stdout);
  assert.ok(stub, r.stdout + r.stderr);
  assert.ok(stub.execArgv.includes("--enable-source-maps"), stub.execArgv.join(" "));
});

test("KOMPAT_NO_SNAPSHOT and NODE_OPTIONS choose the plain bundle, without source maps", () => {
  for (const extra of [{ KOMPAT_NO_SNAPSHOT: "1" }, { NODE_OPTIONS: "--max-old-space-size=512" }]) {
    const r = run(join(tree(), "bin/kompat"), ["--version"], { ...baseEnv, ...extra });
    const stub = ranPlain(r.stdout);
    assert.ok(stub, `${JSON.stringify(extra)}: ${r.stdout}${r.stderr}`);
    assert.deepEqual(stub.execArgv, []);
  }
});

// The real bin/kompat both ways: same output, same exit codes.
const SPEC = `version: v1alpha1
compatibilities:
- rules:
  - name: kernel
    matchFeatures:
    - feature: kernel.version
      matchExpressions:
        major: {op: Gt, value: ["5"]}
    - feature: pci.device
      matchExpressions:
        class: {op: InRegexp, value: ["^03"]}
`;
const FEATURES = JSON.stringify({
  attributes: { "kernel.version": { elements: { major: "6" } } },
  instances: { "pci.device": { elements: [{ attributes: { class: "0300" } }] } },
});

test("the snapshot and the plain bundle behave the same", () => {
  const spec = join(tmp, "spec.yaml");
  const features = join(tmp, "features.json");
  writeFileSync(spec, SPEC);
  writeFileSync(features, FEATURES);
  // A host tree: the blob ran discovery once while it was built (warmup.ts); nothing of
  // the building host may show in a run.
  const host = join(tmp, "host");
  mkdirSync(join(host, "proc/sys/kernel"), { recursive: true });
  writeFileSync(join(host, "proc/sys/kernel/osrelease"), "4.19.0-1-amd64\n");
  const cases: Array<{ args: string[]; input?: string }> = [
    { args: ["validate-node", "--spec", spec, "--features", features] },
    { args: ["validate-node", "--spec", "-", "--features", features, "-o", "json"], input: SPEC },
    { args: ["validate-node", "--spec", join(tmp, "missing.yaml")] },
    { args: ["validate-node", "--spec", spec, "--host-root", host, "-v"] },
    { args: ["export", "features", "--host-root", host, "-o", "yaml"] },
    { args: ["spec", "lint", spec] },
    { args: ["fetch-spec", "--image", "127.0.0.1:1/x:y", "--plain-http"] },
  ];
  for (const c of cases) {
    const both = [{}, { KOMPAT_NO_SNAPSHOT: "1" }].map((extra) => {
      const r = spawnSync(BIN, c.args, {
        env: { ...baseEnv, ...extra } as NodeJS.ProcessEnv,
        encoding: "utf8",
        input: c.input ?? "",
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    });
    assert.deepEqual(both[0], both[1], c.args.join(" "));
  }
});

/** Gives `path` the mtime of `like`, exactly (as scripts/snapshot.mjs does). */
function touchLike(path: string, like: string): void {
  const r = spawnSync("touch", ["-r", like, path]);
  assert.equal(r.status, 0, "touch -r failed");
}
