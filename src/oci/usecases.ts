// The registry use cases, one call each from an image reference (registry or oci-layout:),
// as the CLI, the fleet tools and the cluster commands run them: each opens the image,
// does its work and closes it (withImage). Errors are RegistryError (or a subclass).

import { basename } from "node:path";
import { attachToSubject, type AttachResult } from "./attach.js";
import { withImage, type ClientOptions } from "./client.js";
import {
  findArtifactsOf,
  readArtifactSpec,
  type ArtifactSpec,
  type FoundArtifacts,
} from "./compat.js";
import { copyResolved, type CopyResult } from "./copy.js";
import { parseManifest, type Descriptor, type ParsedManifest } from "./descriptor.js";
import { isDigest } from "./digest.js";
import { NotFoundError, RegistryError } from "./errors.js";
import { mapLimit } from "./bounded.js";
import { ANNOTATION_CREATED, COMPAT_ARTIFACT_TYPE } from "./mediatypes.js";
import { formatPlatform, hostPlatform, parsePlatform, type Platform } from "./platform.js";
import { parseReference } from "./reference.js";
import { rememberedLookup, rememberLookup } from "./spec-memo.js";
import { resolveSubject } from "./subject.js";

export type { ArtifactSpec, AttachResult, ClientOptions, CopyResult, FoundArtifacts };

const PLATFORM_ONLY = (platform: string | undefined) =>
  platform !== undefined ? { platform } : {};

/** The manifest a reference names, and the names to show it by. */
export interface ResolvedImage {
  /** `registry/repo:tag` or `oci-layout:dir:tag`, as written back to the user. */
  name: string;
  /** The repository without tag or digest. */
  base: string;
  descriptor: Descriptor;
  manifest: ParsedManifest;
}

/** Resolves `image` (by digest with a warm cache: no request). */
export function resolveImage(image: string, opts: ClientOptions): Promise<ResolvedImage> {
  return withImage(image, opts, "pull", async (img) => {
    const got = await img.target.resolve(img.reference);
    const manifest = parseManifest(got.bytes, got.descriptor.mediaType, `manifest of ${img.name}`);
    return { name: img.name, base: img.base, descriptor: got.descriptor, manifest };
  });
}

export interface AttachSpecOptions extends ClientOptions {
  /** `os/arch[/variant]`: attach to that entry of an index rather than the index. */
  platform?: string;
  /** The spec's file name, for the layer's title (default `spec.yaml`). */
  fileName?: string;
  /** Annotations of the artifact manifest; `created` is added unless given. */
  annotations?: Record<string, string>;
  /** Problems that do not stop the attach (e.g. a fallback index that was rewritten). */
  warn?: (msg: string) => void;
  now?: () => Date;
}

export interface AttachedSpec extends AttachResult {
  /** `registry/repo@sha256:…` of the manifest the artifact refers to. */
  subjectName: string;
  subject: Descriptor;
}

/**
 * Attaches `specText` to `image` as a compatibility artifact, the way `oras attach` does;
 * the caller checks the spec first (loadSpec). The registry client only checks its size.
 */
