// Before attach writes the referrers tag (`sha256-<hex>`): that tag name is an ordinary tag,
// and someone may keep an image there. It is replaced only when it is absent or holds a
// referrers index: an index whose entries all refer to the subject.

import { parseManifest, type Descriptor } from "./descriptor.js";
import { NotFoundError, RegistryError } from "./errors.js";
import type { FallbackIndex } from "./referrers.js";
import type { Target } from "./store.js";
import { mapLimit } from "./bounded.js";

/**
 * Entries whose manifests are read to check their subject (the first and last halves of a
 * big index): enough to tell an image's index from a referrers index, cheap on every attach.
 */
const CHECKED_ENTRIES = 16;

export async function checkReferrersIndex(
  target: Target,
  subject: Descriptor,
  fallback: FallbackIndex,
  log: (m: string) => void,
): Promise<void> {
  const where = `${target.display}:${fallback.tag}`;
  const refuse = (what: string): never => {
    throw new RegistryError(
      `${where} holds ${what}, not a referrers index of ${subject.digest}; attach would overwrite it. ` +
        `Move that tag away (it is the referrers tag name of the image), or attach on a registry with the referrers API`,
    );
  };
  if (fallback.foreign !== undefined)
    refuse(`${fallback.foreign.mediaType} ${fallback.foreign.digest}`);
  const entries = fallback.entries;
  if (entries.length === 0) return;
  if (entries.some((e) => e.platform !== undefined))
    refuse(`an image index (entries with a platform)`);
  const half = CHECKED_ENTRIES / 2;
  const sample =
    entries.length <= CHECKED_ENTRIES
      ? entries
      : [...entries.slice(0, half), ...entries.slice(entries.length - half)];
  const subjects = await mapLimit(sample, 8, async (e) => {
    try {
      const bytes = await target.fetchManifest(e);
      const parsed = parseManifest(bytes, e.mediaType, `${where} entry ${e.digest}`);
      return (parsed.kind === "index" ? parsed.index.subject : parsed.manifest.subject)?.digest;
    } catch (err) {
      // An artifact deleted without updating the index: a stale entry, not a foreign image.
      if (err instanceof NotFoundError) return subject.digest;
      throw err;
    }
  });
  const odd = sample.findIndex((_, i) => subjects[i] !== subject.digest);
  if (odd !== -1)
    refuse(
      `an index whose entry ${sample[odd]?.digest} ${subjects[odd] === undefined ? "has no subject" : `refers to ${subjects[odd]}`}`,
    );
  log(`${where}: a referrers index (${sample.length} of ${entries.length} entries checked)`);
}
