// Turns dist/snapshot/kompat.cjs (the snapshot's bundled entry, built by scripts/snapshot.mjs)
// into a V8 start-up blob for the node running this file. No dependencies: the installed
// package runs it (postinstall, and bin/kompat's first run into the per-user cache), where
// esbuild and the sources are absent. A blob loads only in the node binary that built it,
// so a stamp beside it (kompat.blob.node) names that binary and carries its mtime; bin/kompat
// uses a blob only when its node matches the stamp.
//
//   node snapshot-blob.mjs --postinstall     into the package's dist/snapshot/; never fails
//   node snapshot-blob.mjs --cache DIR NODE  into DIR (bin/kompat's per-user cache), published
//                                            as a whole directory, so concurrent first runs
//                                            never see a blob without its stamp or half a blob
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// V8 flags the blob is built with. A blob loads only with the flags it was built with, so
// bin/kompat passes exactly these (keep the two in step; the start-up tests fail otherwise).
// Feedback vectors from a function's first call: in a short run most code runs a few times
// only, and without them property accesses take the slow path (measured: 72.8 → 69.9 ms
// for validate-node --spec with live discovery).
// A young generation of 4 MiB from the start, not 1 MiB: a short run then collects no
// garbage at all (validate-node --spec with live discovery and --image both went through
// two scavenges, each copying the half-built spec, 1-10 ms together; peak RSS unchanged).
export const V8_FLAGS = ["--no-lazy-feedback-allocation", "--min-semi-space-size=4"];

