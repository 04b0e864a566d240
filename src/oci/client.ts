// Opening an image reference as a Target: a remote repository (transport, credentials,
// authentication) or an OCI layout directory; plus cache-aware fetches shared by commands.

import { resolve as resolvePath } from "node:path";
import { Authenticator } from "./auth.js";
import { ContentCache, cacheDir, lockPathFor } from "./cache.js";
import { resolveCredentials, CredentialError } from "./credentials.js";
import type { Descriptor } from "./descriptor.js";
import { RegistryError } from "./errors.js";
import { LayoutStore } from "./layout.js";
import { LockError } from "./lock.js";
import { InvalidPlatformError } from "./platform.js";
import { InvalidReferenceError, parseReference, registryApiHost } from "./reference.js";
import { RemoteRepository } from "./registry.js";
import type { FetchedManifest, Target } from "./storage.js";
import { Transport } from "./transport.js";
import { AuthError } from "./auth.js";
import { isDigest } from "./digest.js";

export interface ClientOptions {
  plainHttp?: boolean;
  insecure?: boolean;
  caFile?: string;
  username?: string;
  password?: string;
  /** An access token sent as Bearer (NFD's --registry-token-stdin). */
  token?: string;
  noCache?: boolean;
  env: Record<string, string | undefined>;
  /** For relative oci-layout paths (default process.cwd()). */
  cwd?: string;
  verbose?: (msg: string) => void;
  /** Deadline for the registry work as a whole, retries and credential helpers included (default 60 s). */
  timeoutMs?: number;
  /** First retry backoff (default 300 ms); tests make it short. */
  retryBaseMs?: number;
  retries?: number;
}

export interface OpenedImage {
  target: Target;
  /** Tag or digest to resolve. */
  reference: string;
  /** The image as written back to the user: `registry/repo:tag`, `oci-layout:dir:tag`. */
  name: string;
  /** The repository without tag or digest: `registry/repo`, `oci-layout:dir`. */
  base: string;
  cache?: ContentCache;
  /** HTTP exchanges so far (remote only; auth round trips included). */
  requestCount(): number;
  verboseLog?: (msg: string) => void;
  /** Lock file for this repository's fallback index. */
  lockPath: string;
  close(): Promise<void>;
}

/** Turns the errors of the lower layers into RegistryError so callers catch one type. */
export function asRegistryError(e: unknown): unknown {
  if (e instanceof RegistryError) return e;
  if (
    e instanceof InvalidReferenceError ||
    e instanceof InvalidPlatformError ||
    e instanceof CredentialError ||
    e instanceof AuthError
  ) {
    return new RegistryError(e.message);
  }
  if (e instanceof LockError) return new RegistryError(e.message);
  return e;
}

