// Reading a cluster's features: Node objects for the node list, NodeFeature objects
// (nfd.k8s-sigs.io/v1alpha1, all namespaces) paged with limit/continue, grouped by the
// node-name label and merged in nfd-master's order (getAndMergeNodeFeatures: NFD's own
// namespace first, then by name, then by namespace; MergeInto: later flag and attribute
// elements override, instances are appended). A page is handed on as soon as it arrives
// and dropped: the cluster's features are never all in memory.

import { newMap, type Features } from "../features/nodefeatures.js";
import { snapshotsFromData, SnapshotError } from "../features/snapshot.js";
import { ClusterError } from "./errors.js";
import { ListSplitter } from "./listsplit.js";
import { parseNarrowed } from "./narrow.js";
import { describe, type Action, type Cluster } from "./client.js";

export const NFD_GROUP = "nfd.k8s-sigs.io";
export const NFD_VERSION = "v1alpha1";
export const NODE_NAME_LABEL = "nfd.node.kubernetes.io/node-name";
/** Where NFD's deployments put nfd-master (its objects merge first). */
export const DEFAULT_NFD_NAMESPACE = "node-feature-discovery";
export const DEFAULT_CHUNK_SIZE = 500;
const MAX_RESTARTS = 3;

const NODEFEATURES = `nodefeatures.${NFD_GROUP}`;
const METADATA_ONLY =
  "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json";

export interface ListOptions {
  /** Objects per page (`limit`). */
  chunkSize?: number;
}

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface Item {
  metadata?: Meta;
}
interface Page {
  items: Item[];
  /** First page after a 410 restarted the list: what came before is being sent again. */
  restarted: boolean;
}

/**
 * Every page of a list, following `continue`; an expired token (410) restarts the list.
 * The next page is requested before this one is handed on, so the API server sends it
 * while this one is evaluated (at most two pages are held: one parsed, one arriving).
 */
