// An in-process fake OCI registry (node:http/https) for what Distribution 2.8 cannot do in
// tests: the referrers API, a Bearer token service with scopes, refresh tokens and expiry,
// and hostile behaviour on demand (faults). It implements the distribution-spec subset the
// kompat client uses; it is a test double, not a registry.
//
//   const reg = await startTestServer({ auth: { kind: "bearer", username: "u", password: "p" } });
//   const img = reg.pushImage("app", "v1", ["linux/amd64", "linux/arm64"]);
//   reg.addFault({ method: "GET", path: /\/blobs\//, action: { kind: "status", status: 503 }, times: 2 });
//   ... reg.requests (log), reg.blobHost.requests (redirect target) ...
//   await reg.stop();
//
// Hostile registries (issue #8) use a second instance as "the other host":
//   const other = await startTestServer({ hostile: { demandAuth: 'Bearer realm="{self}/token"' } });
//   const reg = await startTestServer({ auth, hostile: { redirectBlobsTo: other.url } });
//   ... other.requests.every((r) => r.headers.authorization === undefined) ...

import { createHash, randomBytes } from "node:crypto";
import { createServer as createHttp } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { testTls } from "./tls.js";
import { tokenAuth, type TestAuth } from "./testauth.js";
import { json, regError, type Reply } from "./testreply.js";

export type { TestAuth };

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
const MANIFEST_LIMIT = 4 * 1024 * 1024;
const BLOB_LIMIT = 64 * 1024 * 1024;

export interface TestServerOptions {
  tls?: boolean;
  auth?: TestAuth;
  /** Serve the referrers API and send `OCI-Subject` (default true). */
  referrersApi?: boolean;
  /** Apply the `artifactType` filter and say so in `OCI-Filters-Applied` (default true). */
  filterReferrers?: boolean;
  /** Referrers per page; more are linked with `Link: <…>; rel="next"` (default 1000). */
  referrersPageSize?: number;
  /** Answer blob GETs with a 307 to a second server on another port (default false). */
  redirectBlobs?: boolean;
  /** Honour `If-Match` on manifest PUT (Distribution 2.8 ignores it; default false). */
  honourIfMatch?: boolean;
  /** Allow DELETE (default true; false answers 405 like a registry with deletes disabled). */
  deleteEnabled?: boolean;
  /** Server clock for token expiry, ms since the epoch (default Date.now). */
  now?: () => number;
  /** Hostile behaviour towards credentials (see HostileOptions). */
  hostile?: HostileOptions;
}

/** A registry that tries to make the client leak credentials to another origin. */
export interface HostileOptions {
  /** Answer blob GETs with a 307 to `<origin>/blob/<repo>/<digest>` (another server). */
  redirectBlobsTo?: string;
  /** Answer upload starts (POST …/blobs/uploads/) with a Location on this origin. */
  uploadsTo?: string;
  /**
   * Answer every request with 401 and this WWW-Authenticate value (`{self}` stands for this
   * server's URL): the "other host" that asks for the credentials it should never get. Its
   * `/token` answers 200 with a token, to see whether credentials were offered there.
   */
  demandAuth?: string;
}

export interface LoggedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  /** Scheme of the Authorization header (`basic`, `bearer`), or undefined when none was sent. */
  auth: string | undefined;
  accept: string | undefined;
  /** Every header as received (lower-case names), to check where credentials went. */
  headers: IncomingHttpHeaders;
  status?: number;
}

export type FaultAction =
  /** Answer with this status instead (e.g. 429 + Retry-After, 503). */
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  /** The normal answer with one byte of the body changed (digest no longer matches). */
  | { kind: "corrupt-body" }
  /** The normal answer with a wrong Docker-Content-Digest header. */
  | { kind: "wrong-digest-header" }
  /** The normal headers (content type, digest) with a body of `bytes` bytes. */
  | { kind: "oversize"; bytes: number }
  /** Headers and half of the body, then nothing until the server stops. */
  | { kind: "stall" }
  /** The normal headers with a body that is not JSON. */
  | { kind: "malformed-json" }
  /** Close the connection without answering. */
  | { kind: "drop-connection" }
  /** The normal headers, then the body `chunkBytes` (default 1) at a time, one every `intervalMs`. */
  | { kind: "slow-body"; intervalMs: number; chunkBytes?: number }
  /** Headers without a length, then bytes for as long as the client reads. */
  | { kind: "endless-body" }
  /** The normal answer gzip-compressed, with `Content-Encoding: gzip` (never asked for). */
  | { kind: "gzip-body" };

