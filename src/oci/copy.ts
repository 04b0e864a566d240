// Copying an image with its referrers between registries and OCI layouts, as `oras copy -r`
// does: the whole graph (every platform of an index, configs, layers), children before
// parents, blobs and manifests the destination already has skipped; then the referrers of
// every manifest copied (compatibility artifacts, or all with `allReferrers`), recorded at
// the destination by its referrers API or its fallback tag.

import { mapLimit } from "./bounded.js";
import type { OpenedImage } from "./client.js";
import { withUntyped } from "./compat.js";
import { parseManifest, type Descriptor } from "./descriptor.js";
import { ContentError, NotFoundError } from "./errors.js";
import { recordInFallback } from "./fallback-write.js";
import { COMPAT_ARTIFACT_TYPE } from "./mediatypes.js";

/** Blobs are held in memory while copied: larger ones are refused with a message. */
const MAX_COPY_BLOB_BYTES = 1024 * 1024 * 1024;
/** Manifests in one copy (an index of indexes, referrers of referrers): a hostile graph stops here. */
const MAX_MANIFESTS = 10_000;
const BLOB_CONCURRENCY = 4;

export interface CopyOptions {
  /** Tag to give the root at the destination (none: by digest only). */
  tag?: string;
  /** Every referrer, not only compatibility artifacts (`-r`). */
  allReferrers?: boolean;
  log?: (msg: string) => void;
}

export interface CopyResult {
  root: Descriptor;
  manifestsCopied: number;
  manifestsSkipped: number;
  blobsCopied: number;
  blobsSkipped: number;
  bytesCopied: number;
  referrers: number;
}

export async function copyResolved(
  src: OpenedImage,
  dst: OpenedImage,
  root: { descriptor: Descriptor; bytes: Uint8Array },
  opts: CopyOptions = {},
): Promise<CopyResult> {
  const log = opts.log ?? (() => {});
  const out: CopyResult = {
    root: root.descriptor,
    manifestsCopied: 0,
    manifestsSkipped: 0,
    blobsCopied: 0,
    blobsSkipped: 0,
    bytesCopied: 0,
    referrers: 0,
  };
  const done = new Set<string>();
  // Referrers not indexed by the destination, grouped by subject: one index update each.
  const pending = new Map<string, { subject: Descriptor; entries: Descriptor[] }>();
  const artifactType = opts.allReferrers ? undefined : COMPAT_ARTIFACT_TYPE;

  const copyBlob = async (d: Descriptor) => {
    // Inline data (the empty config) is pushed too: registries check that blobs exist.
    if (await dst.target.blobExists(d)) {
      out.blobsSkipped++;
      return;
    }
    if (d.size > MAX_COPY_BLOB_BYTES)
      throw new ContentError(
        `blob ${d.digest} is ${d.size} bytes; kompat copy holds a blob in memory and copies blobs up to 1 GiB (use oras copy -r for this image)`,
      );
    const bytes = await src.target.fetchBlob(d, MAX_COPY_BLOB_BYTES); // inline data decoded
    await dst.target.pushBlob(d, bytes);
    out.blobsCopied++;
    out.bytesCopied += bytes.byteLength;
    log(`copied blob ${d.digest} (${d.size} bytes)`);
  };

  /** A manifest and everything below it; its referrers after it. */
  const copyNode = async (d: Descriptor, bytes?: Uint8Array, tag?: string): Promise<void> => {
    if (done.has(d.digest) && tag === undefined) return;
    if (done.size >= MAX_MANIFESTS)
      throw new ContentError(
        `${src.name}: more than ${MAX_MANIFESTS} manifests in the graph (image and referrers); not copied further`,
      );
    done.add(d.digest);
    const body = bytes ?? (await src.target.fetchManifest(d));
    const parsed = parseManifest(body, d.mediaType, `${src.base}@${d.digest}`);
    if (parsed.kind === "index") {
      for (const child of parsed.index.manifests) await copyNode(child);
    } else {
      const m = parsed.manifest;
      await mapLimit([m.config, ...m.layers], BLOB_CONCURRENCY, copyBlob);
    }
    const doc = parsed.kind === "index" ? parsed.index : parsed.manifest;
    let indexed = false;
    if (tag === undefined && (await dst.target.manifestExists(d))) out.manifestsSkipped++;
    else if (tag !== undefined && (await tagged(dst, tag)) === d.digest) out.manifestsSkipped++;
    else {
      const put = await dst.target.pushManifest(d, body, tag !== undefined ? { tag } : {});
      indexed = put.ociSubject !== undefined;
      out.manifestsCopied++;
    }
    if (doc.subject !== undefined && tag === undefined && !indexed) {
      // A referrer the destination did not index itself: its fallback index lists it, as
      // oras writes the entry (a copy interrupted before may have left it out).
      const entry: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
      const type =
        doc.artifactType ??
        (parsed.kind === "manifest" ? parsed.manifest.config.mediaType : undefined);
      if (type !== undefined) entry.artifactType = type;
      if (doc.annotations) entry.annotations = doc.annotations;
      const p = pending.get(doc.subject.digest) ?? { subject: doc.subject, entries: [] };
      p.entries.push(entry);
      pending.set(doc.subject.digest, p);
    }
    await copyReferrers(d);
  };

  const copyReferrers = async (subject: Descriptor) => {
    const listed = await src.target.referrers(subject, artifactType);
    // Entries without artifactType (skopeo strips it): their manifests say what they are.
    const found = await withUntyped(src, listed, log);
    for (const r of found.referrers) {
      out.referrers++;
      await copyNode(r);
    }
  };

  await copyNode(root.descriptor, root.bytes, opts.tag);
  for (const { subject, entries } of pending.values()) {
    // Present already (skipped): whether the destination indexes it is asked once.
    if (await dst.target.indexesReferrers(subject)) continue;
    await recordInFallback(dst.target, subject, entries, { lockPath: dst.lockPath, log });
    log(
      `${dst.base}: ${entries.length} referrer(s) of ${subject.digest} listed in its referrers tag`,
    );
  }
  return out;
}

/** The digest `tag` points to at the destination; undefined when absent or not said. */
async function tagged(img: OpenedImage, tag: string): Promise<string | undefined> {
  try {
    return (await img.target.head(tag))?.digest;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}
