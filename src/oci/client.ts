// Opening an image reference as a Target — a registry repository (behind the content cache)
// or an OCI layout directory — for one image (openImage, withImage) or many through one
// RegistrySession (session.ts), and the one error type callers catch.

import { AuthError } from "./auth-challenge.js";
import type { Memos } from "./cache.js";
import { CredentialError, RegistryError } from "./errors.js";
import { LockError } from "./lock.js";
import { InvalidPlatformError } from "./platform.js";
import { InvalidReferenceError } from "./reference.js";
import { RegistrySession } from "./session.js";
import type { Target } from "./store.js";

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
  /** Deadline for one image's registry work, retries and credential helpers included (default 60 s). */
  timeoutMs?: number;
  /** First retry backoff (default 300 ms); tests make it short. */
  retryBaseMs?: number;
  retries?: number;
  /**
   * Open images through this session (its connections, credentials and cache, and the
   * options it was made with) rather than one of their own: audits of many images.
   */
  session?: RegistrySession;
}

export interface OpenedImage {
  target: Target;
  /** Tag or digest to resolve. */
  reference: string;
  /** The image as written back to the user: `registry/repo:tag`, `oci-layout:dir:tag`. */
  name: string;
  /** The repository without tag or digest: `registry/repo`, `oci-layout:dir`. */
  base: string;
  /** HTTP exchanges so far for this image (remote only; auth round trips included). */
  requestCount(): number;
  /** Lock file for this repository's fallback index. */
  lockPath: string;
  /** The content cache's memos, unless caching is off (remote images only). */
  memos?: Memos;
  close(): Promise<void>;
}

/** Turns the errors of the lower layers into RegistryError so callers catch one type. */
function asRegistryError(e: unknown): unknown {
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

/** One image in a session of its own: closing the image closes its connections. */
export async function openImage(
  image: string,
  opts: ClientOptions,
  purpose: "pull" | "push" = "pull",
): Promise<OpenedImage> {
  if (opts.session) return opts.session.open(image, purpose);
  const session = new RegistrySession(opts);
  let img: OpenedImage;
  try {
    img = await session.open(image, purpose);
  } catch (e) {
    await session.close();
    throw e;
  }
  return {
    ...img,
    close: async () => {
      await img.close();
      await session.close();
    },
  };
}

/**
 * The one open → work → close sequence around a registry or layout call: `fn` gets the
 * opened image, the connection is closed whatever happens (a session's stay open for its
 * next image), and the lower layers' errors come out as RegistryError.
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