const unique = () => `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Builds `dir/kompat.blob` from `entry` with this node, then its stamp; each is written to a
 * temporary name and renamed, the stamp last, so a blob is never paired with a stamp early.
 * Throws on failure (the caller decides how quiet to be).
 */
export function writeBlob(entryPath, dirPath) {
  const entry = resolve(entryPath);
  const blob = join(resolve(dirPath), "kompat.blob");
  const tmp = `${blob}.${unique()}.tmp`;
  const stampTmp = `${blob}.node.${unique()}.tmp`;
  try {
    execFileSync(
      process.execPath,
      [...V8_FLAGS, "--snapshot-blob", tmp, "--build-snapshot", entry],
      // The entry's directory: the blob's code resolves nothing from the cwd, but a build
      // must not depend on where it was started.
      { stdio: ["ignore", "ignore", "pipe"], cwd: dirname(entry), env: buildEnv() },
    );
    renameSync(tmp, blob);
    writeFileSync(stampTmp, `${process.execPath}\n`);
    copyMtime(process.execPath, stampTmp);
    renameSync(stampTmp, `${blob}.node`);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(stampTmp, { force: true });
  }
}

/** V8 flags from NODE_OPTIONS would make the blob unloadable by bin/kompat's plain flags. */
function buildEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/** Whether `stamp` names this node binary with its current mtime (bin/kompat's check). */
export function stampMatches(stamp) {
  try {
    const named = readFileSync(stamp, "utf8").trim();
    const a = statSync(named);
    const b = statSync(process.execPath);
    const s = statSync(stamp);
    return a.ino === b.ino && a.dev === b.dev && s.mtimeMs === b.mtimeMs;
  } catch {
    return false;
  }
}

/** bin/kompat compares mtimes exactly: `touch -r` copies them to the nanosecond. */
export function copyMtime(from, to) {
  try {
    execFileSync("touch", ["-r", from, to], { stdio: "ignore" });
  } catch {
    const s = statSync(from);
    utimesSync(to, s.atime, s.mtime);
  }
}

/**
 * The per-user cache: builds into a private directory beside `dir` and renames it to `dir`.
 * A rename onto an existing non-empty directory fails, so the first complete build wins and
 * later ones are dropped (the blobs are equivalent). `dir.lock` (holding the builder's pid)
 * keeps other first runs from building meanwhile; `dir.failed` (a stamp) records that this
 * node cannot build one, so no later run tries again until node changes.
 */
export function buildIntoCache(entry, dir, node = process.execPath) {
  mkdirSync(dirname(dir), { recursive: true });
  // A shim or wrapper named node (volta, a script) is not the binary that would build the
  // blob, and bin/kompat could never match the stamp: say so once, for that node.
  if (!sameFile(node, process.execPath)) {
    markFailed(dir, node);
    return false;
  }
  if (stampMatches(join(dir, "kompat.blob.node"))) return true;
  const lock = `${dir}.lock`;
  if (!takeLock(lock)) return false;
  const work = `${dir}.${unique()}.tmp`;
  try {
    mkdirSync(work);
    try {
      writeBlob(entry, work);
    } catch (e) {
      markFailed(dir, node);
      throw e;
    }
    publish(work, dir);
    pruneOtherKeys(dir, node);
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(lock, { force: true });
  }
}

/** `dir.failed`: a stamp for `node`, which bin/kompat reads as "do not try again". */
function markFailed(dir, node) {
  const failed = `${dir}.${unique()}.failed.tmp`;
  writeFileSync(failed, `${node}\n`);
  copyMtime(node, failed);
  renameSync(failed, `${dir}.failed`);
}

function sameFile(a, b) {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}

// Blobs of this many kompat builds (KEY) are kept: two versions used in turn never evict
// each other, and upgrades do not pile up 6 MB blobs in the user's cache.
const KEEP_KEYS = 3;

/** `dir` is CACHE/snapshot/KEY/PATH-OF-NODE: drops the least recently built other KEYs. */
function pruneOtherKeys(dir, node) {
  if (!dir.endsWith(node)) return;
  const own = dir.slice(0, dir.length - node.length);
  const top = dirname(own);
  try {
    const now = new Date();
    utimesSync(own, now, now);
    const keys = readdirSync(top)
      .map((name) => ({ path: join(top, name), mtime: statSync(join(top, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const k of keys.slice(KEEP_KEYS)) {
      if (k.path !== own) rmSync(k.path, { recursive: true, force: true });
    }
  } catch {
    // Pruning is housekeeping: a race with another builder is harmless.
  }
}

function publish(work, dir) {
  try {
    renameSync(work, dir);
    return;
  } catch (e) {
    if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
  }
  // Someone published first. Theirs serves if it was built by this node; a stale one (node
  // replaced since) is moved aside and ours put in its place.
  if (stampMatches(join(dir, "kompat.blob.node"))) return;
  const old = `${dir}.${unique()}.old`;
  renameSync(dir, old);
  rmSync(old, { recursive: true, force: true });
  renameSync(work, dir);
}

/** True when this process now holds `lock`; false when a live builder does. */
function takeLock(lock) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    let pid;
    try {
      pid = Number(readFileSync(lock, "utf8").trim());
    } catch {
      return false; // released meanwhile: that builder has published
    }
    if (alive(pid)) return false;
    rmSync(lock, { force: true }); // left by a builder that was killed
  }
  return false;
}

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** npm's postinstall: into the package's own dist/snapshot/ when it can; silent either way. */
function postinstall() {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  // In a checkout `npm run build` makes the blob; npm runs postinstall there too.
  if (existsSync(join(root, "tsconfig.json"))) return;
  const dir = join(root, "dist", "snapshot");
  const entry = join(dir, "kompat.cjs");
  if (!existsSync(entry) || stampMatches(join(dir, "kompat.blob.node"))) return;
  try {
    writeBlob(entry, dir);
  } catch {
    // A read-only package dir, or a node that cannot build snapshots: bin/kompat falls
    // back to the per-user cache or the plain bundle. An install must never fail on this.
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [mode, arg, node] = process.argv.slice(2);
  try {
    if (mode === "--postinstall") postinstall();
    else if (mode === "--cache" && arg) {
      const entry = join(dirname(fileURLToPath(import.meta.url)), "..", "dist/snapshot/kompat.cjs");
      process.exitCode = buildIntoCache(entry, arg, node) ? 0 : 1;
    } else {
      process.stderr.write("usage: snapshot-blob.mjs --postinstall | --cache DIR [NODE]\n");
      process.exitCode = 2;
    }
  } catch (e) {
    if (mode === "--postinstall") process.exitCode = 0;
    else {
      process.stderr.write(`kompat: start-up snapshot not built: ${e.message}\n`);
      process.exitCode = 1;
    }
  }
}