export async function* listPages(
  cluster: Cluster,
  path: string,
  query: Record<string, string>,
  action: Action,
  opts: ListOptions & {
    accept?: string;
    keep?: (item: Item) => Item | undefined;
    /** An item's text to the item (default JSON.parse). */
    parse?: (text: string) => unknown;
  } = {},
): AsyncGenerator<Page> {
  const limit = String(opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const keep = opts.keep ?? ((it: Item) => it);
  const fetchPage = (token: string) => {
    const q = new URLSearchParams({ ...query, limit });
    if (token) q.set("continue", token);
    const items: Item[] = [];
    const split = new ListSplitter((it) => {
      if (typeof it !== "object" || it === null) return;
      const kept = keep(it as Item);
      if (kept !== undefined) items.push(kept);
    }, opts.parse);
    const p = cluster
      .request(`${path}?${q}`, action, {
        allow: [404, 410],
        sink: (c) => split.write(c),
        ...(opts.accept ? { accept: opts.accept } : {}),
      })
      .then((got) => ({ got, items, split }));
    p.catch(() => {}); // rejections are handled where the page is awaited
    return { p, token };
  };
  let next = fetchPage("");
  let restarts = 0;
  let restarted = false;
  for (;;) {
    let awaited;
    try {
      awaited = await next.p;
    } catch (e) {
      if (e instanceof SyntaxError || e instanceof RangeError)
        throw new ClusterError(`${describe(action)}: ${cluster.where} sent bad JSON: ${e.message}`);
      throw e;
    }
    const { got, items, split } = awaited;
    if (got.status === 410 && next.token) {
      // The continue token expired (etcd compacted): the API's answer is to list again.
      if (++restarts > MAX_RESTARTS)
        throw new ClusterError(
          `${describe(action)}: the list expired ${MAX_RESTARTS} times in a row (410 Gone); try a larger --chunk-size`,
          410,
        );
      restarted = true;
      next = fetchPage("");
      continue;
    }
    if (got.status === 404 || got.status === 410) throw notFound(cluster, path, action, got.status);
    let list: { metadata?: { continue?: unknown } };
    try {
      list = split.end();
    } catch {
      throw new ClusterError(
        `${describe(action)}: ${cluster.where} sent something that is not JSON`,
      );
    }
    const cont = list.metadata?.continue;
    const more = typeof cont === "string" && cont !== "";
    if (more) next = fetchPage(cont);
    yield { items, restarted };
    restarted = false;
    if (!more) return;
  }
}

function notFound(cluster: Cluster, path: string, action: Action, status: number): ClusterError {
  if (action.resource === NODEFEATURES)
    return new ClusterError(
      `${describe(action)}: the NodeFeature API (${NFD_GROUP}/${NFD_VERSION}) is not installed on ${cluster.where}; ` +
        `install Node Feature Discovery (its CRDs and nfd-worker), or check nodes without NFD with 'kompat cluster job'`,
      status,
    );
  return new ClusterError(
    `${describe(action)}: ${cluster.where} answered ${status} for ${path}`,
    status,
  );
}

export interface NodeSelection {
  /** `-l`: a label selector on Node objects. */
  selector?: string | undefined;
  /** `--node NAME`: that node only. */
  node?: string | undefined;
}

/** The names of the selected Node objects (names only: a few bytes per node). */
export async function listNodeNames(
  cluster: Cluster,
  sel: NodeSelection,
  opts: ListOptions = {},
): Promise<Set<string>> {
  const names = new Set<string>();
  if (sel.node !== undefined) {
    const action = { verb: "get", resource: "nodes", scope: ` ("${sel.node}")` };
    const got = await cluster.request(`/api/v1/nodes/${encodeURIComponent(sel.node)}`, action, {
      allow: [404],
    });
    if (got.status === 404)
      throw new ClusterError(`--node ${sel.node}: no such node on ${cluster.where}`, 404);
    names.add(sel.node);
    return names;
  }
  const q: Record<string, string> = sel.selector ? { labelSelector: sel.selector } : {};
  const action = { verb: "list", resource: "nodes" };
  const nameOnly = (it: Item): Item => ({ metadata: { name: it.metadata?.name ?? "" } });
  for await (const page of listPages(cluster, "/api/v1/nodes", q, action, {
    ...opts,
    keep: nameOnly,
  })) {
    for (const it of page.items) if (it.metadata?.name) names.add(it.metadata.name);
  }
  return names;
}

function nodeFeatureQuery(node: string | undefined): Record<string, string> {
  return { labelSelector: node !== undefined ? `${NODE_NAME_LABEL}=${node}` : NODE_NAME_LABEL };
}

const NF_PATH = `/apis/${NFD_GROUP}/${NFD_VERSION}/nodefeatures`;
const NF_ACTION = { verb: "list", resource: NODEFEATURES, scope: " in all namespaces" };

/**
 * How many NodeFeature objects each node has, from a metadata-only list: a node's objects
 * can be anywhere in the list, and only then is it known when a node is complete.
 */
export async function countNodeFeatures(
  cluster: Cluster,
  node: string | undefined,
  opts: ListOptions = {},
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const page of listPages(cluster, NF_PATH, nodeFeatureQuery(node), NF_ACTION, {
    ...opts,
    accept: METADATA_ONLY,
  })) {
    if (page.restarted) counts.clear();
    for (const it of page.items) {
      const n = it.metadata?.labels?.[NODE_NAME_LABEL];
      if (typeof n === "string") counts.set(n, (counts.get(n) ?? 0) + 1);
    }
  }
  return counts;
}

export interface NodeFeatures {
  node: string;
  features: Features;
  /** The objects merged, in merge order (`namespace/name`). */
  objects: string[];
}

export interface ListNodeFeaturesOptions extends ListOptions {
  /** Only this node's objects. */
  node?: string | undefined;
  /** nfd-master's namespace: its objects come first in the merge. */
  nfdNamespace?: string;
  /** Only nodes for which this returns true are parsed and handed on. */
  wanted?: (node: string) => boolean;
  /**
   * Only the features named here (lower case) are converted and kept: a node's other
   * features (most of its ~45 KB) are dropped with the page, never copied. Default: all.
   */
  features?: ReadonlySet<string>;
}

interface Pending {
  objects: Array<{ namespace: string; name: string; features: Features }>;
}

/**
 * Each node's merged features, as soon as all its NodeFeature objects have arrived. A node
 * whose objects changed between the two lists is handed on at the end with what arrived.
 */
