// The compatibility artifact of an image: resolve the image, find the referrers of the
// subject (falling back to this node's platform entry of an index, which NFD does not do),
// and read an artifact's spec layer, on an opened image (the use cases are in usecases.ts).

import type { OpenedImage } from "./client.js";
import {
  parseManifest,
  type Descriptor,
  type ImageManifest,
  type ParsedManifest,
} from "./descriptor.js";
import { ContentError, NotFoundError } from "./errors.js";
import { COMPAT_ARTIFACT_TYPE, COMPAT_SPEC_LAYER } from "./mediatypes.js";
import { MAX_SPEC_BYTES, MAX_SPEC_SIZE } from "../spec/limits.js";
import { formatPlatform, hostPlatform, parsePlatform, type Platform } from "./platform.js";
import { mapLimit } from "./bounded.js";
import { sortNewestFirst } from "./referrers.js";
import type { ReferrersResult } from "./store.js";
import { resolveSubject, selectPlatform } from "./subject.js";

export interface FoundArtifacts {
  /** `registry/repo@sha256:…` of the subject whose referrers these are. */
  subjectName: string;
  subject: Descriptor;
  /** The resolved reference's manifest (an index stays an index). */
  resolved: ParsedManifest;
  /** Its digest. */
  resolvedDigest: string;
  /**
   * The listing's version (ReferrersResult) when the artifacts are the subject's own, not
   * a platform entry's found by the host fallback.
   */
  listingVersion?: string;
  /** Newest first. */
  artifacts: Descriptor[];
  source: "api" | "tag" | "layout";
  /** Set when the artifacts belong to this node's platform entry rather than the index. */
  hostPlatformUsed?: Platform;
  /** Human-readable remarks (which subject was used and why). */
  notes: string[];
}

/**
 * Compatibility artifacts of the image. `hostFallback`: when an index has none, look at
 * the entry for this machine's platform (`host` overrides it, for tests).
 */
export async function findArtifactsOf(
  img: OpenedImage,
  opts: {
    platform?: string;
    hostFallback?: boolean;
    host?: Platform | (() => Platform);
    log?: (m: string) => void;
  },
): Promise<FoundArtifacts> {
  const log = opts.log ?? (() => {});
  const resolved = await img.target.resolve(img.reference);
  const platform = opts.platform !== undefined ? parsePlatform(opts.platform) : undefined;
  const picked = await resolveSubject(img.target, resolved, platform, img.name);
  const base = img.base;
  const notes: string[] = [];
  let subject = picked.subject;
  const list = async (s: Descriptor) =>
    withUntyped(img, await img.target.referrers(s, COMPAT_ARTIFACT_TYPE), log);
  let found = await list(subject);
  let hostPlatformUsed: Platform | undefined;
  if (
    found.referrers.length === 0 &&
    platform === undefined &&
    opts.hostFallback &&
    picked.parsed.kind === "index"
  ) {
    const host = typeof opts.host === "function" ? opts.host() : (opts.host ?? hostPlatform());
    const entry = selectPlatform(picked.parsed, host);
    if (entry !== undefined) {
      log(
        `${img.name}: the index has no compatibility artifact; trying its ${formatPlatform(host)} entry ${entry.digest}`,
      );
      const again = await list(entry);
      if (again.referrers.length > 0) {
        subject = entry;
        found = again;
        hostPlatformUsed = host;
        notes.push(
          `the image index has no compatibility artifact; used the one attached to its ${formatPlatform(host)} manifest`,
        );
      }
    }
  }
  return {
    subjectName: `${base}@${subject.digest}`,
    subject,
    resolved: picked.parsed,
    resolvedDigest: resolved.descriptor.digest,
    ...(found.version !== undefined && hostPlatformUsed === undefined
      ? { listingVersion: found.version }
      : {}),
    artifacts: sortNewestFirst(found.referrers),
    source: found.source,
    ...(hostPlatformUsed ? { hostPlatformUsed } : {}),
    notes,
  };
}

