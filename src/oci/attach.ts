// Attaching a compatibility spec to an image as oras does: the artifact manifest (empty
// config, the spec as the only layer, subject, created), blobs pushed unless present, the
// manifest pushed by digest, and without registry support the fallback referrers index
// updated under a local lock, re-read until our entry stays listed — and read once more
// after other machines had time to write, since a registry may ignore If-Match.

import {
  encodeJson,
  parseManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from "./descriptor.js";
import { sha256Of } from "./digest.js";
import { ContentError, RegistryError } from "./errors.js";
import { withLock } from "./lock.js";
import {
  ANNOTATION_CREATED,
  ANNOTATION_TITLE,
  COMPAT_ARTIFACT_TYPE,
  COMPAT_SPEC_LAYER,
  EMPTY_CONFIG,
  MAX_SPEC_BYTES,
  OCI_INDEX,
  OCI_MANIFEST,
} from "./mediatypes.js";
import { checkReferrersIndex } from "./fallback-check.js";
import { createdAfter, listReferrers, readFallbackIndex } from "./referrers.js";
import type { Target } from "./storage.js";

export interface AttachOptions {
  /** The spec file's name for `org.opencontainers.image.title`. */
  fileName: string;
  /** Extra manifest annotations; `created` is added unless given here. */
  annotations?: Record<string, string>;
  now?: () => Date;
  /** Lock file guarding the fallback index of this repository on this machine. */
  lockPath?: string;
  lockStaleMs?: number;
  /** Delete the replaced fallback index by digest (oras library behaviour; a failure only warns). */
  deleteStaleIndex?: boolean;
  /** How often to re-read and re-merge the fallback index before giving up (default 8). */
  maxMergeRounds?: number;
  /**
   * How long to wait after writing the fallback index before checking that it still lists
   * the entry (another machine may have read the index before our write and written after).
   * Default: 8× our own read-to-write time, at least 300 ms, at most 5 s; 0 skips the check.
   */
  settleMs?: number;
  log?: (msg: string) => void;
  warn?: (msg: string) => void;
}

export interface AttachResult {
  /** The artifact manifest's descriptor. */
  artifact: Descriptor;
  manifest: ImageManifest;
  /** How the referrer was recorded. */
  via: "registry" | "fallback-tag";
  fallbackTag?: string;
}

export function buildArtifactManifest(
  subject: Descriptor,
  spec: Uint8Array,
  opts: Pick<AttachOptions, "fileName" | "annotations" | "now"> & {
    /** Artifacts already attached: the new `created` is later than all of them. */
    existing?: readonly Descriptor[];
  },
): { manifest: ImageManifest; bytes: Uint8Array; descriptor: Descriptor; layer: Descriptor } {
  const layer: Descriptor = {
    mediaType: COMPAT_SPEC_LAYER,
    digest: sha256Of(spec),
    size: spec.byteLength,
    annotations: { [ANNOTATION_TITLE]: opts.fileName },
  };
  const annotations: Record<string, string> = { ...(opts.annotations ?? {}) };
  if (annotations[ANNOTATION_CREATED] === undefined)
    annotations[ANNOTATION_CREATED] = createdAfter(
      (opts.now ?? (() => new Date()))(),
      opts.existing ?? [],
    );
  // Field order as oras writes it.
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: COMPAT_ARTIFACT_TYPE,
    config: { ...EMPTY_CONFIG },
    layers: [layer],
    subject,
    annotations,
  };
  const bytes = encodeJson(manifest);
  const descriptor: Descriptor = {
    mediaType: OCI_MANIFEST,
    digest: sha256Of(bytes),
    size: bytes.byteLength,
  };
  return { manifest, bytes, descriptor, layer };
}

/** The entry a referrers index gets for an artifact manifest. */
export function referrerEntry(desc: Descriptor, manifest: ImageManifest): Descriptor {
  const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  entry.artifactType = manifest.artifactType ?? manifest.config.mediaType;
  if (manifest.annotations && Object.keys(manifest.annotations).length > 0)
    entry.annotations = { ...manifest.annotations };
  return entry;
}

