// Attaching a compatibility spec to an image as oras does: the artifact manifest (empty
// config, the spec as the only layer, subject, created), blobs pushed unless present, the
// manifest pushed by digest, and without registry support the fallback referrers index
// updated under a local lock, re-read until our entry stays listed.

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
  OCI_INDEX,
  OCI_MANIFEST,
} from "./mediatypes.js";
import { readFallbackIndex } from "./referrers.js";
import type { Target } from "./storage.js";
import { MAX_SPEC_BYTES, MAX_SPEC_SIZE } from "../spec/limits.js";

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

/** `2024-03-27T08:08:08Z`: UTC, RFC 3339, seconds. */
export function createdNow(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function buildArtifactManifest(
  subject: Descriptor,
  spec: Uint8Array,
  opts: Pick<AttachOptions, "fileName" | "annotations" | "now">,
): { manifest: ImageManifest; bytes: Uint8Array; descriptor: Descriptor; layer: Descriptor } {
  const layer: Descriptor = {
    mediaType: COMPAT_SPEC_LAYER,
    digest: sha256Of(spec),
    size: spec.byteLength,
    annotations: { [ANNOTATION_TITLE]: opts.fileName },
  };
  const annotations: Record<string, string> = { ...(opts.annotations ?? {}) };
  if (annotations[ANNOTATION_CREATED] === undefined)
    annotations[ANNOTATION_CREATED] = createdNow((opts.now ?? (() => new Date()))());
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
    throw new ContentError(
      `the spec is ${spec.byteLength} bytes; readers refuse specs over ${MAX_SPEC_SIZE}`,
    );
  }
  const built = buildArtifactManifest(subject, spec, opts);
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
  const update = () => updateFallbackIndex(target, subject, entry, opts);
  const tag =
    opts.lockPath === undefined
      ? await update()
      : await withLock(opts.lockPath, update, {
          ...(opts.lockStaleMs !== undefined ? { staleMs: opts.lockStaleMs } : {}),
          log,
        });
  return { ...result, via: "fallback-tag", fallbackTag: tag };
}

/** Read, merge, write, re-read until `entry` stays listed. Returns the tag. */
async function updateFallbackIndex(
  target: Target,
  subject: Descriptor,
  entry: Descriptor,
  opts: AttachOptions,
): Promise<string> {
  const log = opts.log ?? (() => {});
  const rounds = opts.maxMergeRounds ?? 8;
  let replaced: Descriptor | undefined;
  let lastTag = "";
  for (let round = 0; round < rounds; round++) {
    const fallback = await readFallbackIndex(target, subject, log);
    lastTag = fallback.tag;
    if (fallback.entries.some((e) => e.digest === entry.digest)) {
      if (round > 0) log(`${target.display}:${fallback.tag} lists the artifact`);
      if (replaced !== undefined && opts.deleteStaleIndex)
        await deleteStale(target, replaced, opts);
      return fallback.tag;
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
    if (current && current.descriptor.digest !== desc.digest) replaced = current.descriptor;
    log(
      `updated ${target.display}:${fallback.tag} (${index.manifests.length} referrer${index.manifests.length === 1 ? "" : "s"})`,
    );
  }
  throw new RegistryError(
    `${target.display}:${lastTag}: the artifact did not stay listed in the referrers index after ${rounds} rounds (concurrent writers?); run attach again`,
  );
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

const pause = (round: number) =>
  new Promise<void>((r) => setTimeout(r, 20 * (round + 1) + Math.random() * 50));
