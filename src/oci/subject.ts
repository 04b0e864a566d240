// Which manifest an artifact is attached to or looked up for: what the reference points to
// (an index stays an index), or with --platform the matching index entry; a single manifest
// asked for with --platform must have that platform in its config.

import { parseJson, parseManifest, type Descriptor, type ParsedManifest } from "./descriptor.js";
import { ContentError, RegistryError } from "./errors.js";
import { MAX_CONFIG_BYTES } from "./mediatypes.js";
import { formatPlatform, matchPlatform, type Platform } from "./platform.js";
import type { FetchedManifest, Fetcher } from "./store.js";

export interface ResolvedSubject {
  /** The descriptor artifacts refer to (an index entry keeps its `platform`). */
  subject: Descriptor;
  /** What the reference itself resolved to. */
  resolved: FetchedManifest;
  parsed: ParsedManifest;
  /** Set when --platform picked an index entry. */
  platform?: Platform;
}

/** The index entry for `platform`: the first match wins, as in NFD and oras. */
export function selectPlatform(index: ParsedManifest, platform: Platform): Descriptor | undefined {
  if (index.kind !== "index") return undefined;
  return index.index.manifests.find((m) => matchPlatform(platform, m.platform));
}

function platformsOf(index: ParsedManifest): string[] {
  if (index.kind !== "index") return [];
  return index.index.manifests.flatMap((m) =>
    m.platform
      ? [
          formatPlatform({
            os: m.platform.os,
            architecture: m.platform.architecture,
            ...(m.platform.variant ? { variant: m.platform.variant } : {}),
          }),
        ]
      : [],
  );
}

/** Parses what the reference resolved to and picks the subject. */
export async function resolveSubject(
  target: Fetcher,
  resolved: FetchedManifest,
  platform: Platform | undefined,
  name: string,
): Promise<ResolvedSubject> {
  const parsed = parseManifest(
    resolved.bytes,
    resolved.descriptor.mediaType,
    `manifest of ${name}`,
  );
  if (platform === undefined) return { subject: resolved.descriptor, resolved, parsed };
  if (parsed.kind === "index") {
    const entry = selectPlatform(parsed, platform);
    if (entry === undefined) {
      const have = platformsOf(parsed);
      throw new RegistryError(
        `${name} has no manifest for platform ${formatPlatform(platform)}` +
          (have.length > 0 ? ` (it has: ${have.join(", ")})` : " (its index lists no platforms)"),
      );
    }
    return { subject: entry, resolved, parsed, platform };
  }
  // A single manifest: its config says which platform it is for.
  const config = parsed.manifest.config;
  const bytes = await target.fetchBlob(config, MAX_CONFIG_BYTES);
  const doc = parseJson(bytes, `config of ${name}`);
  const o = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>) : {};
  const os = typeof o.os === "string" ? o.os : undefined;
  const architecture = typeof o.architecture === "string" ? o.architecture : undefined;
  const variant = typeof o.variant === "string" ? o.variant : undefined;
  if (os === undefined || architecture === undefined) {
    throw new ContentError(
      `${name} is a single manifest whose config names no os/architecture; cannot check --platform ${formatPlatform(platform)}`,
    );
  }
  const have = {
    os,
    architecture,
    ...(variant !== undefined ? { variant } : {}),
    ...(typeof o["os.version"] === "string" ? { "os.version": o["os.version"] } : {}),
  };
  if (!matchPlatform(platform, have)) {
    throw new RegistryError(
      `${name} is a single-platform image for ${formatPlatform({ os, architecture, ...(variant ? { variant } : {}) })}, not ${formatPlatform(platform)}`,
    );
  }
  return { subject: resolved.descriptor, resolved, parsed, platform };
}