export async function attachSpec(
  target: Target,
  subject: Descriptor,
  spec: Uint8Array,
  opts: AttachOptions,
): Promise<AttachResult> {
  const log = opts.log ?? (() => {});
  if (spec.byteLength > MAX_SPEC_BYTES) {
    throw new ContentError(`the spec is ${spec.byteLength} bytes; readers refuse specs over 1 MiB`);
  }
  // The newest existing artifact bounds our `created` from below, so this one wins.
  const existing =
    opts.annotations?.[ANNOTATION_CREATED] === undefined
      ? (await listReferrers(target, subject, COMPAT_ARTIFACT_TYPE, { log })).referrers
      : [];
  const built = buildArtifactManifest(subject, spec, { ...opts, existing });
  const configBytes = Buffer.from("{}");
  for (const [desc, bytes] of [
    [built.manifest.config, configBytes],
    [built.layer, spec],
  ] as const) {
    if (await target.blobExists(desc)) log(`blob ${desc.digest} already present`);
    else {
      log(`pushing blob ${desc.digest} (${desc.size} bytes)`);
      await target.pushBlob(desc, bytes);
    }
  }
  log(`pushing artifact manifest ${built.descriptor.digest}`);
  const put = await target.pushManifest(built.descriptor, built.bytes);
  const result: AttachResult = {
    artifact: built.descriptor,
    manifest: built.manifest,
    via: "registry",
  };
  if (put.ociSubject !== undefined) return result;

  log(
    `${target.display}: no OCI-Subject in the answer; recording the referrer in the fallback index`,
  );
  const entry = referrerEntry(built.descriptor, built.manifest);
  const tag = await recordInFallback(target, subject, entry, opts);
  return { ...result, via: "fallback-tag", fallbackTag: tag };
}

/**
 * Merge under the local lock, then (outside it) wait and read again: a writer elsewhere
 * that read the index before our write and wrote after it has replaced our entry by then,
 * and we merge again. Only an entry seen listed after the wait is reported as attached.
 */
async function recordInFallback(
  target: Target,
  subject: Descriptor,
  entry: Descriptor,
  opts: AttachOptions,
): Promise<string> {
  const log = opts.log ?? (() => {});
  const rounds = opts.maxMergeRounds ?? 8;
  let tag = "";
  for (let round = 0; round < rounds; round++) {
    const update = () => updateFallbackIndex(target, subject, entry, opts, round === 0);
    let windowMs: number;
    ({ tag, windowMs } =
      opts.lockPath === undefined
        ? await update()
        : await withLock(opts.lockPath, update, {
            ...(opts.lockStaleMs !== undefined ? { staleMs: opts.lockStaleMs } : {}),
            log,
          }));
    const settle = opts.settleMs ?? Math.min(5000, Math.max(300, 8 * windowMs));
    if (settle === 0) return tag;
    await sleep(settle + Math.random() * (settle / 4));
    const again = await readFallbackIndex(target, subject, log);
    if (again.entries.some((e) => e.digest === entry.digest)) return tag;
    log(
      `${target.display}:${tag} no longer lists the artifact ${settle} ms after writing (another machine wrote a stale copy); merging again`,
    );
  }
  throw new RegistryError(notListed(`${target.display}:${tag}`, entry, rounds));
}

/**
 * Read, merge, write, re-read until `entry` stays listed. Returns the tag and how long our
 * last read-to-write took (a measure of how long another writer's may take).
 */
async function updateFallbackIndex(
  target: Target,
  subject: Descriptor,
  entry: Descriptor,
  opts: AttachOptions,
  checkTag: boolean,
): Promise<{ tag: string; windowMs: number }> {
  const log = opts.log ?? (() => {});
  const rounds = opts.maxMergeRounds ?? 8;
  let replaced: Descriptor | undefined;
  let lastTag = "";
  let windowMs = 0;
  for (let round = 0; round < rounds; round++) {
    const readAt = Date.now();
    const fallback = await readFallbackIndex(target, subject, log);
    lastTag = fallback.tag;
    // Never overwrite an image someone keeps under that tag name.
    if (checkTag && round === 0) await checkReferrersIndex(target, subject, fallback, log);
    if (fallback.entries.some((e) => e.digest === entry.digest)) {
      if (round > 0) log(`${target.display}:${fallback.tag} lists the artifact`);
      if (replaced !== undefined && opts.deleteStaleIndex)
        await deleteStale(target, replaced, opts);
      return { tag: fallback.tag, windowMs };
    }
    const current = fallback.current;
    if (round > 0)
      log(`${target.display}:${fallback.tag} lost the entry (a concurrent writer); merging again`);
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [...fallback.entries, entry],
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
      await target.pushManifest(desc, bytes, {
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
    if (current && current.descriptor.digest !== desc.digest) replaced = current.descriptor;
    log(
      `updated ${target.display}:${fallback.tag} (${index.manifests.length} referrer${index.manifests.length === 1 ? "" : "s"})`,
    );
  }
  throw new RegistryError(notListed(`${target.display}:${lastTag}`, entry, rounds));
}

async function deleteStale(target: Target, old: Descriptor, opts: AttachOptions): Promise<void> {
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

const notListed = (where: string, entry: Descriptor, rounds: number) =>
  `${where}: the artifact ${entry.digest} did not stay listed in the referrers index after ${rounds} rounds (concurrent writers?); it is pushed but not discoverable: run attach again`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pause = (round: number) => sleep(20 * (round + 1) + Math.random() * 50);
