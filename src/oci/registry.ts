// A repository in a remote registry (distribution-spec 1.1) as a Target: manifests with the
// right Accept headers and digest checks, blobs, pushes, and its referrers — the API when
// the registry has it (remembered, in process and in the cache's memos), else the tag.

import type { Authenticator } from "./auth.js";
import type { Operation } from "./auth-challenge.js";
import type { Memos } from "./cache.js";
import type { Descriptor } from "./descriptor.js";
import { isDigest, sha256Of, verifyContent } from "./digest.js";
import { ContentError, NotFoundError, RegistryError, printable, safeUrl } from "./errors.js";
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from "./mediatypes.js";
import { fallbackVersion, readFallbackIndex, splitByType } from "./referrers.js";
import { referrersTagFor } from "./reference.js";
import { contentType, expect, notFound } from "./registry-errors.js";
import { AuthorizedExchange } from "./registry-exchange.js";
import { referrersFromApi } from "./registry-referrers.js";
import type {
  FetchedManifest,
  ManifestHead,
  PutResult,
  ReferrersResult,
  TaggedManifest,
  Target,
} from "./store.js";
import type { HttpRequest, HttpResponse, Transport } from "./transport.js";

export interface RemoteOptions {
  /** Registry as in the reference (`localhost:5000`, `docker.io`). */
  registry: string;
  /** Host to talk to (`registry-1.docker.io` for Docker Hub). */
  apiHost: string;
  repository: string;
  plainHttp?: boolean;
  transport: Transport;
  auth: Authenticator;
  /** Where credentials for this repository come from (for messages), undefined when none. */
  credentialSource?: () => Promise<string | undefined>;
  /** Ask for push rights from the first token on (attach), saving a second token fetch. */
  forPush?: boolean;
  log?: (msg: string) => void;
  /** Where "this registry has (no) referrers API" is remembered across processes. */
  memos?: Memos;
}

/** How long a remembered "this registry has no referrers API" is trusted. */
const NO_API_MEMO_MS = 24 * 60 * 60 * 1000;

export class RemoteRepository implements Target {
  readonly display: string;
  readonly key: string;
  /** Whether the registry serves the referrers API; undefined until learnt (or read from a memo). */
  private referrersApi: boolean | undefined;
  private readonly base: string;
  /** The registry's origin: the only one its credentials are sent to. */
  readonly origin: string;
  private readonly log: (msg: string) => void;
  /** Every request, authenticated as the registry asks. */
  private readonly exchange: AuthorizedExchange;
  constructor(private readonly opts: RemoteOptions) {
    this.display = `${opts.registry}/${opts.repository}`;
    this.key = this.display;
    this.base = `${opts.plainHttp ? "http" : "https"}://${opts.apiHost}/v2/${opts.repository}`;
    this.origin = new URL(this.base).origin;
    this.log = opts.log ?? (() => {});
    this.exchange = new AuthorizedExchange({
      repository: opts.repository,
      origin: this.origin,
      transport: opts.transport,
      auth: opts.auth,
      ...(opts.forPush ? { forPush: true } : {}),
      ...(opts.credentialSource ? { credentialSource: opts.credentialSource } : {}),
    });
  }

  private send(req: HttpRequest, op: Operation = "pull"): Promise<HttpResponse> {
    return this.exchange.send(req, op);
  }

