// Attaching a compatibility spec to an image as oras does: the artifact manifest (empty
// config, the spec as the only layer, subject, created), blobs pushed unless present, the
// manifest pushed by digest, and without registry support the fallback referrers index
// updated under a local lock, re-read until our entry stays listed — and read once more
// after other machines had time to write, since a registry may ignore If-Match.

import { encodeJson, type Descriptor, type ImageManifest } from "./descriptor.js";
import { sha256Of } from "./digest.js";
import { ContentError } from "./errors.js";
import {
  ANNOTATION_CREATED,
  ANNOTATION_TITLE,
  COMPAT_ARTIFACT_TYPE,
  COMPAT_SPEC_LAYER,
  EMPTY_CONFIG,
  OCI_MANIFEST,
} from "./mediatypes.js";
import { pushManifestSteadily, recordInFallback, type FallbackOptions } from "./fallback-write.js";
import { createdAfter } from "./referrers.js";
import type { Target } from "./store.js";
import { MAX_SPEC_BYTES, MAX_SPEC_SIZE } from "../spec/limits.js";

export interface AttachOptions extends FallbackOptions {
  /** The spec file's name for `org.opencontainers.image.title`. */
  fileName: string;
  /** Extra manifest annotations; `created` is added unless given here. */
  annotations?: Record<string, string>;
  now?: () => Date;
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

export async function attachToSubject(
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
  // The newest existing artifact bounds our `created` from below, so this one wins.
  const existing =
    opts.annotations?.[ANNOTATION_CREATED] === undefined
      ? (await target.referrers(subject, COMPAT_ARTIFACT_TYPE)).referrers
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
  const put = await pushManifestSteadily(target, built.descriptor, built.bytes, log);
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
  const tag = await recordInFallback(target, subject, [entry], opts);
  return { ...result, via: "fallback-tag", fallbackTag: tag };
}
