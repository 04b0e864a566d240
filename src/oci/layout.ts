// An OCI image layout directory (image-spec 1.1 `oci-layout`, `index.json`, `blobs/<alg>/<hex>`)
// as a Target, written the way oras writes it: every manifest listed in index.json, tags as
// `org.opencontainers.image.ref.name`, referrers found by reading the listed manifests' subject.

import { stat } from "node:fs/promises";
import { join, relative, resolve as resolvePath } from "node:path";
import { errnoCode, fsReason } from "../lib/fserror.js";
import { FileReadError, readFileBounded } from "../lib/fsread.js";
import { encodeJson, parseJson, parseManifest, type Descriptor } from "./descriptor.js";
import { digestAlgorithm, digestHex, isDigest, verifyContent } from "./digest.js";
import { ContentError, NotFoundError, RegistryError } from "./errors.js";
import { OutsideError, realPathInside, writeFileAtomic } from "./fsutil.js";
import { withLock } from "./lock.js";
import {
  ANNOTATION_REF_NAME,
  isIndexType,
  isManifestType,
  MAX_MANIFEST_BYTES,
  OCI_INDEX,
} from "./mediatypes.js";
import { readFallbackIndex, splitByType } from "./referrers.js";
import type {
  FetchedManifest,
  ManifestHead,
  PutResult,
  ReferrersResult,
  TaggedManifest,
  Target,
} from "./store.js";

/** index.json lists every manifest of the layout: room for about 60,000 entries. */
const MAX_LAYOUT_INDEX_BYTES = 16 * 1024 * 1024;

interface LayoutIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export class LayoutStore implements Target {
  readonly display: string;
  readonly key: string;
  private readonly root: string;

  /** `lockPath`: a lock file (outside the layout) guarding index.json updates. */
  constructor(
    dir: string,
    cwd = process.cwd(),
    private readonly lockPath?: string,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.root = resolvePath(cwd, dir);
    this.display = `oci-layout:${dir}`;
    this.key = `oci-layout:${this.root}`;
  }

  /** Read-modify-write of index.json, under the lock when there is one. */
  private async updateIndex(change: (index: LayoutIndex) => void, create: boolean): Promise<void> {
    const update = async () => {
      const index = await this.readIndex(create);
      change(index);
      await this.writeIndex(index);
    };
    if (this.lockPath === undefined) await update();
    else await withLock(this.lockPath, update);
  }

  private blobPath(digest: string): string {
    if (!isDigest(digest)) throw new ContentError(`${this.display}: malformed digest "${digest}"`);
    return join(this.root, "blobs", digestAlgorithm(digest), digestHex(digest));
  }