export async function* listNodeFeatures(
  cluster: Cluster,
  opts: ListNodeFeaturesOptions = {},
): AsyncGenerator<NodeFeatures> {
  const counts = await countNodeFeatures(cluster, opts.node, opts);
  const nfdNs = opts.nfdNamespace ?? DEFAULT_NFD_NAMESPACE;
  const pending = new Map<string, Pending>();
  const done = new Set<string>();
  // Each object is cut down as it arrives (unwanted nodes and features dropped at once).
  const wanted = (it: Item): Item | undefined => {
    const n = it.metadata?.labels?.[NODE_NAME_LABEL];
    if (typeof n !== "string" || !(opts.wanted?.(n) ?? true)) return undefined;
    if (opts.features) narrow(it, opts.features);
    return it;
  };
  const features = opts.features;
  for await (const page of listPages(cluster, NF_PATH, nodeFeatureQuery(opts.node), NF_ACTION, {
    ...opts,
    keep: wanted,
    ...(features ? { parse: (text: string) => parseNarrowed(text, features) } : {}),
  })) {
    if (page.restarted) pending.clear();
    const keep = page.items.filter(
      (it) => !done.has(it.metadata?.labels?.[NODE_NAME_LABEL] as string),
    );
    let snaps;
    try {
      snaps = snapshotsFromData({ kind: "NodeFeatureList", items: keep }, "NodeFeatureList");
    } catch (e) {
      if (e instanceof SnapshotError)
        throw new ClusterError(
          `a NodeFeature object from ${cluster.where} is malformed: ${e.message}`,
        );
      throw e;
    }
    for (const [i, it] of keep.entries()) {
      const meta = it.metadata as Meta;
      const node = meta.labels?.[NODE_NAME_LABEL] as string;
      const p = pending.get(node) ?? { objects: [] };
      p.objects.push({
        namespace: meta.namespace ?? "",
        name: meta.name ?? "",
        features: (snaps[i] as { features: Features }).features,
      });
      if (p.objects.length < (counts.get(node) ?? 1)) {
        pending.set(node, p);
        continue;
      }
      pending.delete(node);
      done.add(node);
      yield merged(node, p, nfdNs);
    }
  }
  for (const [node, p] of pending) yield merged(node, p, nfdNs);
}

/** The item's features cut down to the named ones (a malformed item is left as it is). */
function narrow(it: Item, names: ReadonlySet<string>): void {
  const spec = (it as { spec?: unknown }).spec;
  if (!isRecord(spec) || !isRecord(spec.features)) return;
  const all = spec.features;
  const out: Record<string, unknown> = {};
  for (const kind of ["flags", "attributes", "instances"]) {
    const group = all[kind];
    if (!isRecord(group)) {
      if (group !== undefined) out[kind] = group;
      continue;
    }
    const part: Record<string, unknown> = {};
    for (const k of Object.keys(group)) if (names.has(k.toLowerCase())) part[k] = group[k];
    out[kind] = part;
  }
  spec.features = out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function merged(node: string, p: Pending, nfdNs: string): NodeFeatures {
  const objs = [...p.objects].sort((a, b) => {
    const an = a.namespace === nfdNs;
    const bn = b.namespace === nfdNs;
    if (an !== bn) return an ? -1 : 1;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
  });
  const names = objs.map((o) => `${o.namespace}/${o.name}`);
  const first = objs[0] as Pending["objects"][number];
  if (objs.length === 1) return { node, features: first.features, objects: names };
  const out = copyFeatures(first.features);
  for (const o of objs.slice(1)) mergeInto(o.features, out);
  return { node, features: out, objects: names };
}

function copyFeatures(f: Features): Features {
  const out: Features = { flags: newMap(), attributes: newMap(), instances: newMap() };
  mergeInto(f, out);
  return out;
}

/** NFD's MergeInto: `from`'s elements override `into`'s, instance lists are appended. */
export function mergeInto(from: Features, into: Features): void {
  for (const k of Object.keys(from.flags)) {
    const e = (into.flags[k] ??= { elements: newMap() }).elements;
    for (const [n, v] of Object.entries(from.flags[k]?.elements ?? {})) e[n] = v;
  }
  for (const k of Object.keys(from.attributes)) {
    const e = (into.attributes[k] ??= { elements: newMap() }).elements;
    for (const [n, v] of Object.entries(from.attributes[k]?.elements ?? {})) e[n] = v;
  }
  for (const k of Object.keys(from.instances)) {
    const e = (into.instances[k] ??= { elements: [] }).elements;
    for (const inst of from.instances[k]?.elements ?? []) e.push(inst);
  }
}
