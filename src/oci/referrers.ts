// Referrers as every store reads them: the referrers tag schema's fallback index (the
// stores' own listings are theirs: registry.ts, layout.ts), and choosing the newest by
// `created`.

import { parseManifest, type Descriptor } from "./descriptor.js";
import { NotFoundError } from "./errors.js";
import { ANNOTATION_CREATED, OCI_INDEX } from "./mediatypes.js";
import { referrersTagFor } from "./reference.js";
import type { Resolver, TaggedManifest } from "./store.js";

/**
 * `list` split into the entries of `artifactType` (all when undefined), appended to
 * `referrers`, and those that do not say their type.
 */
export function splitByType(
  list: Descriptor[],
  artifactType: string | undefined,
  referrers: Descriptor[] = [],
): { referrers: Descriptor[]; untyped: Descriptor[] } {
  const untyped: Descriptor[] = [];
  for (const d of list) {
    if (artifactType === undefined || d.artifactType === artifactType) referrers.push(d);
    else if (d.artifactType === undefined) untyped.push(d);
  }
  return { referrers, untyped };
}

export interface FallbackIndex {
  tag: string;
  entries: Descriptor[];
  /** What the tag held, when it held a referrers index. */
  current?: TaggedManifest;
  /** The tag holds something else (not the subject itself): its descriptor. */
  foreign?: Descriptor;
  /** The digest of what the tag held; undefined when there was no such tag. */
  held?: string;
}

/** The referrers index under the `<alg>-<hex>` tag; absent or not an index = no entries. */
export async function readFallbackIndex(
  target: Resolver & { readonly display: string },
  subject: Descriptor,
  log?: (msg: string) => void,
): Promise<FallbackIndex> {
  const tag = referrersTagFor(subject.digest);
  let got: TaggedManifest;
  try {
    got = await target.fetchTag(tag);
  } catch (e) {
    if (e instanceof NotFoundError) return { tag, entries: [] };
    throw e;
  }
  const held = got.descriptor.digest;
  if (held === subject.digest) {
    log?.(
      `${target.display}:${tag} resolves to the subject itself (GitLab does this); no referrers index`,
    );
    return { tag, entries: [], held };
  }
  if (got.descriptor.mediaType !== OCI_INDEX) {
    log?.(`${target.display}:${tag} holds ${got.descriptor.mediaType}, not a referrers index`);
    return { tag, entries: [], foreign: got.descriptor, held };
  }
  const parsed = parseManifest(got.bytes, OCI_INDEX, `referrers index ${target.display}:${tag}`);
  if (parsed.kind !== "index") return { tag, entries: [], foreign: got.descriptor, held };
  return { tag, entries: parsed.index.manifests, current: got, held };
}

/** A fallback listing's `version` (ReferrersResult): the digest its tag held, or none. */
export function fallbackVersion(held: string | undefined): string {
  return `tag ${held ?? "none"}`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `created` as [epoch seconds, nanoseconds], or undefined when missing or not RFC 3339. */
export function createdTime(d: Descriptor): [number, number] | undefined {
  const v = d.annotations?.[ANNOTATION_CREATED];
  if (v === undefined) return undefined;
  const m = RFC3339.exec(v.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`.replace("t", "T").replace("z", "Z"));
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[2] ?? ".").slice(1).padEnd(9, "0").slice(0, 9);
  return [Math.floor(ms / 1000), Number(frac)];
}

/**
 * Newest first by the index entry's `created` annotation (missing or unparsable sorts
 * oldest, as in NFD); equal times by digest, ascending, so the choice is deterministic.
 */
export function sortNewestFirst(list: readonly Descriptor[]): Descriptor[] {
  const key = (d: Descriptor) => createdTime(d) ?? [-Infinity, 0];
  return [...list].sort((a, b) => {
    const [as, an] = key(a);
    const [bs, bn] = key(b);
    if (as !== bs) return bs > as ? 1 : -1;
    if (an !== bn) return bn - an;
    return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
  });
}

/** Whether an entry's `created` is usable: NFD sorts a missing or unparsable one oldest. */
export function createdState(d: Descriptor): "valid" | "missing" | "invalid" {
  if (d.annotations?.[ANNOTATION_CREATED] === undefined) return "missing";
  return createdTime(d) === undefined ? "invalid" : "valid";
}

/** RFC 3339 in UTC with the fraction Go's RFC3339Nano would print (at least milliseconds). */
function formatCreated([sec, ns]: [number, number]): string {
  const day = new Date(sec * 1000).toISOString().slice(0, 19);
  const frac = String(ns).padStart(9, "0").replace(/0+$/, "").padEnd(3, "0");
  return `${day}.${frac}Z`;
}

/**
 * The `created` of a new artifact: now, but strictly later than the newest existing one
 * (a clock behind another machine's, or two attaches in one millisecond), so the artifact
 * just attached is the one readers choose. Sub-second, which Go's RFC 3339 parser accepts.
 */
export function createdAfter(now: Date, existing: readonly Descriptor[]): string {
  const ms = now.getTime();
  let t: [number, number] = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  for (const d of existing) {
    const c = createdTime(d);
    if (c === undefined || c[0] < t[0] || (c[0] === t[0] && c[1] < t[1])) continue;
    // One millisecond after it (keeping its finer digits, so it stays later).
    const ns = c[1] + 1e6;
    t = [c[0] + Math.floor(ns / 1e9), ns % 1e9];
  }
  return formatCreated(t);
}
