// What fetchCompatSpec found for an image, remembered with the two things it read that can
// change: the tag's digest and the subject's referrers listing. Everything else it read
// (manifests, the spec layer) is named by digest. While a HEAD of the tag and of the
// listing say neither moved, the answer is the same: a warm image costs two HEADs and one
// memo, not two requests, five cache files and three manifests parsed (a 100-image audit).

import type { OpenedImage } from "./client.js";
import type { Descriptor } from "./descriptor.js";
import { isDigest } from "./digest.js";

/** Bump when ImageSpec's shape or the lookup's rules change. */
const SPEC_LOOKUP_MEMO = "compat spec v1";
/** Each use is checked against the registry; the age only bounds what is kept. */
const SPEC_LOOKUP_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

interface Remembered<T> {
  /** The digest the reference resolved to. */
  resolved: string;
  /** The manifest whose referrers were listed (the resolved one, or its --platform entry). */
  subject: Descriptor;
  /** The listing's version then (ReferrersResult.version). */
  version: string;
  found: T;
}

export interface SpecLookup<T> {
  /** The remembered answer, when nothing it depends on has changed. */
  found?: T;
  /** The digest the reference resolves to now, when a HEAD asked it. */
  resolved?: string;
}

function memoKey(img: OpenedImage, platform: string | undefined): string {
  return `${SPEC_LOOKUP_MEMO} ${img.target.key} ${img.reference} ${platform ?? ""}`;
}

function isRemembered<T>(v: unknown): v is Remembered<T> {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Partial<Remembered<T>>;
  return (
    typeof r.resolved === "string" &&
    typeof r.version === "string" &&
    typeof r.subject?.digest === "string" &&
    typeof r.found === "object" &&
    r.found !== null
  );
}

/** The answer remembered for `img`, checked by a HEAD of its tag and one of its listing. */
export async function rememberedLookup<T>(
  img: OpenedImage,
  platform: string | undefined,
): Promise<SpecLookup<T>> {
  const target = img.target;
  if (img.memos === undefined || target.referrersVersion === undefined) return {};
  const memo = await img.memos.getMemo<unknown>(memoKey(img, platform), SPEC_LOOKUP_MAX_AGE_MS);
  if (!isRemembered<T>(memo)) return {};
  let resolved = img.reference;
  if (!isDigest(resolved)) {
    const now = await target.head(resolved);
    if (now === undefined) return {};
    resolved = now.digest;
  }
  if (resolved !== memo.resolved) return { resolved };
  const version = await target.referrersVersion(memo.subject);
  return version !== undefined && version === memo.version
    ? { found: memo.found, resolved }
    : { resolved };
}

/** Remembers what was found for `img`, when the store gave its listing a version. */
export async function rememberLookup<T>(
  img: OpenedImage,
  platform: string | undefined,
  at: { resolved: string; subject: Descriptor; version: string | undefined },
  found: T,
): Promise<void> {
  if (img.memos === undefined || at.version === undefined) return;
  const value: Remembered<T> = {
    resolved: at.resolved,
    subject: at.subject,
    version: at.version,
    found,
  };
  await img.memos.setMemo(memoKey(img, platform), value);
}
