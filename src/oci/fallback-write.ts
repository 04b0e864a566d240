// Recording referrers in the referrers tag schema's fallback index (`sha256-<hex>`) on a
// registry without the referrers API: read, merge, write under a lock on this machine, with
// If-Match where honoured, re-read until listed — and read once more after other machines
// had time to write, since a registry may ignore If-Match and a stale copy may replace ours.

import { encodeJson, parseManifest, type Descriptor, type ImageIndex } from "./descriptor.js";
import { sha256Of } from "./digest.js";
import { RegistryError } from "./errors.js";
import { checkReferrersIndex } from "./fallback-check.js";
import { withLock } from "./lock.js";
import { OCI_INDEX } from "./mediatypes.js";
import { readFallbackIndex } from "./referrers.js";
import type { PutResult, Target } from "./store.js";

export interface FallbackOptions {
  /** Lock file guarding the fallback index of this repository on this machine. */
  lockPath?: string;
  lockStaleMs?: number;
  /** Delete the replaced fallback index by digest (oras library behaviour; a failure only warns). */
  deleteStaleIndex?: boolean;
  /** How often to re-read and re-merge the fallback index before giving up (default 8). */
  maxMergeRounds?: number;
  /**
   * How long to wait after writing the fallback index before checking that it still lists
   * the entries (another machine may have read the index before our write and written after).
   * Default: 8× our own read-to-write time, at least 300 ms, at most 5 s; 0 skips the check.
   */
  settleMs?: number;
  log?: (msg: string) => void;
  warn?: (msg: string) => void;
}

/**
 * Merge under the local lock, then (outside it) wait and read again: a writer elsewhere
 * that read the index before our write and wrote after it has replaced our entry by then,
 * and we merge again. Only an entry seen listed after the wait is reported as attached.
 */
export async function recordInFallback(
  target: Target,
  subject: Descriptor,
  entries: readonly Descriptor[],
  opts: FallbackOptions,
): Promise<string> {
  const log = opts.log ?? (() => {});
  const rounds = opts.maxMergeRounds ?? 8;
  let tag = "";
  for (let round = 0; round < rounds; round++) {
    const update = () => updateFallbackIndex(target, subject, entries, opts, round === 0);
    let windowMs: number;
    let wrote: boolean;
    ({ tag, windowMs, wrote } =
      opts.lockPath === undefined
        ? await update()
        : await withLock(opts.lockPath, update, {
            ...(opts.lockStaleMs !== undefined ? { staleMs: opts.lockStaleMs } : {}),
            log,
          }));
    const settle = opts.settleMs ?? Math.min(5000, Math.max(300, 8 * windowMs));
    // Nothing written (all listed already): nothing of ours another writer could drop.
    if (settle === 0 || !wrote) return tag;
    await sleep(settle + Math.random() * (settle / 4));
    const again = await readFallbackIndex(target, subject, log);
    if (allListed(again.entries, entries)) return tag;
    log(
      `${target.display}:${tag} no longer lists the artifact ${settle} ms after writing (another machine wrote a stale copy); merging again`,
    );
  }
  throw new RegistryError(notListed(`${target.display}:${tag}`, entries, rounds));
}

/**
 * Read, merge, write, re-read until `entries` stay listed. Returns the tag, whether we wrote,
 * and how long our last read-to-write took (a measure of how long another writer's may take).
 */
