// Content cache keyed by digest (manifests and spec blobs are immutable), plus small memos
// (a registry's referrers API support, a tag's last digest). Entries are written atomically
// and verified on every read; a corrupt entry is dropped. Failures to write are not errors.
// Old entries are pruned once a day (cache-prune.ts).

import { createHash } from "node:crypto";
import { mkdirSync, realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join, sep } from "node:path";
import { digestAlgorithm, digestHex, isDigest, verifyContent } from "./digest.js";
import { fsReason } from "../lib/fserror.js";
import { readFileBoundedSync } from "../lib/fsread.js";
import { errnoCode, realPathInsideSync, writeFileInFolderSync } from "./fsutil.js";
import { markPruned, pruneIfDue } from "./cache-prune.js";

export function cacheDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg.startsWith("/")) return join(xdg, "kompat");
  return join(env.HOME ?? homedir(), ".cache", "kompat");
}

/** Directory for lock files: the runtime dir when there is one, else the cache. */
export function lockDir(env: Record<string, string | undefined>): string {
  const run = env.XDG_RUNTIME_DIR;
  if (run !== undefined && run.startsWith("/")) return join(run, "kompat", "locks");
  return join(cacheDir(env), "locks");
}

/** A lock file path for one repository (any string key). */
export function lockPathFor(env: Record<string, string | undefined>, key: string): string {
  return join(lockDir(env), `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.lock`);
}

/** Larger cache entries are ignored (a miss): nothing kompat caches comes near it. */
const MAX_CACHE_ENTRY_BYTES = 64 * 1024 * 1024;
const MAX_MEMO_BYTES = 1024 * 1024;

/** Small remembered answers (a registry's referrers API, a tag's last digest), with an age. */
export interface Memos {
  /** A memo younger than `maxAgeMs`, or undefined. */
  getMemo<T>(key: string, maxAgeMs: number): Promise<T | undefined>;
  setMemo(key: string, value: unknown): Promise<void>;
}

/** The in-process layer: this many entries and bytes of content, this many memos. */
const MEMORY_ENTRIES = 256;
const MEMORY_BYTES = 16 * 1024 * 1024;
const MEMORY_MEMOS = 1024;

/** A map that forgets its least recently used keys past `maxEntries` or `maxWeight`. */
class Recent<V> {
  private readonly map = new Map<string, { value: V; weight: number }>();
  private weight = 0;
  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight = Infinity,
  ) {}
  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }
  set(key: string, value: V, weight = 0): void {
    if (weight > this.maxWeight / 4) return; // one large entry does not flush the rest
    this.delete(key);
    this.map.set(key, { value, weight });
    this.weight += weight;
    for (const [k] of this.map) {
      if (this.map.size <= this.maxEntries && this.weight <= this.maxWeight) break;
      this.delete(k);
    }
  }
  delete(key: string): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.weight -= e.weight;
    this.map.delete(key);
  }
}

/**
 * Verified entries and memos are also kept in memory (bounded), so a process that opens many
 * images reads and verifies each cache file once. Memos are kept as their JSON text: every
 * reader gets its own copy.
 */
export class ContentCache implements Memos {
  private pruneChecked = false;
  /** This process made the cache directory: nothing in it is old enough to prune. */
  private madeHere = false;
  /** The cache directory's real path, resolved on the first read that finds it. */
  private realDir: string | undefined;
  /**
   * Real paths of the cache's few folders (blobs/<alg>, memo), each checked to be inside the
   * cache once per instance: a 100-image audit did 500 realpath calls for three folders.
   */
  private readonly realFolders = new Map<string, string>();
  /** Pruning under way: callers do not wait for it, `settled()` does. */
  private readonly pending = new Set<Promise<void>>();
  private readonly entries = new Recent<Uint8Array>(MEMORY_ENTRIES, MEMORY_BYTES);
  private readonly memos = new Recent<{ at: number; json: string }>(MEMORY_MEMOS);

