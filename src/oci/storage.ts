// One storage abstraction for a remote repository and an on-disk OCI image layout, so
// resolving, fetching, attaching and finding referrers are written once.

import type { Descriptor } from "./descriptor.js";

export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

export interface TaggedManifest extends FetchedManifest {
  /** Entity tag for a conditional update (`If-Match`), when the store gives one. */
  etag?: string;
}

export interface PutResult {
  /** The registry's `OCI-Subject` header: it indexed the referrer itself. */
  ociSubject?: string;
}

export interface Target {
  /** For messages: `registry.example/app` or `oci-layout:/path`. */
  readonly display: string;
  /** Key for locks and memos: the same repository gives the same key. */
  readonly key: string;
  /** Whether the store itself indexes referrers (always true for a layout). */
  readonly kind: "remote" | "layout";

  /** The manifest a tag or digest names (content verified when by digest). Throws NotFoundError. */
  resolve(reference: string): Promise<FetchedManifest>;
  /** A manifest by descriptor, verified against its digest and size. */
  fetchManifest(desc: Descriptor): Promise<Uint8Array>;
  /** A blob by descriptor, verified; larger than `maxBytes` fails. */
  fetchBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array>;
  /** The manifest under `tag` with its entity tag, or undefined when the tag does not exist. */
  fetchTag(tag: string): Promise<TaggedManifest | undefined>;
  blobExists(desc: Descriptor): Promise<boolean>;
  pushBlob(desc: Descriptor, bytes: Uint8Array): Promise<void>;
  /** Stores a manifest under its digest, or under `tag` when given. */
  pushManifest(
    desc: Descriptor,
    bytes: Uint8Array,
    opts?: { tag?: string; ifMatch?: string },
  ): Promise<PutResult>;
  /** Deletes a manifest by digest. */
  deleteManifest(desc: Descriptor): Promise<void>;
  /**
   * Referrers the store can list natively (registry referrers API, layout scan), filtered by
   * artifact type; undefined when the store cannot (use the fallback tag).
   */
  nativeReferrers(
    subject: Descriptor,
    artifactType: string | undefined,
  ): Promise<Descriptor[] | undefined>;
  close(): Promise<void>;
}
