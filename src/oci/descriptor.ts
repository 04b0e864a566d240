// OCI descriptors, image manifests and indexes: the JSON shapes and checked parsing of
// untrusted bytes into them (a hostile registry may send anything).

import { ContentError, printable } from "./errors.js";
import { isDigest } from "./digest.js";
import { isIndexType, isManifestType } from "./mediatypes.js";

/** The `platform` object of an index entry. */
export interface DescriptorPlatform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: DescriptorPlatform;
  /** Inlined content, base64. */
  data?: string;
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  { kind: "manifest"; manifest: ImageManifest } | { kind: "index"; index: ImageIndex };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new ContentError(`${where}: annotations must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== "string")
      throw new ContentError(`${where}: annotation "${k}" is not a string`);
    out[k] = val;
  }
  return out;
}

/** Checks one descriptor object; `where` names it in errors (e.g. `index manifests[2]`). */
export function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new ContentError(`${where}: descriptor must be an object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== "string" || mediaType === "") {
    throw new ContentError(`${where}: descriptor has no mediaType`);
  }
  if (typeof digest !== "string" || !isDigest(digest)) {
    throw new ContentError(`${where}: descriptor has a missing or malformed digest`);
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new ContentError(`${where}: descriptor has a missing or invalid size`);
  }
  const d: Descriptor = { mediaType, digest, size };
  if (typeof v.artifactType === "string") d.artifactType = v.artifactType;
  const annotations = stringMap(v.annotations, where);
  if (annotations) d.annotations = annotations;
  if (isObject(v.platform)) {
    const p = v.platform;
    if (typeof p.os === "string" && typeof p.architecture === "string") {
      const platform: DescriptorPlatform = { os: p.os, architecture: p.architecture };
      if (typeof p.variant === "string") platform.variant = p.variant;
      if (typeof p["os.version"] === "string") platform["os.version"] = p["os.version"];
      if (Array.isArray(p["os.features"])) {
        platform["os.features"] = p["os.features"].filter(
          (x): x is string => typeof x === "string",
        );
      }
      d.platform = platform;
    }
  }
  if (typeof v.data === "string") d.data = v.data;
  if (Array.isArray(v.urls)) d.urls = v.urls.filter((x): x is string => typeof x === "string");
  return d;
}

export function parseJson(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (e) {
    // V8's message quotes the input: keep it short and escaped (it may be binary).
    throw new ContentError(`${where}: malformed JSON (${printable((e as Error).message, 100)})`);
  }
}

/**
 * Parses a manifest or index. `mediaType` is what the registry or parent descriptor said;
 * the document's own `mediaType` wins when present, else the shape decides.
 */
export function parseManifest(
  bytes: Uint8Array,
  mediaType: string | undefined,
  where: string,
): ParsedManifest {
  const v = parseJson(bytes, where);
  if (!isObject(v)) throw new ContentError(`${where}: manifest must be a JSON object`);
  if (v.schemaVersion !== 2)
    throw new ContentError(
      `${where}: unsupported schemaVersion ${JSON.stringify(v.schemaVersion)}`,
    );
  const own = typeof v.mediaType === "string" ? v.mediaType : undefined;
  const type = own ?? mediaType;
  const looksIndex = Array.isArray(v.manifests);
  const index =
    type !== undefined && (isIndexType(type) || isManifestType(type))
      ? isIndexType(type)
      : looksIndex;
  const common = {
    schemaVersion: 2 as const,
    ...(own !== undefined ? { mediaType: own } : {}),
    ...(typeof v.artifactType === "string" ? { artifactType: v.artifactType } : {}),
    ...(v.subject !== undefined ? { subject: parseDescriptor(v.subject, `${where} subject`) } : {}),
  };
  const annotations = stringMap(v.annotations, where);
  if (index) {
    if (!Array.isArray(v.manifests))
      throw new ContentError(`${where}: index has no "manifests" list`);
    const manifests = v.manifests.map((m, i) => parseDescriptor(m, `${where} manifests[${i}]`));
    return {
      kind: "index",
      index: { ...common, manifests, ...(annotations ? { annotations } : {}) },
    };
  }
  if (!isObject(v.config)) throw new ContentError(`${where}: manifest has no "config"`);
  const config = parseDescriptor(v.config, `${where} config`);
  const layers = v.layers === undefined || v.layers === null ? [] : v.layers;
  if (!Array.isArray(layers)) throw new ContentError(`${where}: manifest "layers" must be a list`);
  return {
    kind: "manifest",
    manifest: {
      ...common,
      config,
      layers: layers.map((l, i) => parseDescriptor(l, `${where} layers[${i}]`)),
      ...(annotations ? { annotations } : {}),
    },
  };
}

/** Canonical JSON bytes of a document we write. */
export function encodeJson(v: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(v), "utf8");
}