  constructor(
    readonly dir: string,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  /**
   * After this process's first write: prune if a day has passed (cache-prune.ts), in the
   * background. A cache this process created is only stamped: there is nothing to walk.
   */
  private afterWrite(): void {
    if (this.pruneChecked) return;
    this.pruneChecked = true;
    if (this.madeHere) {
      markPruned(this.dir);
      return;
    }
    this.background(
      pruneIfDue(this.dir).then(
        (r) => {
          if (r && r.removed > 0) this.log(`cache: pruned ${r.removed} entries (${r.bytes} bytes)`);
        },
        (e: unknown) => this.log(`cache: pruning failed: ${(e as Error).message}`),
      ),
    );
  }

  private path(digest: string): string {
    return join(this.dir, "blobs", digestAlgorithm(digest), digestHex(digest));
  }

  async get(digest: string, size?: number): Promise<Uint8Array | undefined> {
    if (!isDigest(digest)) return undefined;
    const kept = this.entries.get(digest);
    if (kept !== undefined && (size === undefined || size === kept.byteLength)) return kept;
    let bytes: Buffer;
    try {
      bytes = this.read(this.path(digest), size ?? MAX_CACHE_ENTRY_BYTES);
    } catch {
      return undefined;
    }
    try {
      verifyContent(size === undefined ? { digest } : { digest, size }, bytes, "cache");
    } catch {
      this.log(`cache entry ${digest} is corrupt; dropped`);
      await rm(this.path(digest), { force: true });
      return undefined;
    }
    const out = new Uint8Array(bytes);
    this.entries.set(digest, out, out.byteLength);
    return out;
  }

  /**
   * A file of the cache: inside the cache directory once links are followed, regular, and
   * bounded (a planted link or FIFO is a miss, never a hang or a read elsewhere).
   */
  // Synchronous on purpose: an entry is a few KiB of the user's own cache, and each async
  // step is a round trip through libuv's thread pool (5 per entry; a warm validate-node
  // then never starts the pool). Measured: warm `--image` 1.28x -> 1.17x of `--spec`.
  private read(path: string, maxBytes: number): Buffer {
    // The entry's own name is never followed (O_NOFOLLOW): a link planted there is a miss.
    return readFileBoundedSync(join(this.folder(dirname(path), false), basename(path)), {
      maxBytes,
      regularOnly: true,
      noFollow: true,
    });
  }

  /**
   * The real path of one of the cache's folders, checked to be inside the cache once per
   * instance; with `create`, made first when missing. Errno errors propagate.
   */
  private folder(folder: string, create: boolean): string {
    const known = this.realFolders.get(folder);
    if (known !== undefined) return known;
    if (create) {
      const made = mkdirSync(folder, { recursive: true });
      if (made !== undefined && (made === this.dir || this.dir.startsWith(made + sep)))
        this.madeHere = true;
    }
    this.realDir ??= realpathSync.native(this.dir);
    const real = realPathInsideSync(this.dir, folder, this.realDir);
    this.realFolders.set(folder, real);
    return real;
  }

  /** Pruning runs in the background; whoever closes the session waits (settled). */
  private background(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves when the pruning started so far has finished (failures were logged). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private writeError(e: unknown): void {
    this.log(`cannot write cache ${this.dir}: ${fsReason(e)}`);
  }

  /** Stores verified content; callers verify before putting. A failure to write is logged. */
  put(digest: string, bytes: Uint8Array): Promise<void> {
    if (!isDigest(digest)) return Promise.resolve();
    const copy = new Uint8Array(bytes); // callers keep theirs
    this.entries.set(digest, copy, copy.byteLength);
    this.write(this.path(digest), copy);
    return Promise.resolve();
  }

  // Synchronous, like reads: an entry is a few KiB, and each async step was a trip through
  // libuv's thread pool (about 8 per entry; cold `validate-node --image` spent 13-23 ms there).
  private write(path: string, content: Uint8Array | string): void {
    const folder = dirname(path);
    const once = () => writeFileInFolderSync(this.folder(folder, true), basename(path), content);
    try {
      try {
        once();
      } catch (e) {
        // The folder went away since it was checked (the cache was cleared under a
        // long-running webhook): make and check it again, once.
        if (errnoCode(e) !== "ENOENT" || !this.realFolders.delete(folder)) throw e;
        once();
      }
    } catch (e) {
      this.writeError(e);
      return;
    }
    this.afterWrite();
  }

  private memoPath(key: string): string {
    return join(
      this.dir,
      "memo",
      `${createHash("sha256").update(key).digest("hex").slice(0, 40)}.json`,
    );
  }

  /** A memo younger than `maxAgeMs`, or undefined. */
  async getMemo<T>(key: string, maxAgeMs: number): Promise<T | undefined> {
    const fresh = (at: number) => Date.now() - at <= maxAgeMs && Date.now() >= at;
    const kept = this.memos.get(key);
    if (kept !== undefined)
      return fresh(kept.at) ? ((JSON.parse(kept.json) as { value?: T }).value as T) : undefined;
    try {
      const text = this.read(this.memoPath(key), MAX_MEMO_BYTES).toString("utf8");
      const v = JSON.parse(text) as {
        key?: string;
        at?: number;
        value?: T;
      };
      if (v.key !== key || typeof v.at !== "number") return undefined;
      this.memos.set(key, { at: v.at, json: text });
      return fresh(v.at) ? v.value : undefined;
    } catch {
      return undefined;
    }
  }

  setMemo(key: string, value: unknown): Promise<void> {
    const at = Date.now();
    const json = JSON.stringify({ key, at, value });
    if (json.length <= MAX_MEMO_BYTES) this.memos.set(key, { at, json });
    this.write(this.memoPath(key), json);
    return Promise.resolve();
  }
}