  /** index.json; a missing layout is an error unless `create` (an empty index then). */
  async readIndex(create = false): Promise<LayoutIndex> {
    const path = join(this.root, "index.json");
    let bytes: Buffer;
    try {
      bytes = await this.readFile(path, MAX_LAYOUT_INDEX_BYTES);
    } catch (e) {
      if (!(e instanceof Missing)) throw e;
      if (create) return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
      throw new NotFoundError(`${this.display}: not an OCI image layout (no ${path})`);
    }
    const parsed = parseManifest(new Uint8Array(bytes), OCI_INDEX, path);
    if (parsed.kind !== "index") throw new ContentError(`${path}: not an image index`);
    const out: LayoutIndex = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: parsed.index.manifests,
    };
    if (parsed.index.annotations) out.annotations = parsed.index.annotations;
    return out;
  }

  /**
   * A file of the layout: it must resolve inside the layout, be a regular file (a FIFO
   * would block, /dev/zero never end) and hold at most `maxBytes`. Missing: `Missing`.
   */
  private async readFile(path: string, maxBytes: number): Promise<Buffer> {
    try {
      const real = await realPathInside(this.root, path);
      return await readFileBounded(real, { maxBytes, regularOnly: true, noFollow: true });
    } catch (e) {
      const code = e instanceof FileReadError ? e.code : errnoCode(e);
      if (code === "ENOENT") throw new Missing();
      throw this.fileError(e, path, "read");
    }
  }

  /** Writes inside the layout only, with the failure in words. */
  private async writeFile(path: string, bytes: Uint8Array | string): Promise<void> {
    try {
      await writeFileAtomic(path, bytes, this.root);
    } catch (e) {
      throw this.fileError(e, path, "write");
    }
  }

  private fileError(e: unknown, path: string, verb: "read" | "write"): unknown {
    if (e instanceof OutsideError)
      return new ContentError(
        `${this.display}: ${e.path} leads outside the layout (to ${e.real}); refused`,
      );
    if (e instanceof FileReadError && e.code === "too-large")
      return new ContentError(`${this.display}: ${relative(this.root, path)}: ${e.reason}`);
    if (e instanceof FileReadError)
      return new RegistryError(
        `${this.display}: ${verb === "read" ? "cannot read" : "cannot write"} ${path}: ${e.reason}`,
      );
    if (errnoCode(e) !== undefined)
      return new RegistryError(`${this.display}: cannot ${verb} ${path}: ${fsReason(e)}`);
    return e;
  }

  private async writeIndex(index: LayoutIndex): Promise<void> {
    await this.writeFile(join(this.root, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    await this.writeFile(join(this.root, "index.json"), encodeJson(index));
  }

  /** Names of the tags in index.json, for messages. */
  async tags(): Promise<string[]> {
    const index = await this.readIndex();
    return index.manifests.flatMap((m) =>
      m.annotations?.[ANNOTATION_REF_NAME] ? [m.annotations[ANNOTATION_REF_NAME]] : [],
    );
  }

  private async readBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array> {
    const path = this.blobPath(desc.digest);
    if (desc.size > maxBytes)
      throw new ContentError(
        `${this.display}: ${desc.digest} is ${desc.size} bytes, over the ${maxBytes}-byte limit`,
      );
    let bytes: Buffer;
    try {
      bytes = await this.readFile(path, maxBytes);
    } catch (e) {
      if (e instanceof Missing)
        throw new NotFoundError(`${this.display}: blob ${desc.digest} is missing (${path})`);
      throw e;
    }
    // size -1: asked by digest alone.
    verifyContent(desc.size >= 0 ? desc : { digest: desc.digest }, bytes, path);
    return new Uint8Array(bytes);
  }

  async resolve(reference: string): Promise<FetchedManifest> {
    const index = await this.readIndex();
    const entry = isDigest(reference)
      ? index.manifests.find((m) => m.digest === reference)
      : index.manifests.find((m) => m.annotations?.[ANNOTATION_REF_NAME] === reference);
    if (entry === undefined && isDigest(reference)) {
      // Not listed (a child of an index): still readable by digest.
      const bytes = await this.readBlob(
        { mediaType: "", digest: reference, size: -1 },
        MAX_MANIFEST_BYTES,
      ).catch(() => undefined);
      if (bytes !== undefined) {
        const type = ownType(bytes);
        return {
          descriptor: { mediaType: type, digest: reference, size: bytes.byteLength },
          bytes,
        };
      }
    }
    if (entry === undefined) {
      const tags = index.manifests.flatMap((m) => m.annotations?.[ANNOTATION_REF_NAME] ?? []);
      throw new NotFoundError(
        `${this.display}: no manifest ${isDigest(reference) ? reference : `tagged "${reference}"`}` +
          (tags.length > 0 ? ` (tags: ${tags.join(", ")})` : " (the layout has no tags)"),
      );
    }
    const descriptor = withoutRefName(entry);
    return { descriptor, bytes: await this.fetchManifest(descriptor) };
  }

  fetchManifest(desc: Descriptor): Promise<Uint8Array> {
    return this.readBlob(desc, MAX_MANIFEST_BYTES);
  }

  fetchBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array> {
    if (desc.data !== undefined) {
      const inline = Buffer.from(desc.data, "base64");
      verifyContent(desc, inline, `inline data of ${desc.digest}`);
      return Promise.resolve(new Uint8Array(inline));
    }
    return this.readBlob(desc, maxBytes);
  }

  fetchTag(tag: string): Promise<TaggedManifest> {
    return this.resolve(tag);
  }

  async head(reference: string): Promise<ManifestHead> {
    const { digest, mediaType } = (await this.resolve(reference)).descriptor;
    return { digest, mediaType };
  }

  /** The blob alone is not enough: index.json must list it to be found. */
  async manifestExists(desc: Descriptor): Promise<boolean> {
    try {
      const index = await this.readIndex(true);
      return index.manifests.some((m) => m.digest === desc.digest) && (await this.blobExists(desc));
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async blobExists(desc: Descriptor): Promise<boolean> {
    const path = this.blobPath(desc.digest);
    let real: string;
    try {
      real = await realPathInside(this.root, path);
    } catch (e) {
      if (e instanceof OutsideError) throw this.fileError(e, path, "read");
      return false;
    }
    const st = await stat(real).catch(() => undefined);
    return st !== undefined && st.isFile() && st.size === desc.size;
  }

  async pushBlob(desc: Descriptor, bytes: Uint8Array): Promise<void> {
    verifyContent(desc, bytes, `blob ${desc.digest}`);
    await this.writeFile(this.blobPath(desc.digest), bytes);
  }

  async pushManifest(
    desc: Descriptor,
    bytes: Uint8Array,
    opts: { tag?: string } = {},
  ): Promise<PutResult> {
    await this.pushBlob(desc, bytes);
    const plain = withoutRefName(desc);
    const tag = opts.tag;
    await this.updateIndex((index) => {
      if (tag !== undefined) {
        index.manifests = index.manifests.filter(
          (m) => m.annotations?.[ANNOTATION_REF_NAME] !== tag,
        );
        index.manifests.push({
          ...plain,
          annotations: { ...(plain.annotations ?? {}), [ANNOTATION_REF_NAME]: tag },
        });
      } else if (!index.manifests.some((m) => m.digest === desc.digest)) {
        index.manifests.push(plain);
      }
    }, true);
    // The layout indexes referrers itself (by scanning): like a registry answering OCI-Subject.
    return { ociSubject: "layout" };
  }

  async deleteManifest(desc: Descriptor): Promise<void> {
    await this.updateIndex((index) => {
      index.manifests = index.manifests.filter((m) => m.digest !== desc.digest);
    }, false);
  }

  /** Its own scan, plus the fallback tag as `skopeo copy` of that tag writes it. */
  async referrers(subject: Descriptor, artifactType: string | undefined): Promise<ReferrersResult> {
    const scanned = await this.scan(subject, artifactType);
    const fallback = await readFallbackIndex(this, subject, this.log);
    const seen = new Set(scanned.map((d) => d.digest));
    const extra = fallback.entries.filter((d) => !seen.has(d.digest) && !!seen.add(d.digest));
    return { ...splitByType(extra, artifactType, scanned), source: "layout" };
  }

  /** A layout lists every manifest, so a referrer pushed is found by the scan. */
  indexesReferrers(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** The listed manifests whose subject is `subject`. */
  private async scan(subject: Descriptor, artifactType: string | undefined): Promise<Descriptor[]> {
    const index = await this.readIndex();
    const out: Descriptor[] = [];
    const seen = new Set<string>();
    for (const entry of index.manifests) {
      if (
        seen.has(entry.digest) ||
        (!isManifestType(entry.mediaType) && !isIndexType(entry.mediaType))
      )
        continue;
      seen.add(entry.digest);
      let bytes: Uint8Array;
      try {
        bytes = await this.fetchManifest(entry);
      } catch (e) {
        if (e instanceof NotFoundError) continue; // listed but absent: not ours to judge here
        throw e;
      }
      const parsed = parseManifest(bytes, entry.mediaType, `${this.display} ${entry.digest}`);
      const doc = parsed.kind === "index" ? parsed.index : parsed.manifest;
      if (doc.subject?.digest !== subject.digest) continue;
      const type =
        doc.artifactType ??
        (parsed.kind === "manifest" ? parsed.manifest.config.mediaType : undefined);
      if (artifactType !== undefined && type !== artifactType) continue;
      const d: Descriptor = { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
      if (type !== undefined) d.artifactType = type;
      if (doc.annotations) d.annotations = doc.annotations;
      out.push(d);
    }
    return out;
  }
}

/** A layout file that does not exist (told apart from every other failure). */
class Missing extends Error {}

function withoutRefName(d: Descriptor): Descriptor {
  if (d.annotations?.[ANNOTATION_REF_NAME] === undefined) return d;
  const { [ANNOTATION_REF_NAME]: _drop, ...rest } = d.annotations;
  const out: Descriptor = { ...d };
  if (Object.keys(rest).length > 0) out.annotations = rest;
  else delete out.annotations;
  return out;
}

function ownType(bytes: Uint8Array): string {
  const v = parseJson(bytes, "manifest");
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    if (typeof o.mediaType === "string") return o.mediaType;
    if (Array.isArray(o.manifests)) return OCI_INDEX;
  }
  return "application/vnd.oci.image.manifest.v1+json";
}