async function updateFallbackIndex(
  target: Target,
  subject: Descriptor,
  entries: readonly Descriptor[],
  opts: FallbackOptions,
  checkTag: boolean,
): Promise<{ tag: string; windowMs: number; wrote: boolean }> {
  const log = opts.log ?? (() => {});
  const rounds = opts.maxMergeRounds ?? 8;
  let replaced: Descriptor | undefined;
  let lastTag = "";
  let windowMs = 0;
  let wrote = false;
  for (let round = 0; round < rounds; round++) {
    const readAt = Date.now();
    const fallback = await readFallbackIndex(target, subject, log);
    lastTag = fallback.tag;
    // Never overwrite an image someone keeps under that tag name.
    if (checkTag && round === 0) await checkReferrersIndex(target, subject, fallback, log);
    if (allListed(fallback.entries, entries)) {
      if (round > 0) log(`${target.display}:${fallback.tag} lists the artifact`);
      if (replaced !== undefined && opts.deleteStaleIndex)
        await deleteStale(target, replaced, opts);
      return { tag: fallback.tag, windowMs, wrote };
    }
    const current = fallback.current;
    if (round > 0)
      log(`${target.display}:${fallback.tag} lost the entry (a concurrent writer); merging again`);
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [...fallback.entries, ...missing(fallback.entries, entries)],
    };
    if (current) {
      const prev = parseManifest(current.bytes, OCI_INDEX, "referrers index");
      if (prev.kind === "index" && prev.index.annotations)
        index.annotations = prev.index.annotations;
    }
    const bytes = encodeJson(index);
    const desc: Descriptor = {
      mediaType: OCI_INDEX,
      digest: sha256Of(bytes),
      size: bytes.byteLength,
    };
    try {
      await pushManifestSteadily(target, desc, bytes, log, {
        tag: fallback.tag,
        ...(current?.etag !== undefined ? { ifMatch: current.etag } : {}),
      });
    } catch (e) {
      if (e instanceof RegistryError && e.status === 412) {
        log(`${target.display}:${fallback.tag} changed while merging; reading it again`);
        await pause(round);
        continue;
      }
      throw e;
    }
    windowMs = Date.now() - readAt;
    wrote = true;
    if (current && current.descriptor.digest !== desc.digest) replaced = current.descriptor;
    log(
      `updated ${target.display}:${fallback.tag} (${index.manifests.length} referrer${index.manifests.length === 1 ? "" : "s"})`,
    );
  }
  throw new RegistryError(notListed(`${target.display}:${lastTag}`, entries, rounds));
}

/** Attempts at a manifest PUT that Distribution answers DIGEST_INVALID (see below). */
const STALE_LINK_ATTEMPTS = 4;

/**
 * Pushes a manifest whose digest we computed from these very bytes. Distribution answers 400
 * DIGEST_INVALID when a blob or manifest the manifest references has a link file that reads
 * as no digest — which is what it reads while another client's upload of the same blob
 * rewrites that link (truncate, then write: parallel attaches all push the same empty config
 * `{}`). Our bytes are right, so the answer is transient: wait a little and push again.
 */
export async function pushManifestSteadily(
  target: Target,
  desc: Descriptor,
  bytes: Uint8Array,
  log: (msg: string) => void,
  opts?: { tag?: string; ifMatch?: string },
): Promise<PutResult> {
  // Only a body that hashes to its digest makes DIGEST_INVALID the registry's transient error.
  if (sha256Of(bytes) !== desc.digest)
    throw new Error(`internal: manifest bytes do not hash to ${desc.digest}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await target.pushManifest(desc, bytes, opts);
    } catch (e) {
      if (!(e instanceof RegistryError && e.status === 400 && e.code === "DIGEST_INVALID")) throw e;
      if (attempt >= STALE_LINK_ATTEMPTS)
        throw new RegistryError(
          `${e.message} (${attempt} times, though the manifest's bytes hash to ${desc.digest}: the registry keeps misreading a blob it references)`,
          e.url,
          e.status,
          e.code,
        );
      log(
        `${target.display}: DIGEST_INVALID for a manifest whose bytes match ${desc.digest} (a concurrent upload rewriting a blob link); pushing again`,
      );
      await sleep(50 * attempt + Math.random() * 50);
    }
  }
}

async function deleteStale(target: Target, old: Descriptor, opts: FallbackOptions): Promise<void> {
  try {
    await target.deleteManifest(old);
    opts.log?.(`deleted the replaced referrers index ${old.digest}`);
  } catch (e) {
    const status =
      e instanceof RegistryError && e.status === 405
        ? " (the registry does not allow deletes)"
        : "";
    opts.warn?.(
      `could not delete the replaced referrers index ${old.digest}${status}: ${(e as Error).message}`,
    );
  }
}

const missing = (have: readonly Descriptor[], want: readonly Descriptor[]) => {
  const listed = new Set(have.map((e) => e.digest));
  return want.filter((e) => !listed.has(e.digest));
};
const allListed = (have: readonly Descriptor[], want: readonly Descriptor[]) =>
  missing(have, want).length === 0;

const notListed = (where: string, entries: readonly Descriptor[], rounds: number) =>
  `${where}: the artifact ${entries.map((e) => e.digest).join(", ")} did not stay listed in the referrers index after ${rounds} rounds (concurrent writers?); it is pushed but not discoverable: run attach again`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pause = (round: number) => sleep(20 * (round + 1) + Math.random() * 50);
