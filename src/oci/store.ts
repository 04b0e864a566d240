// What every store of images answers — a registry repository, an OCI layout directory, or
// either behind the content cache — as small capabilities in oras-go's manner, so that
// resolving, fetching, attaching, copying and finding referrers are written once and no
// caller can tell the stores apart.
//
// "Not found" is said one way: a lookup by reference or descriptor (`resolve`, `fetchTag`,
// `head`, `fetchManifest`, `fetchBlob`) throws NotFoundError; a question of existence
// (`manifestExists`, `blobExists`) answers false.

import type { Descriptor } from "./descriptor.js";

export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

export interface TaggedManifest extends FetchedManifest {
  /** Entity tag for a conditional update (`If-Match`), when the store gives one. */
  etag?: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
}

export interface PutResult {
  /** The registry's `OCI-Subject` header: it indexed the referrer itself. */
  ociSubject?: string;
}

export interface ReferrersResult {
  referrers: Descriptor[];
  /**
   * Entries of a fallback index without `artifactType` (skopeo 1.9 strips it when copying
   * the tag): whether they are of the asked type is known only from their manifests.
   */
  untyped: Descriptor[];
  /** Where they came from: the registry's API, the fallback tag, or a layout scan. */
  source: "api" | "tag" | "layout";
  /**
   * What this listing was read from, where the store can ask it again cheaply
   * (`referrersVersion`): the fallback tag's manifest digest, or that it had none.
   */
  version?: string;
}

/** Manifests by reference: a tag or a digest (content verified when by digest). */
export interface Resolver {
  /** The manifest `reference` names, of a type kompat reads. */
  resolve(reference: string): Promise<FetchedManifest>;
  /** Whatever manifest `tag` holds (any media type), with its entity tag when given. */
  fetchTag(tag: string): Promise<TaggedManifest>;
  /**
   * What `reference` points to without reading it (a registry's HEAD, which Docker Hub does
   * not count against pull limits); undefined when the store cannot say without a fetch (a
   * registry without Docker-Content-Digest).
   */
  head(reference: string): Promise<ManifestHead | undefined>;
  /** Whether the manifest is stored and findable (a layout: listed in index.json). */
  manifestExists(desc: Descriptor): Promise<boolean>;
}

/** Content by descriptor, verified against its digest and size. */
export interface Fetcher {
  fetchManifest(desc: Descriptor): Promise<Uint8Array>;
  /** Larger than `maxBytes` fails; inline `data` is decoded, not fetched. */
  fetchBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array>;
}

export interface Pusher {
  blobExists(desc: Descriptor): Promise<boolean>;
  pushBlob(desc: Descriptor, bytes: Uint8Array): Promise<void>;
  /** Stores a manifest under its digest, or under `tag` when given (the Tagger part). */
  pushManifest(
    desc: Descriptor,
    bytes: Uint8Array,
    opts?: { tag?: string; ifMatch?: string },
  ): Promise<PutResult>;
}

export interface Deleter {
  /** Deletes a manifest by digest; an absent one is not an error. */
  deleteManifest(desc: Descriptor): Promise<void>;
}

export interface ReferrerLister {
  /**
   * Referrers of `subject` with `artifactType` (all when undefined): the store's own listing
   * (referrers API, layout scan) and the referrers tag schema's fallback index as needed.
   */
  referrers(subject: Descriptor, artifactType: string | undefined): Promise<ReferrersResult>;
  /**
   * Whether a manifest pushed with a `subject` is listed among the referrers by the store
   * itself; when false, the writer records it in the fallback index.
   */
  indexesReferrers(subject: Descriptor): Promise<boolean>;
  /**
   * The `version` that `referrers(subject)` would report now, asked without reading the
   * listing (a HEAD); undefined when the store cannot tell.
   */
  referrersVersion?(subject: Descriptor): Promise<string | undefined>;
}

export interface Target extends Resolver, Fetcher, Pusher, Deleter, ReferrerLister {
  /** For messages: `registry.example/app` or `oci-layout:/path`. */
  readonly display: string;
  /** Key for locks and memos: the same repository gives the same key. */
  readonly key: string;
}