  async resolve(reference: string): Promise<FetchedManifest> {
    const url = `${this.base}/manifests/${reference}`;
    const res = await this.send({
      method: "GET",
      url,
      headers: { accept: MANIFEST_ACCEPT.join(", ") },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status === 404)
      throw notFound(
        res,
        `manifest ${this.display}${isDigest(reference) ? "@" : ":"}${reference} not found`,
      );
    expect(res, [200], "fetch manifest");
    plainManifest(res);
    return { descriptor: this.describe(res, reference), bytes: res.body };
  }

  async manifestExists(desc: Descriptor): Promise<boolean> {
    try {
      return (await this.head(desc.digest)) !== undefined;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async head(reference: string): Promise<ManifestHead | undefined> {
    const url = `${this.base}/manifests/${reference}`;
    const res = await this.send({
      method: "HEAD",
      url,
      headers: { accept: MANIFEST_ACCEPT.join(", ") },
    });
    if (res.status === 404) throw notFound(res, `manifest ${this.display}:${reference} not found`);
    expect(res, [200], "check manifest");
    const digest = res.headers["docker-content-digest"];
    const mediaType = contentType(res);
    if (
      digest === undefined ||
      !isDigest(digest) ||
      mediaType === undefined ||
      !MANIFEST_ACCEPT.includes(mediaType)
    )
      return undefined;
    return { digest, mediaType };
  }

  /** The descriptor of a manifest response, checked against the digest it was asked by. */
  private describe(res: HttpResponse, reference: string, anyType = false): Descriptor {
    const headerDigest = res.headers["docker-content-digest"];
    const byDigest = isDigest(reference);
    let digest: string;
    if (byDigest) {
      if (headerDigest !== undefined && headerDigest !== reference) {
        throw new ContentError(
          `GET ${safeUrl(res.url)}: Docker-Content-Digest ${headerDigest} does not match the requested ${reference}`,
          safeUrl(res.url),
        );
      }
      verifyContent({ digest: reference }, res.body, `GET ${safeUrl(res.url)}`);
      digest = reference;
    } else if (headerDigest !== undefined && isDigest(headerDigest)) {
      verifyContent({ digest: headerDigest }, res.body, `GET ${safeUrl(res.url)}`);
      digest = headerDigest;
    } else {
      digest = sha256Of(res.body);
    }
    const mediaType = contentType(res) ?? ownMediaType(res.body) ?? "";
    if (
      mediaType === "application/vnd.docker.distribution.manifest.v1+prettyjws" ||
      mediaType === "application/vnd.docker.distribution.manifest.v1+json"
    ) {
      throw new ContentError(
        `GET ${safeUrl(res.url)}: Docker schema 1 manifests are not supported`,
        safeUrl(res.url),
      );
    }
    if (!MANIFEST_ACCEPT.includes(mediaType) && !anyType) {
      throw new ContentError(
        `GET ${safeUrl(res.url)}: unexpected manifest media type "${mediaType || "(none)"}"`,
        safeUrl(res.url),
      );
    }
    return { mediaType, digest, size: res.body.byteLength };
  }

  async fetchManifest(desc: Descriptor): Promise<Uint8Array> {
    const url = `${this.base}/manifests/${desc.digest}`;
    if (desc.size > MAX_MANIFEST_BYTES) {
      throw new ContentError(
        `manifest ${desc.digest} is ${desc.size} bytes, over the 4 MiB limit`,
        safeUrl(url),
      );
    }
    const res = await this.send({
      method: "GET",
      url,
      headers: { accept: desc.mediaType },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status === 404)
      throw notFound(res, `manifest ${this.display}@${desc.digest} not found`);
    expect(res, [200], "fetch manifest");
    plainManifest(res);
    const got = contentType(res);
    if (got !== undefined && got !== desc.mediaType && MANIFEST_ACCEPT.includes(got)) {
      throw new ContentError(
        `GET ${safeUrl(res.url)}: Content-Type ${got}, expected ${desc.mediaType}`,
        safeUrl(res.url),
      );
    }
    this.describe(res, desc.digest);
    verifyContent(desc, res.body, `GET ${safeUrl(res.url)}`);
    return res.body;
  }

  async fetchBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array> {
    const url = `${this.base}/blobs/${desc.digest}`;
    if (desc.size > maxBytes) {
      throw new ContentError(
        `blob ${desc.digest} is ${desc.size} bytes, over the ${maxBytes}-byte limit`,
        safeUrl(url),
      );
    }
    if (desc.data !== undefined) {
      const inline = Buffer.from(desc.data, "base64");
      verifyContent(desc, inline, `inline data of ${desc.digest}`);
      return new Uint8Array(inline);
    }
    const res = await this.send({ method: "GET", url, maxBytes });
    if (res.status === 404) throw notFound(res, `blob ${this.display}@${desc.digest} not found`);
    expect(res, [200], "fetch blob");
    const headerDigest = res.headers["docker-content-digest"];
    if (
      headerDigest !== undefined &&
      isDigest(headerDigest) &&
      headerDigest !== desc.digest &&
      new URL(res.url).origin === new URL(url).origin
    ) {
      throw new ContentError(
        `GET ${safeUrl(res.url)}: Docker-Content-Digest ${headerDigest} does not match ${desc.digest}`,
        safeUrl(res.url),
      );
    }
    verifyContent(desc, res.body, `GET ${safeUrl(res.url)}`);
    return res.body;
  }

  async fetchTag(tag: string): Promise<TaggedManifest> {
    const url = `${this.base}/manifests/${tag}`;
    const res = await this.send({
      method: "GET",
      url,
      headers: { accept: MANIFEST_ACCEPT.join(", ") },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status === 404) throw notFound(res, `manifest ${this.display}:${tag} not found`);
    expect(res, [200], "fetch manifest");
    plainManifest(res);
    // Whatever the tag holds is returned; callers decide whether it is what they want.
    const out: TaggedManifest = { descriptor: this.describe(res, tag, true), bytes: res.body };
    if (res.headers.etag !== undefined) out.etag = res.headers.etag;
    return out;
  }

  async blobExists(desc: Descriptor): Promise<boolean> {
    const res = await this.send(
      { method: "HEAD", url: `${this.base}/blobs/${desc.digest}` },
      "push",
    );
    if (res.status === 404) return false;
    expect(res, [200], "check blob");
    return true;
  }

  async pushBlob(desc: Descriptor, bytes: Uint8Array): Promise<void> {
    const start = await this.send(
      { method: "POST", url: `${this.base}/blobs/uploads/`, headers: { "content-length": "0" } },
      "push",
    );
    expect(start, [202], "start blob upload");
    const location = start.headers.location;
    if (location === undefined)
      throw new RegistryError(
        `POST ${safeUrl(start.url)}: 202 without a Location header`,
        safeUrl(start.url),
        202,
      );
    const target = new URL(location, start.url);
    if (new URL(start.url).protocol === "https:" && target.protocol !== "https:") {
      throw new RegistryError(
        `POST ${safeUrl(start.url)}: upload location ${safeUrl(target)} would downgrade from HTTPS`,
        safeUrl(start.url),
      );
    }
    target.searchParams.set("digest", desc.digest);
    const put = await this.send(
      {
        method: "PUT",
        url: target.toString(),
        headers: {
          "content-type": "application/octet-stream",
          "content-length": String(bytes.byteLength),
        },
        body: bytes,
        // The upload session is single-use: a retry could not succeed.
        idempotent: false,
      },
      "push",
    );
    expect(put, [201], "upload blob");
  }

  async pushManifest(
    desc: Descriptor,
    bytes: Uint8Array,
    opts: { tag?: string; ifMatch?: string } = {},
  ): Promise<PutResult> {
    const url = `${this.base}/manifests/${opts.tag ?? desc.digest}`;
    const headers: Record<string, string> = { "content-type": desc.mediaType };
    if (opts.ifMatch !== undefined) headers["if-match"] = opts.ifMatch;
    const res = await this.send(
      { method: "PUT", url, headers, body: bytes, maxBytes: 64 * 1024 },
      "push",
    );
    if (res.status === 412) {
      throw new RegistryError(
        `PUT ${safeUrl(url)}: 412 precondition failed (changed by someone else)`,
        safeUrl(url),
        412,
      );
    }
    expect(res, [201], "push manifest");
    const got = res.headers["docker-content-digest"];
    if (got !== undefined && isDigest(got) && got !== desc.digest) {
      throw new ContentError(
        `PUT ${safeUrl(url)}: registry stored digest ${got}, expected ${desc.digest}`,
        safeUrl(url),
      );
    }
    const out: PutResult = {};
    if (res.headers["oci-subject"] !== undefined) out.ociSubject = res.headers["oci-subject"];
    return out;
  }

  async deleteManifest(desc: Descriptor): Promise<void> {
    const res = await this.send(
      { method: "DELETE", url: `${this.base}/manifests/${desc.digest}`, maxBytes: 64 * 1024 },
      "delete",
    );
    if (res.status === 404) return;
    expect(res, [202, 200, 204], "delete manifest");
  }

  /** Reads the memo that this registry has no referrers API; true when it said so. */
  private async rememberedNoApi(): Promise<boolean> {
    if (this.referrersApi !== undefined || !this.opts.memos) return false;
    const said = await this.opts.memos.getMemo<string>(this.apiMemoKey(), NO_API_MEMO_MS);
    if (said !== "none") return false;
    this.referrersApi = false;
    this.log(`${this.display}: remembered to have no referrers API`);
    return true;
  }

  private apiMemoKey(): string {
    return `referrers-api ${this.key}`;
  }

  async referrers(subject: Descriptor, artifactType: string | undefined): Promise<ReferrersResult> {
    const memoKey = this.apiMemoKey();
    const memos = this.opts.memos;
    const fromMemo = await this.rememberedNoApi();
    const before = this.referrersApi;
    const native = await this.fromApi(subject, artifactType);
    if (native !== undefined) {
      if (before === undefined) await memos?.setMemo(memoKey, "api");
      return { referrers: native, untyped: [], source: "api" };
    }
    if (before === undefined) await memos?.setMemo(memoKey, "none");
    const fallback = await readFallbackIndex(this, subject, this.log);
    const listed = splitByType(fallback.entries, artifactType);
    if (listed.referrers.length === 0 && listed.untyped.length === 0 && fromMemo) {
      // The memo may be out of date (the registry gained the API): ask it once more.
      this.referrersApi = undefined;
      const again = await this.fromApi(subject, artifactType);
      if (again !== undefined) {
        await memos?.setMemo(memoKey, "api");
        return { referrers: again, untyped: [], source: "api" };
      }
    }
    return { ...listed, source: "tag", version: fallbackVersion(fallback.held) };
  }

  /**
   * With no referrers API (known, or remembered), the listing is the fallback tag: a HEAD of
   * it says whether it changed. With the API there is no such cheap question: undefined.
   */
  async referrersVersion(subject: Descriptor): Promise<string | undefined> {
    await this.rememberedNoApi();
    if (this.referrersApi !== false) return undefined;
    try {
      const now = await this.head(referrersTagFor(subject.digest));
      return now === undefined ? undefined : fallbackVersion(now.digest);
    } catch (e) {
      if (e instanceof NotFoundError) return fallbackVersion(undefined);
      throw e;
    }
  }

  async indexesReferrers(subject: Descriptor): Promise<boolean> {
    if (this.referrersApi === undefined) await this.fromApi(subject, undefined);
    return this.referrersApi === true;
  }

  /** The API's listing, learning whether there is one; undefined when there is none. */
  private async fromApi(
    subject: Descriptor,
    artifactType: string | undefined,
  ): Promise<Descriptor[] | undefined> {
    if (this.referrersApi === false) return undefined;
    const repo = {
      base: this.base,
      display: this.display,
      send: (req: HttpRequest) => this.send(req),
      log: this.log,
    };
    const got = await referrersFromApi(repo, subject, artifactType);
    this.referrersApi = got !== undefined;
    return got;
  }
}

/** A compressed manifest is refused in words, before a JSON parser quotes its bytes. */
function plainManifest(res: HttpResponse): void {
  const b = res.body;
  const encoding = res.headers["content-encoding"];
  const gzip = b[0] === 0x1f && b[1] === 0x8b;
  if (gzip || (encoding !== undefined && !/^\s*identity\s*$/i.test(encoding)))
    throw new ContentError(
      `GET ${safeUrl(res.url)}: the registry sent the manifest ${gzip ? "gzip-compressed" : `with Content-Encoding ${printable(encoding ?? "", 40)}`}; a manifest must be plain JSON`,
      safeUrl(res.url),
    );
}

function ownMediaType(bytes: Uint8Array): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
    return typeof v.mediaType === "string" ? v.mediaType : undefined;
  } catch {
    return undefined;
  }
}