/** Manifests read at most to learn the type of index entries that do not say it. */
const MAX_UNTYPED_READS = 1000;
const READ_CONCURRENCY = 8;

/**
 * Entries without `artifactType` (skopeo 1.9 strips it): their manifests say. Read with
 * bounded concurrency, and refused past a cap rather than read one by one for minutes.
 */
export async function withUntyped(
  img: OpenedImage,
  found: ReferrersResult,
  log: (m: string) => void,
): Promise<ReferrersResult> {
  const untyped = found.untyped;
  if (untyped.length === 0) return found;
  if (untyped.length > MAX_UNTYPED_READS)
    throw new ContentError(
      `the referrers index of ${img.base} lists ${untyped.length} entries without artifactType; ` +
        `kompat reads at most ${MAX_UNTYPED_READS} artifact manifests to learn their type ` +
        `(attach again, or copy the image with kompat copy, to write a complete index)`,
    );
  log(`${untyped.length} referrer(s) without artifactType; reading their manifests`);
  const typed = await mapLimit(
    untyped,
    READ_CONCURRENCY,
    async (d): Promise<Descriptor | undefined> => {
      let parsed: ParsedManifest;
      try {
        parsed = parseManifest(
          await img.target.fetchManifest(d),
          d.mediaType,
          `referrer ${d.digest}`,
        );
      } catch (e) {
        if (e instanceof NotFoundError) return undefined; // a stale entry
        throw e;
      }
      const doc = parsed.kind === "index" ? parsed.index : parsed.manifest;
      const type =
        doc.artifactType ??
        (parsed.kind === "manifest" ? parsed.manifest.config.mediaType : undefined);
      if (type !== COMPAT_ARTIFACT_TYPE) return undefined;
      const annotations = d.annotations ?? doc.annotations;
      return { ...d, artifactType: type, ...(annotations ? { annotations } : {}) };
    },
  );
  const more = typed.filter((d): d is Descriptor => d !== undefined);
  return { ...found, referrers: [...found.referrers, ...more], untyped: [] };
}

export interface ArtifactSpec {
  manifest: ImageManifest;
  layer: Descriptor;
  text: string;
}

/** The spec of one artifact: its manifest's first layer (NFD reads layers[0]), as UTF-8 text. */
export async function readArtifactSpec(
  img: OpenedImage,
  artifact: Descriptor,
  subject?: Descriptor,
  log?: (m: string) => void,
): Promise<ArtifactSpec> {
  const where = `artifact ${artifact.digest}`;
  const bytes = await img.target.fetchManifest(artifact);
  const parsed = parseManifest(bytes, artifact.mediaType, where);
  if (parsed.kind !== "manifest")
    throw new ContentError(`${where} is an index, not an image manifest`);
  const manifest = parsed.manifest;
  if (
    subject !== undefined &&
    manifest.subject !== undefined &&
    manifest.subject.digest !== subject.digest
  ) {
    log?.(
      `${where}: its subject ${manifest.subject.digest} is not ${subject.digest} (listed anyway; used)`,
    );
  }
  const layer = manifest.layers[0];
  if (layer === undefined)
    throw new ContentError(`${where} has no layers; expected the spec as its first layer`);
  if (layer.mediaType !== COMPAT_SPEC_LAYER) {
    // NFD reads layers[0] whatever its type; so do we, but say so.
    log?.(
      `${where}: first layer has media type ${layer.mediaType}, not ${COMPAT_SPEC_LAYER}; reading it anyway`,
    );
  }
  if (layer.size > MAX_SPEC_BYTES)
    throw new ContentError(
      `${where}: spec layer is ${layer.size} bytes, over the ${MAX_SPEC_SIZE} limit`,
    );
  const blob = await img.target.fetchBlob(layer, MAX_SPEC_BYTES);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(blob);
  } catch {
    throw new ContentError(`${where}: spec layer ${layer.digest} is not UTF-8 text`);
  }
  return { manifest, layer, text };
}
