// A store behind the content cache, itself a store: manifests and blobs by digest come from
// the cache when it holds them (verified on every read), a tag is answered by a HEAD and the
// cached manifest while the tag has not moved; everything else goes to the store inside.

import type { ContentCache } from "./cache.js";
import type { Descriptor } from "./descriptor.js";
import { isDigest } from "./digest.js";
import type {
  FetchedManifest,
  ManifestHead,
  PutResult,
  ReferrersResult,
  TaggedManifest,
  Target,
} from "./store.js";

/**
 * Blobs read with a larger limit are not cached: configs and specs are small, image layers
 * (copy reads them with a 1 GiB limit) would fill the cache with what nothing reads again.
 */
const MAX_CACHED_BLOB_BYTES = 4 * 1024 * 1024;

/** How long a tag's last digest is remembered for the HEAD shortcut. */
const TAG_MEMO_MS = 30 * 24 * 60 * 60 * 1000;

export class CachedStore implements Target {
  readonly display: string;
  readonly key: string;

  constructor(
    private readonly inner: Target,
    private readonly cache: ContentCache,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.display = inner.display;
    this.key = inner.key;
  }

  /**
   * By digest with a warm cache: no request. By tag with a warm cache: a HEAD, and the
   * cached manifest when the tag has not moved.
   */
  async resolve(reference: string): Promise<FetchedManifest> {
    const memoKey = `tag ${this.key}:${reference}`;
    if (isDigest(reference)) {
      const hit = await this.cached(reference);
      if (hit) return hit;
    } else {
      const last = await this.cache.getMemo<{ digest: string }>(memoKey, TAG_MEMO_MS);
      if (last !== undefined) {
        const now = await this.inner.head(reference);
        const hit = now && (await this.cached(now.digest, now.mediaType));
        if (hit) return hit;
        this.log(`${this.display}:${reference} moved or is not cached; fetching it`);
      }
    }
    const got = await this.inner.resolve(reference);
    await this.cache.put(got.descriptor.digest, got.bytes);
    if (!isDigest(reference)) await this.cache.setMemo(memoKey, { digest: got.descriptor.digest });
    return got;
  }

  private async cached(digest: string, mediaType?: string): Promise<FetchedManifest | undefined> {
    const bytes = await this.cache.get(digest);
    const type = mediaType ?? (bytes && mediaTypeOfBytes(bytes));
    return bytes && type
      ? { descriptor: { mediaType: type, digest, size: bytes.byteLength }, bytes }
      : undefined;
  }

  async fetchManifest(desc: Descriptor): Promise<Uint8Array> {
    const hit = await this.cache.get(desc.digest, desc.size);
    if (hit !== undefined) return hit;
    const bytes = await this.inner.fetchManifest(desc);
    await this.cache.put(desc.digest, bytes);
    return bytes;
  }

  async fetchBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array> {
    if (desc.data !== undefined || maxBytes > MAX_CACHED_BLOB_BYTES)
      return this.inner.fetchBlob(desc, maxBytes);
    const hit = await this.cache.get(desc.digest, desc.size);
    if (hit !== undefined) return hit;
    const bytes = await this.inner.fetchBlob(desc, maxBytes);
    await this.cache.put(desc.digest, bytes);
    return bytes;
  }

  // Tags move and existence changes: asked of the store inside every time.
  fetchTag(tag: string): Promise<TaggedManifest> {
    return this.inner.fetchTag(tag);
  }
  head(reference: string): Promise<ManifestHead | undefined> {
    return this.inner.head(reference);
  }
  manifestExists(desc: Descriptor): Promise<boolean> {
    return this.inner.manifestExists(desc);
  }
  blobExists(desc: Descriptor): Promise<boolean> {
    return this.inner.blobExists(desc);
  }
  pushBlob(desc: Descriptor, bytes: Uint8Array): Promise<void> {
    return this.inner.pushBlob(desc, bytes);
  }
  pushManifest(
    desc: Descriptor,
    bytes: Uint8Array,
    opts?: { tag?: string; ifMatch?: string },
  ): Promise<PutResult> {
    return this.inner.pushManifest(desc, bytes, opts);
  }
  deleteManifest(desc: Descriptor): Promise<void> {
    return this.inner.deleteManifest(desc);
  }
  referrers(subject: Descriptor, artifactType: string | undefined): Promise<ReferrersResult> {
    return this.inner.referrers(subject, artifactType);
  }
  indexesReferrers(subject: Descriptor): Promise<boolean> {
    return this.inner.indexesReferrers(subject);
  }
  referrersVersion(subject: Descriptor): Promise<string | undefined> {
    return this.inner.referrersVersion?.(subject) ?? Promise.resolve(undefined);
  }
}

function mediaTypeOfBytes(bytes: Uint8Array): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
    return typeof v.mediaType === "string" ? v.mediaType : undefined;
  } catch {
    return undefined;
  }
}
