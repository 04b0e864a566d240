// The compatibility spec of one image, as the fleet use cases need it: parsed and checked,
// or why there is none — "no spec attached" told apart from a failure, because an audit
// shows them differently and select may accept an image without a spec.

import { mapLimit } from "../oci/bounded.js";
import { createHash } from "node:crypto";
import type { Spec } from "../spec/model.js";
import { cacheDir, ContentCache } from "../oci/cache.js";
import { loadSpec } from "../rules/index.js";
import type { ClientOptions } from "../oci/client.js";
import { fetchCompatSpec as fetchSpec, type ImageSpec } from "../oci/usecases.js";
import { NotFoundError, RegistryError } from "../oci/errors.js";
import { RegistrySession } from "../oci/session.js";
import type { Platform } from "../oci/platform.js";

export interface SpecFetchOptions extends ClientOptions {
  /** `os/arch[/variant]`: the platform entry of multi-platform images (as validate-node). */
  platform?: string;
  /** The nodes' platform for the index fallback (default: this machine's). */
  hostPlatform?: Platform;
}

export type ImageSpecResult =
  | {
      state: "spec";
      spec: Spec;
      /** `registry/repo@sha256:…` of the manifest the artifact is attached to. */
      subject: string;
      artifact: string;
      notes: string[];
    }
  | { state: "no-spec"; reason: string }
  | { state: "error"; reason: string };

/**
 * The one call into the OCI layer for "the spec attached to this image" (validate-node's);
 * keep it the only one, so that a change of that API is a change here.
 */
export function fetchCompatSpec(image: string, opts: SpecFetchOptions): Promise<ImageSpec> {
  return fetchSpec(image, opts);
}

/**
 * compat.ts reports a missing artifact as a NotFoundError raised without an HTTP exchange;
 * a missing image or tag is a NotFoundError that carries the URL and status.
 */
export function isNoSpec(e: unknown): e is NotFoundError {
  return (
    e instanceof NotFoundError &&
    e.status === undefined &&
    e.message.startsWith("no compatibility artifact")
  );
}

/** Fetches and loads the spec of `image`; never throws for registry or spec problems. */
export async function imageSpec(image: string, opts: SpecFetchOptions): Promise<ImageSpecResult> {
  let got: ImageSpec;
  try {
    got = await fetchCompatSpec(image, opts);
  } catch (e) {
    if (isNoSpec(e)) return { state: "no-spec", reason: e.message };
    if (e instanceof RegistryError) return { state: "error", reason: e.message };
    throw e;
  }
  const checked = await checkedSpec(got, opts);
  if (typeof checked === "string")
    return { state: "error", reason: `the spec attached to ${got.subject} is invalid: ${checked}` };
  return {
    state: "spec",
    spec: checked,
    subject: got.subject,
    artifact: got.artifactDigest,
    notes: got.notes,
  };
}

/**
 * Bump when Spec's shape or the parser's checks change: memos of another version are not
 * read. Keyed by the spec text's digest, so a memo serves every image sharing that text.
 */
const CHECKED_SPEC_MEMO = "checked spec v1";
const CHECKED_SPEC_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The parsed, checked spec, or the first error. Parsing YAML is most of what an audit of
 * many images costs with a warm cache, so a spec found valid is remembered in the content
 * cache's memos (trusted as the tag memos are: the cache directory is the user's own).
 */
async function checkedSpec(got: ImageSpec, opts: SpecFetchOptions): Promise<Spec | string> {
  const key = `${CHECKED_SPEC_MEMO} sha256:${createHash("sha256").update(got.specText).digest("hex")}`;
  // Images sharing a spec text (tags of one application) share one Spec object: read once,
  // and evaluated once per node group by the audit's SpecBatch.
  const known = checkedInProcess.get(key);
  if (known !== undefined) return known;
  const cache = opts.noCache
    ? undefined
    : (opts.session?.cache ?? new ContentCache(cacheDir(opts.env)));
  const hit = await cache?.getMemo<Spec>(key, CHECKED_SPEC_MAX_AGE_MS);
  if (hit !== undefined && typeof hit.version === "string" && Array.isArray(hit.compatibilities))
    return remember(key, hit);
  const parsed = loadSpec(got.specText, { file: got.specSource });
  const first = parsed.diagnostics.find((d) => d.severity === "error");
  if (first !== undefined || !parsed.spec) {
    const at = first?.line !== undefined ? `line ${first.line}: ` : "";
    return first ? `${at}${first.message}` : "the document is empty";
  }
  await cache?.setMemo(key, parsed.spec);
  return remember(key, parsed.spec);
}

/** Checked specs of this process by text digest; bounded, for long-running callers. */
const checkedInProcess = new Map<string, Spec>();
const CHECKED_IN_PROCESS_MAX = 256;

function remember(key: string, spec: Spec): Spec {
  if (checkedInProcess.size >= CHECKED_IN_PROCESS_MAX) {
    const oldest = checkedInProcess.keys().next();
    if (oldest.done !== true) checkedInProcess.delete(oldest.value);
  }
  checkedInProcess.set(key, spec);
  return spec;
}

/**
 * `fn` with `opts` opening every image through one session (connections, credentials and
 * the content cache shared), closed after; a session the caller gave is used as it is.
 */
export async function withSession<T>(
  opts: SpecFetchOptions,
  fn: (opts: SpecFetchOptions) => Promise<T>,
): Promise<T> {
  if (opts.session) return fn(opts);
  const session = new RegistrySession(opts);
  try {
    return await fn({ ...opts, session });
  } finally {
    await session.close();
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export const mapBounded = mapLimit;
