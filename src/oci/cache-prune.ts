// Keeps the content cache small. Nothing in it is needed (all can be fetched again), so at
// most once a day, after a write, entries written more than 30 days ago go, then the
// oldest until the cache is under its size limit, and temporary files a crashed writer
// left. Only files named as the cache names them are removed: never lock files, never
// anything else someone put there.

import { closeSync, constants, openSync } from "node:fs";
import { readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface PruneLimits {
  /** Entries older than this go (ms). */
  maxAgeMs: number;
  /** Above this many bytes the oldest entries go, down to three quarters of it. */
  maxBytes: number;
  /** Pruning runs at most this often (ms). */
  everyMs: number;
}

const DEFAULT_PRUNE_LIMITS: PruneLimits = {
  maxAgeMs: 30 * 24 * 3600_000,
  maxBytes: 64 << 20,
  everyMs: 24 * 3600_000,
};

const STAMP = "pruned";
// O_NOFOLLOW: a link planted as the stamp must not truncate what it points to.
const STAMP_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
/** A temporary file older than this belongs to a writer that died. */
const STALE_TMP_MS = 3600_000;
const HEX = /^[0-9a-f]{32,128}$/;
const MEMO = /^[0-9a-f]{40}\.json$/;
const TMP = /\.tmp-\d+-[0-9a-f]{8}$/;

interface Entry {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface PruneResult {
  removed: number;
  bytes: number;
}

/** Prunes when the last pruning is older than `limits.everyMs`; undefined when not due. */
export async function pruneIfDue(
  dir: string,
  limits: PruneLimits = DEFAULT_PRUNE_LIMITS,
  now = Date.now(),
): Promise<PruneResult | undefined> {
  const stamp = join(dir, STAMP);
  try {
    if (now - (await stat(stamp)).mtimeMs < limits.everyMs) return undefined;
  } catch {
    // Never pruned.
  }
  // The stamp first: other processes writing at the same moment then skip.
  try {
    await writeFile(stamp, "", { flag: STAMP_FLAGS });
    await utimes(stamp, now / 1000, now / 1000);
  } catch {
    return undefined;
  }
  return prune(dir, limits, now);
}

/** Stamps the cache as pruned now (a cache just made has nothing to prune). */
export function markPruned(dir: string): void {
  try {
    closeSync(openSync(join(dir, STAMP), STAMP_FLAGS, 0o644));
  } catch {
    // The next write tries again.
  }
}

export async function prune(dir: string, limits: PruneLimits, now: number): Promise<PruneResult> {
  const entries: Entry[] = [];
  const stale: string[] = [];
  const collect = async (sub: string, name: RegExp): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(sub);
    } catch {
      return;
    }
    for (const n of names) {
      const path = join(sub, n);
      const isTmp = TMP.test(n);
      if (!isTmp && !name.test(n)) continue;
      let st;
      try {
        st = await stat(path);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      if (isTmp) {
        if (now - st.mtimeMs > STALE_TMP_MS) stale.push(path);
      } else entries.push({ path, size: st.size, mtimeMs: st.mtimeMs });
    }
  };
  let algs: string[] = [];
  try {
    algs = (await readdir(join(dir, "blobs"))).filter((a) => /^[a-z0-9]+$/.test(a));
  } catch {
    // No blobs yet.
  }
  for (const a of algs) await collect(join(dir, "blobs", a), HEX);
  await collect(join(dir, "memo"), MEMO);

  const doomed = new Set<Entry>(entries.filter((e) => now - e.mtimeMs > limits.maxAgeMs));
  let total = entries.reduce((s, e) => s + (doomed.has(e) ? 0 : e.size), 0);
  if (total > limits.maxBytes) {
    const oldestFirst = entries.filter((e) => !doomed.has(e)).sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const e of oldestFirst) {
      if (total <= (limits.maxBytes * 3) / 4) break;
      doomed.add(e);
      total -= e.size;
    }
  }
  const result: PruneResult = { removed: 0, bytes: 0 };
  for (const path of [...[...doomed].map((e) => e.path), ...stale]) {
    try {
      const { size } = await stat(path);
      await rm(path, { force: true });
      result.removed++;
      result.bytes += size;
    } catch {
      // Gone already (another process pruned it).
    }
  }
  return result;
}
