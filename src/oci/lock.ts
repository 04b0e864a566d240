// A per-repository lock file on this machine around read-merge-write of a referrers index,
// so concurrent attaches from one machine never overwrite each other's entry. A lock whose
// holder died (same host, process gone) or stopped refreshing it is broken.

import { randomBytes } from "node:crypto";
import { link, mkdir, open, rename, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { errnoCode, fsReason } from "../lib/fserror.js";
import { FileReadError, readFileBounded } from "../lib/fsread.js";

/** A lock file holds one small JSON owner record. */
const MAX_LOCK_BYTES = 4096;

/** A lock file's text: regular, not a link, bounded (a planted FIFO must not hang us). */
async function readLockText(path: string): Promise<string> {
  const bytes = await readFileBounded(path, {
    maxBytes: MAX_LOCK_BYTES,
    regularOnly: true,
    noFollow: true,
  });
  return bytes.toString("utf8");
}

export interface LockOptions {
  /** A lock not refreshed for this long is stale (default 30 s; holders refresh every third of it). */
  staleMs?: number;
  /** Give up waiting after this long (default 120 s). */
  waitMs?: number;
  log?: (msg: string) => void;
}

/** The lock could not be taken: another holder, or the lock directory is unusable. */
export class LockError extends Error {
  override name = "LockError";
}

interface Owner {
  pid: number;
  host: string;
  since: string;
  nonce: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === "EPERM";
  }
}

async function readOwner(path: string): Promise<{ text: string; owner?: Owner } | undefined> {
  try {
    const text = await readLockText(path);
    try {
      return { text, owner: JSON.parse(text) as Owner };
    } catch {
      return { text };
    }
  } catch (e) {
    if (e instanceof FileReadError && e.code === "ENOENT") return undefined;
    if (e instanceof FileReadError) throw new LockError(`lock file ${e.message}`);
    throw e;
  }
}

/** Runs `fn` holding the lock file at `path` (created with its directory as needed). */
export async function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const staleMs = opts.staleMs ?? 30_000;
  const waitMs = opts.waitMs ?? 120_000;
  const log = opts.log ?? (() => {});
  const fail = (e: unknown): never => {
    throw new LockError(`cannot create lock file ${path}: ${fsReason(e)}`);
  };
  await mkdir(dirname(path), { recursive: true }).catch(fail);
  const mine: Owner = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString("hex"),
  };
  const text = JSON.stringify(mine);
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      const fh = await open(path, "wx", 0o600);
      await fh.writeFile(text);
      await fh.close();
      break;
    } catch (e) {
      if (errnoCode(e) !== "EEXIST") fail(e);
    }
    const held = await readOwner(path);
    if (held === undefined) continue;
    let mtime: number;
    try {
      mtime = (await stat(path)).mtimeMs;
    } catch {
      continue;
    }
    const o = held.owner;
    const dead =
      o !== undefined && o.host === mine.host && typeof o.pid === "number" && !alive(o.pid);
    if (dead || Date.now() - mtime > staleMs) {
      await breakLock(path, held.text);
      log(`broke a stale lock ${path}${o ? ` (pid ${o.pid} on ${o.host})` : ""}`);
      continue;
    }
    if (Date.now() - started > waitMs) {
      throw new LockError(
        `timed out waiting for lock ${path}` +
          (o ? ` held by pid ${o.pid} on ${o.host} since ${o.since}` : "") +
          "; remove the file if no kompat attach is running",
      );
    }
    if (!announced) {
      log(`waiting for lock ${path}${o ? ` (held by pid ${o.pid})` : ""}`);
      announced = true;
    }
    await sleep(20 + Math.random() * 80);
  }
  const refresh = setInterval(
    () => {
      const now = new Date();
      utimes(path, now, now).catch(() => {});
    },
    Math.max(staleMs / 3, 10),
  );
  refresh.unref();
  try {
    return await fn();
  } finally {
    clearInterval(refresh);
    const held = await readOwner(path).catch(() => undefined);
    if (held?.text === text) await unlink(path).catch(() => {});
  }
}

/** Moves the stale lock aside atomically; if what moved was not the stale one, puts it back. */
async function breakLock(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return;
    throw e;
  }
  const moved = await readLockText(aside).catch(() => undefined);
  if (moved !== staleText) await link(aside, path).catch(() => {}); // someone else's fresh lock
  await unlink(aside).catch(() => {});
}
