// Reading saved feature snapshots: the JSON of `nfd export features`, an NFD NodeFeature
// (`spec.features`), a NodeFeatureList, or several nodes in one file (a list, or a map of
// node name → snapshot) — in JSON or YAML. Every value is a string, as in NFD.

import { LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { linePosition, locateJsonPath } from "../lib/jsonlocate.js";
import { newMap, type Features } from "./nodefeatures.js";

export interface NodeSnapshot {
  /** The node's name: NodeFeature metadata.name, the map key, or `#<index>`. */
  name: string;
  features: Features;
}

export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(`${[file, line, col].filter((x) => x !== undefined).join(":")}: ${message}`);
    this.name = "SnapshotError";
  }
}

type Path = Array<string | number>;
class ShapeError extends Error {
  constructor(
    message: string,
    readonly path: Path,
  ) {
    super(message);
  }
}

export const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/**
 * YAML snapshots (and JSON-looking text that is not JSON) above this are refused: the YAML
 * parser takes seconds and about 60 times the text's size in memory per MiB (7.3 MiB: 21 s,
 * 463 MiB). JSON, what export writes, has only MAX_SNAPSHOT_BYTES.
 */
export const MAX_YAML_SNAPSHOT_BYTES = 4 * 1024 * 1024;

/**
 * Parses snapshot text. JSON takes a fast path (JSON.parse, then a shape check); YAML and
 * any error go through the `yaml` Document API so messages carry line:col.
 */
export function parseSnapshots(text: string, file = "<features>"): NodeSnapshot[] {
  if (text.length > MAX_SNAPSHOT_BYTES) {
    throw new SnapshotError(`larger than ${MAX_SNAPSHOT_BYTES} bytes`, file);
  }
  let data: unknown;
  let fromJson = false;
  let jsonError: string | undefined;
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      data = JSON.parse(text);
      fromJson = true;
    } catch (e) {
      // Not strict JSON: YAML flow syntax perhaps; if YAML fails too, JSON's reason is the
      // one a user of a .json file understands.
      jsonError = e instanceof Error ? e.message : String(e);
    }
  }
  const lc = new LineCounter();
  let doc: ReturnType<typeof parseDocument> | undefined;
  if (!fromJson) {
    if (text.length > MAX_YAML_SNAPSHOT_BYTES) {
      if (jsonError !== undefined) throw jsonSyntaxError(jsonError, text, file);
      throw new SnapshotError(
        `a YAML snapshot larger than ${MAX_YAML_SNAPSHOT_BYTES} bytes (4 MiB) is refused; give it as JSON (kompat export features writes JSON)`,
        file,
      );
    }
    // failsafe: every scalar stays the string it was written as (`24.04` is "24.04").
    doc = parseDocument(text, { lineCounter: lc, schema: "failsafe", uniqueKeys: true });
    const err = doc.errors[0];
    if (err && jsonError !== undefined) throw jsonSyntaxError(jsonError, text, file);
    if (err) {
      const pos = err.linePos?.[0];
      throw new SnapshotError(firstLine(err.message), file, pos?.line, pos?.col);
    }
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // e.g. an alias bomb: refuse rather than expand it.
      throw new SnapshotError(firstLine(e instanceof Error ? e.message : String(e)), file);
    }
  }
  // Where a path is written: JSON by a scan of the text (never a second parse), YAML from
  // the document already parsed.
  const locate = (path: Path): { line: number; col: number } | undefined => {
    if (doc === undefined) return linePosition(text, locateJsonPath(text, path));
    const node = doc.getIn(path, true) as YamlNode | undefined;
    const off = node?.range?.[0];
    return off === undefined ? undefined : lc.linePos(off);
  };
  try {
    const found = toSnapshots(data);
    uniqueNames(found, locate, file);
    return found.map((f) => f.snapshot);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    const pos = locate(e.path);
    const where = e.path.length ? ` (at ${e.path.map(String).join(".")})` : "";
    throw new SnapshotError(`${e.message}${where}`, file, pos?.line, pos?.col);
  }
}

/** Two nodes of one name: `--node` would pick both, and a report could not tell them apart. */
function uniqueNames(
  found: Found[],
  locate: (p: Path) => { line: number; col: number } | undefined,
  file: string,
): void {
  const seen = new Map<string, Path>();
  const place = (p: Path): string => {
    const pos = locate(p);
    const at = p.length ? p.map(String).join(".") : "the top";
    return pos ? `${at} (line ${pos.line})` : at;
  };
  for (const { snapshot, path } of found) {
    const first = seen.get(snapshot.name);
    if (first === undefined) seen.set(snapshot.name, path);
    else
      throw new SnapshotError(
        `node name "${snapshot.name}" is given twice: at ${place(first)} and at ${place(path)}`,
        file,
      );
  }
}

/**
 * Snapshots from data already parsed (a NodeFeatureList page from the API server, say):
 * the same shape checks as parseSnapshots, the place named by path instead of line:col.
 */
export function snapshotsFromData(data: unknown, file: string): NodeSnapshot[] {
  try {
    return toSnapshots(data).map((f) => f.snapshot);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    const where = e.path.length ? ` (at ${e.path.map(String).join(".")})` : "";
    throw new SnapshotError(`${e.message}${where}`, file);
  }
}

/** JSON.parse's message, its `position N` turned into line:col. */
function jsonSyntaxError(message: string, text: string, file: string): SnapshotError {
  const m = / (?:in JSON )?at position (\d+)/.exec(message);
  const { line, col } = linePosition(text, m ? Number(m[1]) : text.length);
  const reason = m ? message.slice(0, m.index) : message;
  return new SnapshotError(`invalid JSON: ${reason}`, file, line, col);
}

