// kompat as a user of the registry gets it (test/helpers/install.ts), started through
// node_modules/.bin/kompat. The installed package
// must start from a snapshot (built by postinstall, or on first run into the per-user cache)
// and fall back to the plain bundle, silently, wherever it cannot.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BIN, REPO } from "../helpers/cli.js";
import { installTarball, packCheckout } from "../helpers/install.js";

const tmp = mkdtempSync(join(tmpdir(), "kompat-install-"));
// Other users (the read-only case runs as nobody when the tests run as root) must reach it.
chmodSync(tmp, 0o755);
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const NODE_DIR = dirname(process.execPath);
const PATH = `${NODE_DIR}:/usr/bin:/bin`;
// Copies: the read-only case runs as another user, who may not reach the checkout.
const SPEC = join(tmp, "compat-spec.yaml");
const FEATURES = join(tmp, "node-features.json");
copyFileSync(join(REPO, "examples/compat-spec.yaml"), SPEC);
copyFileSync(join(REPO, "examples/node-features.json"), FEATURES);
const ARGS = ["validate-node", "--spec", SPEC, "--features", FEATURES];

const tarball = packCheckout(tmp);

function install(name: string, ignoreScripts: boolean): string {
  const dir = join(tmp, name);
  installTarball(tarball, dir, ignoreScripts);
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runIn(dir: string, args: string[], env: NodeJS.ProcessEnv, uid?: number): Run {
  const r = spawnSync(join(dir, "node_modules/.bin/kompat"), args, {
    env: { PATH, KOMPAT_TRACE_START: "1", ...env },
    encoding: "utf8",
    ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runAsync(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(join(dir, "node_modules/.bin/kompat"), args, {
      env: { PATH, KOMPAT_TRACE_START: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** What bin/kompat said about how it started (KOMPAT_TRACE_START), and the rest of stderr. */
function how(r: Run): { start: string; rest: string } {
  const lines = r.stderr.split("\n");
  const start = lines.filter((l) => l.startsWith("kompat: start: ")).join("\n");
  return { start, rest: lines.filter((l) => !l.startsWith("kompat: start: ")).join("\n") };
}

const checkout = spawnSync(BIN, ARGS, { encoding: "utf8", env: { PATH } });

function assertSameAsCheckout(r: Run, what: string): void {
  assert.equal(how(r).rest, "", `${what}: stderr: ${r.stderr}`);
  assert.equal(r.stdout, checkout.stdout, `${what}: output differs from the checkout's`);
  assert.equal(r.code, checkout.status, what);
}

test("the tarball ships the snapshot's input and builder, not a blob for the packer's node", () => {
  const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
  for (const f of [
    "dist/snapshot/kompat.cjs",
    "dist/snapshot/kompat.key",
    "scripts/snapshot-blob.mjs",
    "man/kompat.1",
  ]) {
    assert.ok(files.includes(`package/${f}`), `${f} missing from the tarball`);
  }
  const blobs = files.filter((f) => /kompat\.blob/.test(f));
  assert.deepEqual(blobs, []);
});

test("installed with its scripts, kompat starts from the blob postinstall built", () => {
  const dir = install("with-scripts", false);
  const pkg = join(dir, "node_modules/kompat/dist/snapshot");
  assert.equal(readFileSync(join(pkg, "kompat.blob.node"), "utf8"), `${process.execPath}\n`);
  const home = join(tmp, "home-with-scripts");
  mkdirSync(home);
  const r = runIn(dir, ARGS, { HOME: home });
  assert.match(
    how(r).start,
    /^kompat: start: snapshot .*\/with-scripts\/node_modules\/.*\/dist\/snapshot\/kompat\.blob$/,
  );
  assertSameAsCheckout(r, "from the package's blob");
  assert.deepEqual(readdirSync(home), [], "nothing written to the user's home");
});

const plain = install("ignore-scripts", true);

test("without postinstall, concurrent first runs all succeed and leave one blob", async () => {
  const cache = join(tmp, "cache-concurrent");
  mkdirSync(cache);
  const env = { HOME: tmp, XDG_CACHE_HOME: cache, KOMPAT_SNAPSHOT_BUILD: "foreground" };
  const runs = await Promise.all(Array.from({ length: 4 }, () => runAsync(plain, ARGS, env)));
  runs.forEach((r, i) => assertSameAsCheckout(r, `run ${i}`));
  const key = readFileSync(join(plain, "node_modules/kompat/dist/snapshot/kompat.key"), "utf8");
  const dir = join(cache, "kompat/snapshot", key.trim() + process.execPath);
  assert.deepEqual(readdirSync(dir).sort(), ["kompat.blob", "kompat.blob.node"]);
  // No temp dirs, locks or failure marks left beside it.
  assert.deepEqual(readdirSync(dirname(dir)), ["node"]);
  const again = runIn(plain, ARGS, { HOME: tmp, XDG_CACHE_HOME: cache });
  assert.equal(how(again).start, `kompat: start: snapshot ${dir}/kompat.blob`);
  assertSameAsCheckout(again, "from the cached blob");
});

test("the cached blob loads the packages it leaves out from the installed package", () => {
  // A proxy that refuses: the proxy agent is required from disk (scripts/snapshot.mjs).
  const cache = join(tmp, "cache-proxy");
  mkdirSync(cache);
  const args = ["fetch-spec", "--image", "registry.example/x:1", "--timeout", "5s"];
  const env = {
    HOME: tmp,
    XDG_CACHE_HOME: cache,
    KOMPAT_SNAPSHOT_BUILD: "foreground",
    HTTPS_PROXY: "http://127.0.0.1:9",
  };
  const r = runIn(plain, args, env);
  assert.match(how(r).start, /^kompat: start: snapshot /);
  const fromBundle = spawnSync(BIN, args, { encoding: "utf8", env: { PATH, ...env } });
  assert.equal(how(r).rest, fromBundle.stderr);
  assert.match(fromBundle.stderr, /127\.0\.0\.1:9/);
  assert.equal(r.code, 2);
});

test("a first run without foreground builds in the background and runs the bundle", async () => {
  const cache = join(tmp, "cache-background");
  mkdirSync(cache);
  const env = { HOME: tmp, XDG_CACHE_HOME: cache };
  const first = runIn(plain, ARGS, env);
  assert.match(how(first).start, /^kompat: start: bundle \(building a snapshot in /);
  assertSameAsCheckout(first, "first run");
  // The builder outlives the run: wait for its result (a stamp or a failure mark).
  const key = readFileSync(join(plain, "node_modules/kompat/dist/snapshot/kompat.key"), "utf8");
  const dir = join(cache, "kompat/snapshot", key.trim() + process.execPath);
  for (let i = 0; i < 1200 && !existsSync(`${dir}/kompat.blob.node`); i++) {
    assert.ok(!existsSync(`${dir}.failed`), "the background build failed");
    await new Promise((r) => setTimeout(r, 100));
  }
  const next = runIn(plain, ARGS, env);
  assert.equal(how(next).start, `kompat: start: snapshot ${dir}/kompat.blob`);
  assertSameAsCheckout(next, "second run");
});

test("a read-only package and home: the plain bundle, silently; postinstall exits 0", () => {
  const home = join(tmp, "home-readonly");
  mkdirSync(home);
  // Root writes anywhere: run as nobody, who cannot write the root-owned install or home.
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) {
    chmodSync(home, 0o555);
    chmodSync(join(plain, "node_modules/kompat/dist/snapshot"), 0o555);
  }
  const uid = asRoot ? 65534 : undefined;
  try {
    const r = runIn(plain, ARGS, { HOME: home }, uid);
    assert.equal(how(r).start, `kompat: start: bundle (no snapshot for ${process.execPath})`);
    assertSameAsCheckout(r, "read-only");
    const script = join(plain, "node_modules/kompat/scripts/snapshot-blob.mjs");
    const post = spawnSync(process.execPath, [script, "--postinstall"], {
      encoding: "utf8",
      ...(uid !== undefined ? { uid, gid: uid } : {}),
    });
    assert.equal(post.status, 0, post.stderr);
    assert.equal(post.stdout + post.stderr, "");
    assert.ok(!existsSync(join(plain, "node_modules/kompat/dist/snapshot/kompat.blob")));
  } finally {
    if (!asRoot) {
      chmodSync(home, 0o755);
      chmodSync(join(plain, "node_modules/kompat/dist/snapshot"), 0o755);
    }
  }
});

test("a node that is a wrapper script: the bundle, and no build is tried again", () => {
  const fake = join(tmp, "wrapper-node");
  mkdirSync(fake);
  writeFileSync(join(fake, "node"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n`);
  chmodSync(join(fake, "node"), 0o755);
  const cache = join(tmp, "cache-wrapper");
  mkdirSync(cache);
  const env = {
    HOME: tmp,
    XDG_CACHE_HOME: cache,
    KOMPAT_SNAPSHOT_BUILD: "foreground",
    PATH: `${fake}:${PATH}`,
  };
  const first = runIn(plain, ARGS, env);
  assert.match(how(first).start, /^kompat: start: bundle \(no snapshot could be built/);
  assertSameAsCheckout(first, "first run");
  const second = runIn(plain, ARGS, env);
  assert.match(how(second).start, /^kompat: start: bundle \(this node cannot build a snapshot/);
  assertSameAsCheckout(second, "second run");
});

test("older builds' blobs in the cache are pruned: the newest three keys stay", () => {
  const cache = join(tmp, "cache-prune");
  const top = join(cache, "kompat/snapshot");
  const old = ["0.0.1-a", "0.0.2-b", "0.0.3-c"];
  old.forEach((k, i) => {
    mkdirSync(join(top, k, "usr/bin/node"), { recursive: true });
    const t = new Date(Date.UTC(2020, 0, 1 + i));
    utimesSync(join(top, k), t, t);
  });
  const r = runIn(plain, ARGS, {
    HOME: tmp,
    XDG_CACHE_HOME: cache,
    KOMPAT_SNAPSHOT_BUILD: "foreground",
  });
  assert.match(how(r).start, /^kompat: start: snapshot /);
  const key = readFileSync(join(plain, "node_modules/kompat/dist/snapshot/kompat.key"), "utf8");
  assert.deepEqual(readdirSync(top).sort(), ["0.0.2-b", "0.0.3-c", key.trim()].sort());
});