export async function openImage(
  image: string,
  opts: ClientOptions,
  purpose: "pull" | "push" = "pull",
): Promise<OpenedImage> {
  const ref = parseReference(image);
  const log = opts.verbose ?? (() => {});
  const cache = opts.noCache ? undefined : new ContentCache(cacheDir(opts.env), log);
  if (ref.kind === "layout") {
    const store = new LayoutStore(
      ref.path,
      opts.cwd,
      lockPathFor(
        opts.env,
        `index.json of oci-layout:${resolvePath(opts.cwd ?? process.cwd(), ref.path)}`,
      ),
    );
    const reference = ref.digest ?? ref.tag ?? (await defaultLayoutTag(store, ref.path));
    return {
      target: store,
      reference,
      name: `oci-layout:${ref.path}${isDigest(reference) ? "@" : ":"}${reference}`,
      base: `oci-layout:${ref.path}`,
      requestCount: () => 0,
      lockPath: lockPathFor(opts.env, store.key),
      close: async () => {},
    };
  }
  const transport = new Transport({
    env: opts.env,
    ...(opts.caFile !== undefined ? { caFile: opts.caFile } : {}),
    ...(opts.insecure ? { insecure: true } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    verbose: log,
  });
  const credOpts = {
    env: opts.env,
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
  };
  const found = new Map<string, ReturnType<typeof resolveCredentials>>();
  const apiHost = registryApiHost(ref);
  const credentialsFor = (host: string, repository: string) => {
    // Credentials (flags included) are for the registry named in the reference only.
    if (host !== apiHost && host !== ref.registry) return Promise.resolve(undefined);
    const key = `${host}\n${repository}`;
    let p = found.get(key);
    // A credential helper gets at most 10 s, and never more than the deadline leaves.
    const helperTimeoutMs = Math.max(1, Math.min(10_000, transport.remainingMs()));
    if (p === undefined)
      found.set(key, (p = resolveCredentials(host, repository, { ...credOpts, helperTimeoutMs })));
    return p;
  };
  const auth = new Authenticator({
    registry: `${opts.plainHttp ? "http" : "https"}://${apiHost}`,
    http: async (req) => {
      const res = await transport.send({
        method: req.method,
        url: req.url,
        headers: req.headers,
        ...(req.body !== undefined ? { body: Buffer.from(req.body, "utf8") } : {}),
        maxBytes: req.maxBodyBytes,
      });
      return { status: res.status, body: res.body };
    },
    credentials: (host, repository) => credentialsFor(host, repository ?? ref.repository),
    log,
  });
  const target = new RemoteRepository({
    registry: ref.registry,
    apiHost,
    repository: ref.repository,
    ...(opts.plainHttp ? { plainHttp: true } : {}),
    transport,
    auth,
    forPush: purpose === "push",
    credentialSource: async () => (await credentialsFor(ref.registry, ref.repository))?.source,
    log,
  });
  const reference = ref.target;
  return {
    target,
    reference,
    name: `${ref.registry}/${ref.repository}${isDigest(reference) ? "@" : ":"}${reference}`,
    base: `${ref.registry}/${ref.repository}`,
    ...(cache ? { cache } : {}),
    ...(opts.verbose ? { verboseLog: opts.verbose } : {}),
    requestCount: () => transport.requestCount,
    lockPath: lockPathFor(opts.env, target.key),
    close: () => transport.close(),
  };
}

/**
 * The one open → work → close sequence around a registry or layout call: `fn` gets the
 * opened image, the connection is closed whatever happens, and the lower layers' errors
 * come out as RegistryError.
 */
export async function withImage<T>(
  image: string,
  opts: ClientOptions,
  purpose: "pull" | "push",
  fn: (img: OpenedImage) => Promise<T>,
): Promise<T> {
  let img: OpenedImage | undefined;
  try {
    img = await openImage(image, opts, purpose);
    return await fn(img);
  } catch (e) {
    throw asRegistryError(e);
  } finally {
    await img?.close();
  }
}

/** A layout without tag or digest: its only tag, or `latest` when present. */
async function defaultLayoutTag(store: LayoutStore, path: string): Promise<string> {
  const tags = await store.tags();
  if (tags.includes("latest")) return "latest";
  if (tags.length === 1 && tags[0] !== undefined) return tags[0];
  throw new RegistryError(
    tags.length === 0
      ? `oci-layout:${path} has no tagged manifest; give oci-layout:${path}@sha256:…`
      : `oci-layout:${path} has several tags (${tags.join(", ")}); give one as oci-layout:${path}:TAG`,
  );
}

/** Resolves the reference; by digest with a warm cache this needs no request. */
/** How long a tag's last digest is remembered for the HEAD shortcut. */
const TAG_MEMO_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Resolves the reference. By digest with a warm cache: no request. By tag with a warm
 * cache: a HEAD, and the cached manifest when the tag has not moved.
 */
export async function resolveCached(img: OpenedImage): Promise<FetchedManifest> {
  const { target, reference, cache } = img;
  if (!cache || !(target instanceof RemoteRepository)) return target.resolve(reference);
  const cached = async (
    digest: string,
    mediaType?: string,
  ): Promise<FetchedManifest | undefined> => {
    const bytes = await cache.get(digest);
    const type = mediaType ?? (bytes && mediaTypeOfBytes(bytes));
    return bytes && type
      ? { descriptor: { mediaType: type, digest, size: bytes.byteLength }, bytes }
      : undefined;
  };
  if (isDigest(reference)) {
    const hit = await cached(reference);
    if (hit) return hit;
  } else {
    const memoKey = `tag ${target.key}:${reference}`;
    const last = await cache.getMemo<{ digest: string }>(memoKey, TAG_MEMO_MS);
    if (last !== undefined) {
      const now = await target.head(reference);
      const hit = now && (await cached(now.digest, now.mediaType));
      if (hit) return hit;
      img.verboseLog?.(`${img.name} moved or is not cached; fetching it`);
    }
  }
  const got = await target.resolve(reference);
  await cache.put(got.descriptor.digest, got.bytes);
  if (!isDigest(reference))
    await cache.setMemo(`tag ${target.key}:${reference}`, { digest: got.descriptor.digest });
  return got;
}

export async function fetchManifestCached(img: OpenedImage, desc: Descriptor): Promise<Uint8Array> {
  if (img.cache && img.target.kind === "remote") {
    const hit = await img.cache.get(desc.digest, desc.size);
    if (hit !== undefined) return hit;
    const bytes = await img.target.fetchManifest(desc);
    await img.cache.put(desc.digest, bytes);
    return bytes;
  }
  return img.target.fetchManifest(desc);
}

export async function fetchBlobCached(
  img: OpenedImage,
  desc: Descriptor,
  maxBytes: number,
): Promise<Uint8Array> {
  if (img.cache && img.target.kind === "remote" && desc.data === undefined) {
    const hit = await img.cache.get(desc.digest, desc.size);
    if (hit !== undefined) return hit;
    const bytes = await img.target.fetchBlob(desc, maxBytes);
    await img.cache.put(desc.digest, bytes);
    return bytes;
  }
  return img.target.fetchBlob(desc, maxBytes);
}

function mediaTypeOfBytes(bytes: Uint8Array): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
    return typeof v.mediaType === "string" ? v.mediaType : undefined;
  } catch {
    return undefined;
  }
}