export interface Fault {
  method?: string;
  /** Matched against the path (without query): substring or RegExp. */
  path?: string | RegExp;
  /** How many requests it applies to (default: all). */
  times?: number;
  action: FaultAction;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

export interface TestServer {
  /** `http(s)://127.0.0.1:port` */
  url: string;
  /** `127.0.0.1:port`, as in an image reference. */
  host: string;
  /** PEM of the CA that signed the server certificate (TLS only). */
  ca?: string;
  caFile?: string;
  requests: LoggedRequest[];
  /** The second origin blob GETs are redirected to (redirectBlobs only). */
  blobHost?: { url: string; requests: LoggedRequest[] };
  addFault(f: Fault): void;
  clearFaults(): void;
  putBlob(repo: string, data: Uint8Array | string): Descriptor;
  /** Store a manifest (object → JSON). mediaType defaults to the JSON's `mediaType`. */
  putManifest(
    repo: string,
    manifest: object | Uint8Array,
    opts?: { tag?: string; mediaType?: string },
  ): Descriptor;
  /** An image (config + one layer) per platform under an index tagged `tag`. */
  pushImage(
    repo: string,
    tag: string,
    platforms: string[],
  ): { index: Descriptor; manifests: Descriptor[] };
  getManifest(repo: string, ref: string): { mediaType: string; body: Buffer } | undefined;
  hasBlob(repo: string, digest: string): boolean;
  tags(repo: string): string[];
  /** Tokens the token service issued so far. */
  tokensIssued(): number;
  /**
   * A concurrent-writer race on demand: the next manifest PUT to a tag of `repo` is held
   * until a second PUT to that tag arrives, then both are applied in arrival order. The
   * second writer read the tag before the first write landed, so it writes a stale copy
   * (with `honourIfMatch`, it gets 412). `racesRun()` counts the races that happened.
   */
  holdNextTagPut(repo: string): void;
  racesRun(): number;
  stop(): Promise<void>;
}

interface Repo {
  blobs: Map<string, Buffer>;
  manifests: Map<string, { mediaType: string; body: Buffer }>;
  tags: Map<string, string>;
  uploads: Map<string, Buffer[]>;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

function digestOfBytes(algOf: string, b: Buffer): string {
  const alg = algOf.startsWith("sha512:") ? "sha512" : "sha256";
  return `${alg}:${createHash(alg).update(b).digest("hex")}`;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const now = opts.now ?? Date.now;
  const referrersApi = opts.referrersApi ?? true;
  const filterReferrers = opts.filterReferrers ?? true;
  const pageSize = opts.referrersPageSize ?? 1000;
  const deleteEnabled = opts.deleteEnabled ?? true;
  const repos = new Map<string, Repo>();
  const faults: (Fault & { left: number })[] = [];
  const requests: LoggedRequest[] = [];
  const tls = opts.tls ? await testTls() : undefined;
  let base = "";
  let blobHost: { url: string; requests: LoggedRequest[] } | undefined;
  let blobServer: Server | undefined;

  const repo = (name: string, create = false): Repo | undefined => {
    let r = repos.get(name);
    if (!r && create) {
      r = { blobs: new Map(), manifests: new Map(), tags: new Map(), uploads: new Map() };
      repos.set(name, r);
    }
    return r;
  };

  const { checkAuth, tokenService, issued } = tokenAuth(opts, now, () => base);

  const resolve = (r: Repo, ref: string) => (DIGEST.test(ref) ? ref : r.tags.get(ref));

  function storeManifest(name: string, body: Buffer, mediaType: string, tag?: string): Descriptor {
    const r = repo(name, true) as Repo;
    const digest = sha256(body);
    r.manifests.set(digest, { mediaType, body });
    if (tag !== undefined) r.tags.set(tag, digest);
    return { mediaType, digest, size: body.length };
  }

  // --- the registry API --------------------------------------------------------------------

  function artifactTypeOf(m: Record<string, unknown>): string | undefined {
    if (typeof m.artifactType === "string") return m.artifactType;
    const cfg = m.config as { mediaType?: unknown } | undefined;
    return typeof cfg?.mediaType === "string" ? cfg.mediaType : undefined;
  }

  function referrers(name: string, r: Repo, subject: string, url: URL): Reply {
    const all: Descriptor[] = [];
    for (const [digest, m] of r.manifests) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(m.body.toString("utf8")) as Record<string, unknown>;
      } catch {
        continue;
      }
      const subj = parsed.subject as { digest?: unknown } | undefined;
      if (subj?.digest !== subject) continue;
      const d: Descriptor = { mediaType: m.mediaType, digest, size: m.body.length };
      const at = artifactTypeOf(parsed);
      if (at !== undefined) d.artifactType = at;
      if (parsed.annotations && typeof parsed.annotations === "object")
        d.annotations = parsed.annotations as Record<string, string>;
      all.push(d);
    }
    const wanted = url.searchParams.get("artifactType");
    const headers: Record<string, string> = { "content-type": OCI_INDEX };
    let list = all;
    if (wanted !== null && filterReferrers) {
      list = all.filter((d) => d.artifactType === wanted);
      headers["oci-filters-applied"] = "artifactType";
    }
    const start = Number(url.searchParams.get("page") ?? "0");
    const page = list.slice(start, start + pageSize);
    if (start + pageSize < list.length) {
      const next = new URLSearchParams(url.searchParams);
      next.set("page", String(start + pageSize));
      headers.link = `</v2/${name}/referrers/${subject}?${next.toString()}>; rel="next"`;
    }
    return {
      status: 200,
      headers,
      body: Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: page }),
      ),
    };
  }

  function registry(req: IncomingMessage, url: URL, body: Buffer): Reply {
    const method = req.method ?? "GET";
    const path = url.pathname;
    if (path === "/v2/" || path === "/v2") {
      return checkAuth(req, undefined) ?? json(200, {});
    }
    const m = /^\/v2\/(.+?)\/(blobs\/uploads|blobs|manifests|tags|referrers)\/(.*)$/.exec(path);
    if (!m)
      return {
        status: 404,
        headers: { "content-type": "text/plain" },
        body: Buffer.from("404 page not found"),
      };
    const [, name = "", kind, rest = ""] = m;
    if (kind === "referrers" && !referrersApi)
      return {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: Buffer.from("404 page not found\n"),
      };
    const denied = checkAuth(req, name);
    if (denied) return denied;
    if (method === "DELETE" && !deleteEnabled)
      return regError(405, "UNSUPPORTED", "The operation is unsupported.");
    const r = repo(name);
    const unknownRepo = () =>
      regError(404, "NAME_UNKNOWN", `repository name not known to registry: ${name}`);

    if (kind === "blobs") {
      const b = r?.blobs.get(rest);
      if (!DIGEST.test(rest)) return regError(400, "DIGEST_INVALID", "invalid digest");
      if (method === "DELETE") {
        if (!b) return regError(404, "BLOB_UNKNOWN", "blob unknown to registry");
        r?.blobs.delete(rest);
        return { status: 202, headers: {}, body: Buffer.alloc(0) };
      }
      if (method !== "GET" && method !== "HEAD") return regError(405, "UNSUPPORTED", "method");
      if (!b) return regError(404, "BLOB_UNKNOWN", "blob unknown to registry");
      if (method === "GET" && blobHost)
        return {
          status: 307,
          headers: { location: `${blobHost.url}/blob/${name}/${rest}` },
          body: Buffer.alloc(0),
        };
      return {
        status: 200,
        headers: { "content-type": "application/octet-stream", "docker-content-digest": rest },
        body: b,
      };
    }

    if (kind === "blobs/uploads") {
      const rr = repo(name, true) as Repo;
      const finish = (data: Buffer, digest: string | null): Reply => {
        if (digest === null || !DIGEST.test(digest))
          return regError(400, "DIGEST_INVALID", "missing or invalid digest");
        if (digestOfBytes(digest, data) !== digest)
          return regError(400, "DIGEST_INVALID", "provided digest did not match uploaded content");
        rr.blobs.set(digest, data);
        return {
          status: 201,
          headers: { location: `/v2/${name}/blobs/${digest}`, "docker-content-digest": digest },
          body: Buffer.alloc(0),
        };
      };
      if (method === "POST" && rest === "") {
        const digest = url.searchParams.get("digest");
        if (digest !== null) return finish(body, digest);
        const id = randomBytes(8).toString("hex");
        rr.uploads.set(id, []);
        return {
          status: 202,
          headers: {
            location: `/v2/${name}/blobs/uploads/${id}`,
            "docker-upload-uuid": id,
            range: "0-0",
          },
          body: Buffer.alloc(0),
        };
      }
      const parts = rr.uploads.get(rest);
      if (!parts) return regError(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
      if (method === "PATCH") {
        parts.push(body);
        const size = parts.reduce((n, p) => n + p.length, 0);
        return {
          status: 202,
          headers: {
            location: `/v2/${name}/blobs/uploads/${rest}`,
            range: `0-${Math.max(0, size - 1)}`,
          },
          body: Buffer.alloc(0),
        };
      }
      if (method === "PUT") {
        rr.uploads.delete(rest);
        return finish(Buffer.concat([...parts, body]), url.searchParams.get("digest"));
      }
      if (method === "DELETE") {
        rr.uploads.delete(rest);
        return { status: 204, headers: {}, body: Buffer.alloc(0) };
      }
      return regError(405, "UNSUPPORTED", "method");
    }

    if (kind === "tags") {
      if (rest !== "list" || method !== "GET") return regError(404, "NOT_FOUND", "not found");
      if (!r) return unknownRepo();
      let tags = [...r.tags.keys()].sort();
      const last = url.searchParams.get("last");
      if (last !== null) tags = tags.filter((t) => t > last);
      const n = Number(url.searchParams.get("n") ?? "0");
      const headers: Record<string, string> = {};
      if (n > 0 && tags.length > n) {
        tags = tags.slice(0, n);
        headers.link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(tags[n - 1] as string)}>; rel="next"`;
      }
      return json(200, { name, tags }, headers);
    }

    if (kind === "referrers") {
      if (!DIGEST.test(rest)) return regError(400, "DIGEST_INVALID", "invalid digest");
      if (!r) return unknownRepo();
      return referrers(name, r, rest, url);
    }

    // manifests
    if (method === "PUT") {
      if (body.length > MANIFEST_LIMIT) return regError(413, "SIZE_INVALID", "manifest too large");
      const mediaType = req.headers["content-type"];
      if (!mediaType) return regError(400, "MANIFEST_INVALID", "missing Content-Type");
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      } catch {
        return regError(400, "MANIFEST_INVALID", "manifest invalid: not JSON");
      }
      const digest = digestOfBytes(DIGEST.test(rest) ? rest : "sha256:", body);
      if (DIGEST.test(rest) && digest !== rest)
        return regError(400, "DIGEST_INVALID", "provided digest did not match uploaded content");
      if (opts.honourIfMatch && !DIGEST.test(rest)) {
        const ifMatch = req.headers["if-match"];
        const current = r?.tags.get(rest);
        if (ifMatch !== undefined && ifMatch !== `"${current ?? ""}"`)
          return regError(412, "PRECONDITION_FAILED", "If-Match does not match");
      }
      const desc = storeManifest(name, body, mediaType, DIGEST.test(rest) ? undefined : rest);
      const headers: Record<string, string> = {
        location: `/v2/${name}/manifests/${desc.digest}`,
        "docker-content-digest": desc.digest,
      };
      const subject = parsed.subject as { digest?: unknown } | undefined;
      if (referrersApi && typeof subject?.digest === "string")
        headers["oci-subject"] = subject.digest;
      return { status: 201, headers, body: Buffer.alloc(0) };
    }
    if (!r) return unknownRepo();
    const digest = resolve(r, rest);
    const stored = digest === undefined ? undefined : r.manifests.get(digest);
    if (method === "DELETE") {
      if (!DIGEST.test(rest)) {
        if (!r.tags.delete(rest)) return regError(404, "MANIFEST_UNKNOWN", "manifest unknown");
        return { status: 202, headers: {}, body: Buffer.alloc(0) };
      }
      if (!stored) return regError(404, "MANIFEST_UNKNOWN", "manifest unknown");
      r.manifests.delete(rest);
      for (const [t, d] of r.tags) if (d === rest) r.tags.delete(t);
      return { status: 202, headers: {}, body: Buffer.alloc(0) };
    }
    if (method !== "GET" && method !== "HEAD") return regError(405, "UNSUPPORTED", "method");
    if (!stored || digest === undefined)
      return regError(404, "MANIFEST_UNKNOWN", `manifest unknown: ${rest}`);
    // Like Distribution: an index is "unknown" to a client that does not accept it.
    const accept = req.headers.accept;
    if (
      accept !== undefined &&
      accept !== "" &&
      !accept.includes(stored.mediaType) &&
      !accept.includes("*/*")
    )
      return regError(404, "MANIFEST_UNKNOWN", "manifest unknown for the accepted media types");
    if (req.headers["if-none-match"] === `"${digest}"`)
      return { status: 304, headers: { etag: `"${digest}"` }, body: Buffer.alloc(0) };
    return {
      status: 200,
      headers: {
        "content-type": stored.mediaType,
        "docker-content-digest": digest,
        etag: `"${digest}"`,
      },
      body: stored.body,
    };
  }

  // --- hostile behaviour (issue #8) -------------------------------------------------------

  function hostileReply(req: IncomingMessage, url: URL): Reply | undefined {
    const h = opts.hostile;
    if (!h) return undefined;
    if (h.demandAuth !== undefined) {
      if (url.pathname === "/token") return json(200, { token: "from-the-other-host" });
      return regError(401, "UNAUTHORIZED", "authentication required", {
        "www-authenticate": h.demandAuth.replaceAll("{self}", base),
      });
    }
    const name = /^\/v2\/(.+?)\/blobs\//.exec(url.pathname)?.[1];
    if (name === undefined || checkAuth(req, name) !== undefined) return undefined;
    const blob = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)?.[1];
    if (h.redirectBlobsTo !== undefined && req.method === "GET" && blob !== undefined)
      return {
        status: 307,
        headers: { location: `${h.redirectBlobsTo}/blob/${name}/${blob}` },
        body: Buffer.alloc(0),
      };
    if (h.uploadsTo !== undefined && req.method === "POST" && url.pathname.endsWith("/uploads/"))
      return {
        status: 202,
        headers: { location: `${h.uploadsTo}/upload/${randomBytes(8).toString("hex")}` },
        body: Buffer.alloc(0),
      };
    return undefined;
  }

  // --- a tag-write race on demand (holdNextTagPut) ---------------------------------------

  let tagHold:
    { repo: string; path?: string; release?: () => void; done?: Promise<void> } | undefined;
  let races = 0;
  const TAG_PUT = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

  /** Before a request's answer is computed: hold or order tag PUTs; returns a "done" hook. */
  async function raceTagPut(method: string, path: string): Promise<(() => void) | undefined> {
    const h = tagHold;
    const m = TAG_PUT.exec(path);
    if (!h || method !== "PUT" || !m || m[1] !== h.repo || DIGEST.test(m[2] as string))
      return undefined;
    if (h.path === undefined) {
      h.path = path;
      let finished = () => {};
      h.done = new Promise<void>((ok) => (finished = ok));
      await new Promise<void>((ok) => (h.release = ok));
      return finished;
    }
    if (h.path !== path || h.release === undefined) return undefined;
    tagHold = undefined;
    races++;
    h.release();
    await h.done;
    return undefined;
  }

  // --- plumbing ----------------------------------------------------------------------------

  const takeFault = (method: string, path: string): FaultAction | undefined => {
    for (const f of faults) {
      if (f.left <= 0) continue;
      if (f.method !== undefined && f.method !== method) continue;
      if (
        f.path !== undefined &&
        !(typeof f.path === "string" ? path.includes(f.path) : f.path.test(path))
      )
        continue;
      f.left--;
      return f.action;
    }
    return undefined;
  };

  const readBody = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolveBody, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      req.on("data", (c: Buffer) => {
        n += c.length;
        if (n <= BLOB_LIMIT) chunks.push(c);
      });
      req.on("end", () => resolveBody(Buffer.concat(chunks)));
      req.on("error", reject);
    });

  const log = (req: IncomingMessage, url: URL, into: LoggedRequest[]): LoggedRequest => {
    const h = req.headers.authorization;
    const entry: LoggedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      auth: h === undefined ? undefined : (h.split(" ")[0] ?? "").toLowerCase(),
      accept: req.headers.accept,
      headers: { ...req.headers },
    };
    into.push(entry);
    return entry;
  };

  function send(
    res: ServerResponse,
    reply: Reply,
    head: boolean,
    entry: LoggedRequest,
    fault?: FaultAction,
  ) {
    entry.status = reply.status;
    let body = reply.body;
    const headers = { ...reply.headers };
    if (fault?.kind === "corrupt-body" && body.length > 0) {
      body = Buffer.from(body);
      body[body.length - 1] = (body[body.length - 1] as number) ^ 1;
    } else if (fault?.kind === "wrong-digest-header") {
      headers["docker-content-digest"] = sha256(Buffer.from("not this content"));
    } else if (fault?.kind === "oversize") {
      body = Buffer.alloc(fault.bytes, 0x20);
    } else if (fault?.kind === "gzip-body") {
      body = gzipSync(body);
      headers["content-encoding"] = "gzip";
    } else if (fault?.kind === "malformed-json") {
      body = Buffer.from('{"schemaVersion": 2, "manifests": [');
    }
    if (fault?.kind === "endless-body") return endless(res, reply.status, headers);
    headers["content-length"] = String(body.length);
    res.writeHead(reply.status, headers);
    if (head) return void res.end();
    if (fault?.kind === "slow-body")
      return slow(res, body, fault.intervalMs, fault.chunkBytes ?? 1);
    if (fault?.kind === "stall") {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      return; // never ends; stop() closes the socket
    }
    res.end(body);
  }

  // Streams that stop only when the client goes (or stop() closes the socket).
  const streams = new Set<NodeJS.Timeout>();
  function slow(res: ServerResponse, body: Buffer, intervalMs: number, chunk: number) {
    let i = 0;
    const t = setInterval(() => {
      if (res.destroyed || i >= body.length) return void (clearInterval(t), streams.delete(t));
      res.write(body.subarray(i, (i += chunk)));
      if (i >= body.length) res.end();
    }, intervalMs);
    streams.add(t);
    res.on("close", () => (clearInterval(t), streams.delete(t)));
  }
  function endless(res: ServerResponse, status: number, headers: Record<string, string>) {
    delete headers["content-length"];
    res.writeHead(status, headers);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on("drain", pump);
    pump();
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    const entry = log(req, url, requests);
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const hostile = hostileReply(req, url);
    if (hostile) return send(res, hostile, method === "HEAD", entry);
    const fault = takeFault(method, url.pathname);
    if (fault?.kind === "drop-connection") {
      entry.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      const reply: Reply = {
        status: fault.status,
        headers: { "content-type": "application/json", ...(fault.headers ?? {}) },
        body: Buffer.from(
          fault.body ??
            JSON.stringify({ errors: [{ code: "INJECTED", message: `injected ${fault.status}` }] }),
        ),
      };
      return send(res, reply, method === "HEAD", entry);
    }
    const raced = await raceTagPut(method, url.pathname);
    const reply =
      url.pathname === "/token" ? tokenService(req, url, body) : registry(req, url, body);
    raced?.();
    send(res, reply, method === "HEAD", entry, fault);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`test server error: ${(e as Error).message}`);
    });
  };
  const make = (l: typeof listener): Server =>
    tls ? createHttps({ cert: tls.cert, key: tls.key }, l) : createHttp(l);
  const listen = (s: Server) =>
    new Promise<number>((ok, fail) => {
      s.once("error", fail);
      s.listen(0, "127.0.0.1", () => ok((s.address() as AddressInfo).port));
    });

  const server = make(listener);
  const port = await listen(server);
  const scheme = tls ? "https" : "http";
  base = `${scheme}://127.0.0.1:${port}`;

  if (opts.redirectBlobs) {
    const blobRequests: LoggedRequest[] = [];
    blobServer = make((req, res) => {
      const url = new URL(req.url ?? "/", base);
      const entry = log(req, url, blobRequests);
      const m = /^\/blob\/(.+)\/([^/]+)$/.exec(url.pathname);
      const data = m ? repos.get(m[1] as string)?.blobs.get(m[2] as string) : undefined;
      const reply: Reply = data
        ? { status: 200, headers: { "content-type": "application/octet-stream" }, body: data }
        : {
            status: 404,
            headers: { "content-type": "text/plain" },
            body: Buffer.from("no such blob"),
          };
      send(res, reply, req.method === "HEAD", entry, takeFault(req.method ?? "GET", url.pathname));
    });
    const bport = await listen(blobServer);
    blobHost = { url: `${scheme}://127.0.0.1:${bport}`, requests: blobRequests };
  }

  const close = (s: Server) =>
    new Promise<void>((ok) => {
      s.close(() => ok());
      s.closeAllConnections();
    });

  const ts: TestServer = {
    url: base,
    host: `127.0.0.1:${port}`,
    requests,
    addFault: (f) => void faults.push({ ...f, left: f.times ?? Infinity }),
    clearFaults: () => void faults.splice(0),
    putBlob(name, data) {
      const b = Buffer.from(data);
      const digest = sha256(b);
      (repo(name, true) as Repo).blobs.set(digest, b);
      return { mediaType: "application/octet-stream", digest, size: b.length };
    },
    putManifest(name, manifest, o = {}) {
      const body =
        manifest instanceof Uint8Array
          ? Buffer.from(manifest)
          : Buffer.from(JSON.stringify(manifest));
      let mediaType = o.mediaType;
      if (mediaType === undefined && !(manifest instanceof Uint8Array)) {
        const mt = (manifest as { mediaType?: unknown }).mediaType;
        if (typeof mt === "string") mediaType = mt;
      }
      return storeManifest(name, body, mediaType ?? OCI_MANIFEST, o.tag);
    },
    pushImage(name, tag, platforms) {
      const manifests: Descriptor[] = [];
      for (const p of platforms) {
        const [os = "linux", architecture = "amd64", variant] = p.split("/");
        const platform: Descriptor["platform"] = { os, architecture };
        if (variant) platform.variant = variant;
        const config = ts.putBlob(
          name,
          JSON.stringify({ architecture, os, rootfs: { type: "layers", diff_ids: [] } }),
        );
        const layer = ts.putBlob(name, `layer for ${p}`);
        const d = ts.putManifest(name, {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: {
            mediaType: "application/vnd.oci.image.config.v1+json",
            digest: config.digest,
            size: config.size,
          },
          layers: [
            {
              mediaType: "application/vnd.oci.image.layer.v1.tar",
              digest: layer.digest,
              size: layer.size,
            },
          ],
        });
        manifests.push({ ...d, platform });
      }
      const index = ts.putManifest(
        name,
        { schemaVersion: 2, mediaType: OCI_INDEX, manifests },
        { tag },
      );
      return { index, manifests };
    },
    getManifest(name, ref) {
      const r = repos.get(name);
      const d = r && resolve(r, ref);
      return d === undefined ? undefined : r?.manifests.get(d);
    },
    hasBlob: (name, digest) => repos.get(name)?.blobs.has(digest) ?? false,
    tags: (name) => [...(repos.get(name)?.tags.keys() ?? [])].sort(),
    tokensIssued: issued,
    holdNextTagPut: (name) => void (tagHold = { repo: name }),
    racesRun: () => races,
    async stop() {
      for (const t of streams) clearInterval(t);
      await Promise.all([close(server), ...(blobServer ? [close(blobServer)] : [])]);
    },
  };
  if (tls) {
    ts.ca = tls.ca;
    ts.caFile = tls.caFile;
  }
  if (blobHost) ts.blobHost = blobHost;
  return ts;
}