export function attachSpec(
  image: string,
  specText: string,
  opts: AttachSpecOptions,
): Promise<AttachedSpec> {
  const platform = opts.platform !== undefined ? parsePlatform(opts.platform) : undefined;
  return withImage(image, opts, "push", async (img) => {
    const resolved = await img.target.resolve(img.reference);
    const picked = await resolveSubject(img.target, resolved, platform, img.name);
    const res = await attachToSubject(img.target, picked.subject, Buffer.from(specText, "utf8"), {
      fileName: opts.fileName !== undefined ? basename(opts.fileName) : "spec.yaml",
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      lockPath: img.lockPath,
      ...(opts.verbose ? { log: opts.verbose } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    return { ...res, subjectName: `${img.base}@${picked.subject.digest}`, subject: picked.subject };
  });
}

export interface FindArtifactsOptions extends ClientOptions {
  /** `os/arch[/variant]`: the artifacts of that entry of an index. */
  platform?: string;
  /** When an index has none: look at this node's platform entry (validate-node does). */
  hostFallback?: boolean;
  /** This node's platform for the fallback (default: the machine's). */
  hostPlatform?: Platform | (() => Platform);
  /** Read the specs of the newest this many artifacts (default 0). */
  readSpecs?: number;
}

/** One artifact's spec as read, or why it could not be. */
export type ReadSpec = { spec: ArtifactSpec } | { error: Error };

export interface CompatArtifacts extends FoundArtifacts {
  /** For the newest `readSpecs` artifacts, in the order of `artifacts`. */
  specs: ReadSpec[];
}

const SPEC_READ_CONCURRENCY = 4;

/** The compatibility artifacts attached to `image`, newest first (the first is the one used). */
export function findCompatArtifacts(
  image: string,
  opts: FindArtifactsOptions,
): Promise<CompatArtifacts> {
  return withImage(image, opts, "pull", async (img) => {
    const found = await findArtifactsOf(img, findOpts(opts));
    const read = found.artifacts.slice(0, Math.max(0, opts.readSpecs ?? 0));
    const specs = await mapLimit(read, SPEC_READ_CONCURRENCY, async (a): Promise<ReadSpec> => {
      try {
        return { spec: await readArtifactSpec(img, a, found.subject, opts.verbose) };
      } catch (e) {
        return { error: e instanceof Error ? e : new Error(String(e)) };
      }
    });
    return { ...found, specs };
  });
}

function findOpts(opts: FindArtifactsOptions): Parameters<typeof findArtifactsOf>[1] {
  return {
    ...PLATFORM_ONLY(opts.platform),
    ...(opts.hostFallback ? { hostFallback: true } : {}),
    ...(opts.hostPlatform ? { host: opts.hostPlatform } : {}),
    ...(opts.verbose ? { log: opts.verbose } : {}),
  };
}

export interface CompatSpecOptions extends ClientOptions {
  platform?: string;
  /**
   * This node's platform for the index fallback (default: the machine's); a function is
   * asked only when the fallback is needed (it may throw: no platform known).
   */
  hostPlatform?: Platform | (() => Platform);
}

export interface ImageSpec {
  specText: string;
  /** e.g. `registry.example/app@sha256:… (artifact sha256:…)`. */
  specSource: string;
  /** `registry.example/app@sha256:…` of the manifest the artifact is attached to. */
  subject: string;
  artifactDigest: string;
  /** The subject's digest alone. */
  subjectDigest: string;
  /** The artifact's `created` annotation as listed, when it has one. */
  created?: string;
  /** The spec layer's digest. */
  specDigest: string;
  /** How the artifact was found: referrers API, fallback tag, layout. */
  source: "api" | "tag" | "layout";
  /** Remarks for the user, e.g. that this node's platform entry was used. */
  notes: string[];
}

/**
 * The spec validate-node uses for `--image`: the newest compatibility artifact of the image
 * (or of this node's entry of an index that has none), with where it came from. No artifact
 * is a NotFoundError without an HTTP status (isNoSpec in fleet/ tells it apart).
 */
export function fetchCompatSpec(image: string, opts: CompatSpecOptions): Promise<ImageSpec> {
  return withImage(image, opts, "pull", async (opened) => {
    const log = opts.verbose;
    const memo = await rememberedLookup<ImageSpec>(opened, opts.platform);
    if (memo.found !== undefined) {
      log?.(
        `${opened.name}: tag and referrers unchanged since the last lookup; artifact ${memo.found.artifactDigest}`,
      );
      log?.(`${opened.requestCount()} HTTP request(s) to the registry`);
      return memo.found;
    }
    // The HEAD above told the digest: resolve that, not the tag again.
    const img = memo.resolved !== undefined ? { ...opened, reference: memo.resolved } : opened;
    const found = await findArtifactsOf(img, findOpts({ ...opts, hostFallback: true }));
    const newest = found.artifacts[0];
    if (newest === undefined) throw noArtifact(image, found, opts);
    if (found.artifacts.length > 1)
      log?.(
        `${found.artifacts.length} compatibility artifacts; using the newest, ${newest.digest}`,
      );
    const spec = await readArtifactSpec(img, newest, found.subject, log);
    log?.(`${img.requestCount()} HTTP request(s) to the registry`);
    const out: ImageSpec = {
      specText: spec.text,
      specSource: `${found.subjectName} (artifact ${newest.digest})`,
      subject: found.subjectName,
      artifactDigest: newest.digest,
      subjectDigest: found.subject.digest,
      ...(newest.annotations?.[ANNOTATION_CREATED] !== undefined
        ? { created: newest.annotations[ANNOTATION_CREATED] }
        : {}),
      specDigest: spec.layer.digest,
      source: found.source,
      notes: found.notes,
    };
    const at = {
      resolved: found.resolvedDigest,
      subject: found.subject,
      version: found.listingVersion,
    };
    await rememberLookup(opened, opts.platform, at, out);
    return out;
  });
}

function noArtifact(image: string, found: FoundArtifacts, opts: CompatSpecOptions): NotFoundError {
  const host = () =>
    typeof opts.hostPlatform === "function"
      ? opts.hostPlatform()
      : (opts.hostPlatform ?? hostPlatform());
  const also =
    found.resolved.kind === "index" && opts.platform === undefined
      ? ` (nor its ${formatPlatform(host())} entry)`
      : "";
  return new NotFoundError(
    `no compatibility artifact (${COMPAT_ARTIFACT_TYPE}) is attached to ${found.subjectName}${also}; attach one with "kompat attach --image ${image} --spec FILE"`,
  );
}

export interface CopyImageOptions {
  /** Options for the source's registry (credentials are for it only). */
  from: ClientOptions;
  /** Options for the destination's registry. */
  to: ClientOptions;
  /** Every referrer, not only compatibility artifacts (`copy -r`). */
  allReferrers?: boolean;
  log?: (msg: string) => void;
}

export interface CopiedImage extends CopyResult {
  /** The source and destination as written back to the user. */
  from: string;
  to: string;
}

/**
 * Copies `src` (every platform of an index) with its compatibility artifacts to `dst`, as
 * `oras copy -r` does. `dst` without tag or digest takes the source's tag.
 */
export function copyImage(src: string, dst: string, opts: CopyImageOptions): Promise<CopiedImage> {
  return withImage(src, opts.from, "pull", async (from) => {
    const root = await from.target.resolve(from.reference);
    const target = destination(dst, from.reference, root.descriptor.digest);
    return withImage(target.ref, opts.to, "push", async (to) => {
      const res = await copyResolved(from, to, root, {
        ...(target.tag !== undefined ? { tag: target.tag } : {}),
        ...(opts.allReferrers ? { allReferrers: true } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      });
      return { ...res, from: from.name, to: to.name };
    });
  });
}

/** DST as given, or with SRC's tag (a layout without one would need an existing tag). */
function destination(
  given: string,
  srcReference: string,
  rootDigest: string,
): { ref: string; tag?: string } {
  let ref;
  try {
    ref = parseReference(given);
  } catch (e) {
    throw new RegistryError(`copy: DST: ${(e as Error).message}`);
  }
  if (ref.digest !== undefined) {
    if (ref.digest !== rootDigest)
      throw new RegistryError(`copy: DST names ${ref.digest}, but SRC is ${rootDigest}`);
    return { ref: given };
  }
  const explicit = ref.kind === "layout" ? ref.tag : hasExplicitTag(given) ? ref.tag : undefined;
  const tag = explicit ?? (isDigest(srcReference) ? undefined : srcReference);
  if (tag === undefined) return { ref: `${given}@${rootDigest}` };
  return { ref: explicit !== undefined ? given : `${given}:${tag}`, tag };
}

/** `registry/repo:tag` (a colon after the last slash); `host:5000/repo` has none. */
function hasExplicitTag(s: string): boolean {
  const last = s.slice(s.lastIndexOf("/") + 1);
  return last.includes(":");
}