/** The parser's message without its code frame and repeated position. */
function firstLine(s: string): string {
  const line = s.split("\n")[0] ?? s;
  return line.replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const FEATURE_KEYS = ["flags", "attributes", "instances"];

function looksLikeFeatures(v: Record<string, unknown>): boolean {
  return FEATURE_KEYS.some((k) => Object.hasOwn(v, k));
}

interface Found {
  snapshot: NodeSnapshot;
  path: Path;
}

function toSnapshots(data: unknown): Found[] {
  const at = (path: Path, fallback: string, v: unknown): Found => ({
    snapshot: one(v, path, fallback),
    path,
  });
  if (Array.isArray(data)) {
    return data.map((item, i) => at([i], `#${i}`, item));
  }
  if (!isObject(data)) {
    throw new ShapeError(
      "expected a feature snapshot (an object with flags, attributes, instances)",
      [],
    );
  }
  if (data.kind === "NodeFeatureList" || (Array.isArray(data.items) && !looksLikeFeatures(data))) {
    const items = data.items;
    if (!Array.isArray(items)) throw new ShapeError("items must be a list", ["items"]);
    return items.map((item, i) => at(["items", i], `#${i}`, item));
  }
  if (looksLikeFeatures(data) || isObject(data.spec) || data.kind === "NodeFeature") {
    return [at([], nodeName(data) ?? "node", data)];
  }
  // A map of node name → snapshot.
  const keys = Object.keys(data);
  if (keys.length === 0) throw new ShapeError("no snapshot in the file", []);
  return keys.map((k) => at([k], k, data[k]));
}

function nodeName(v: Record<string, unknown>): string | undefined {
  const meta = v.metadata;
  if (!isObject(meta)) return undefined;
  // NFD labels NodeFeature objects with the node they describe.
  const labels = meta.labels;
  if (isObject(labels) && typeof labels["nfd.node.kubernetes.io/node-name"] === "string") {
    return labels["nfd.node.kubernetes.io/node-name"];
  }
  return typeof meta.name === "string" ? meta.name : undefined;
}

function one(v: unknown, path: Path, fallbackName: string): NodeSnapshot {
  if (!isObject(v)) throw new ShapeError("expected a feature snapshot object", path);
  // `{}`: a node with no features at all.
  if (Object.keys(v).length === 0) return { name: fallbackName, features: features(v, path) };
  if (!looksLikeFeatures(v)) {
    const spec = v.spec;
    if (isObject(spec) && isObject(spec.features)) {
      return {
        name: nodeName(v) ?? fallbackName,
        features: features(spec.features, [...path, "spec", "features"]),
      };
    }
    if (v.kind === "NodeFeature" || isObject(spec)) {
      throw new ShapeError("NodeFeature has no spec.features", path);
    }
    throw new ShapeError("expected flags, attributes or instances", path);
  }
  return { name: nodeName(v) ?? fallbackName, features: features(v, path) };
}

// The checks below validate in place instead of copying: a fleet file holds millions of
// elements, and look-ups go through Object.hasOwn, so JSON.parse's objects are safe as they are.

function features(v: Record<string, unknown>, path: Path): Features {
  for (const k in v) {
    if (k !== "flags" && k !== "attributes" && k !== "instances") {
      throw new ShapeError(`unknown key "${k}" (expected flags, attributes, instances)`, [
        ...path,
        k,
      ]);
    }
  }
  return {
    flags: section(v.flags, path, "flags", checkFlags),
    attributes: section(v.attributes, path, "attributes", checkAttributes),
    instances: section(v.instances, path, "instances", checkInstances),
  } as Features;
}

function section(
  v: unknown,
  parent: Path,
  key: string,
  check: (v: unknown, at: () => Path) => unknown,
): Record<string, { elements: unknown }> {
  if (v === undefined || v === null) return newMap();
  if (!isObject(v))
    throw new ShapeError("expected a map of feature name → {elements}", [...parent, key]);
  for (const name in v) {
    const f = v[name];
    if (!isObject(f))
      throw new ShapeError(`feature "${name}": expected {elements: …}`, [...parent, key, name]);
    // No elements (null, or absent: a nil map in Go) is not an empty map: NFD's MatchMulti
    // matches nothing against it, not even an empty matchExpressions. Read as not in this map.
    if (f.elements === undefined || f.elements === null) {
      delete v[name];
      continue;
    }
    f.elements = check(f.elements, () => [...parent, key, name, "elements"]);
  }
  return v as Record<string, { elements: unknown }>;
}

function checkFlags(v: unknown, at: () => Path): unknown {
  if (v === undefined || v === null) return newMap();
  if (!isObject(v)) throw new ShapeError("flag elements must be a map of name → {}", at());
  return v;
}

function checkAttributes(v: unknown, at: () => Path): unknown {
  if (v === undefined || v === null) return newMap();
  if (!isObject(v)) throw new ShapeError("attribute elements must be a map of name → string", at());
  for (const k in v) {
    const val = v[k];
    if (typeof val === "string") continue;
    if (typeof val === "number" || typeof val === "boolean") v[k] = String(val);
    else throw new ShapeError(`element "${k}": value must be a string`, [...at(), k]);
  }
  return v;
}

function checkInstances(v: unknown, at: () => Path): unknown {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw new ShapeError("instance elements must be a list of {attributes}", at());
  for (let i = 0; i < v.length; i++) {
    const inst: unknown = v[i];
    if (!isObject(inst)) throw new ShapeError("expected {attributes: {…}}", [...at(), i]);
    inst.attributes = checkAttributes(inst.attributes, () => [...at(), i, "attributes"]);
  }
  return v;
}
