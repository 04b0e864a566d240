// Which nodes of a cluster fit a spec: every selected Node, its merged NodeFeatures
// evaluated as they arrive. Nodes with the same features as far as the spec can see (most
// nodes of a node pool) are evaluated once.

import { createHash } from "node:crypto";
import { newMap, type Features } from "../features/nodefeatures.js";
import { specFeatures } from "../spec/features.js";
import type { Spec } from "../spec/model.js";
import { compileSpec, type Verdict } from "../rules/index.js";
import type { Report } from "../rules/report.js";
import type { Cluster } from "./client.js";
import {
  listNodeFeatures,
  listNodeNames,
  type ListOptions,
  type NodeSelection,
} from "./nodefeatures.js";

export interface ValidateClusterOptions extends NodeSelection, ListOptions {
  tags?: string[] | undefined;
  /** Verdicts only (no reports): faster, and nothing per node is kept. */
  summary?: boolean;
  nfdNamespace?: string;
}

export interface NodeResult {
  node: string;
  /** False: no NodeFeature object names this node (nfd-worker not running there?). */
  published: boolean;
  /** The NodeFeature objects merged (`namespace/name`). */
  objects: string[];
  /** Always set when published. */
  verdict?: Verdict;
  /** Set when published and not `summary`. */
  report?: Report;
}

/** Distinct feature sets kept with their results; beyond this the cache starts again. */
const CACHE_ENTRIES = 4096;

/**
 * The spec's verdict (and report) for each selected node: nodes with features as soon as
 * their objects have arrived, then the selected nodes that have none.
 */
export async function* validateCluster(
  cluster: Cluster,
  spec: Spec,
  opts: ValidateClusterOptions = {},
): AsyncGenerator<NodeResult> {
  const names = await listNodeNames(cluster, opts, opts);
  const compiled = compileSpec(spec);
  const evalOpts = opts.tags ? { tags: opts.tags } : {};
  const read = readFeatures(spec);
  const project = projector(read);
  const cache = new Map<string, { verdict: Verdict; report?: Report }>();
  const seen = new Set<string>();
  const list = listNodeFeatures(cluster, {
    ...opts,
    node: opts.node,
    wanted: (n) => names.has(n),
    features: new Set(read),
  });
  for await (const nf of list) {
    seen.add(nf.node);
    const key = project(nf.features);
    let hit = cache.get(key);
    if (hit === undefined) {
      if (opts.summary) hit = { verdict: compiled.verdict(nf.features, evalOpts) };
      else {
        const report = compiled.evaluate(nf.features, evalOpts);
        hit = { verdict: verdictOf(report), report };
      }
      if (cache.size >= CACHE_ENTRIES) cache.clear();
      cache.set(key, hit);
    }
    yield { node: nf.node, published: true, objects: nf.objects, ...hit };
  }
  for (const n of [...names].sort()) {
    if (!seen.has(n)) yield { node: n, published: false, objects: [] };
  }
}

/** A report's verdict, in Verdict's terms (indexes into the evaluated sets). */
export function verdictOf(r: Report): Verdict {
  const matched: number[] = [];
  r.sets.forEach((s, i) => {
    if (s.isMatch) matched.push(i);
  });
  return { compatible: r.compatible, best: r.best, matched, evaluated: r.sets.map((s) => s.index) };
}

/** The features the spec reads, lower case, sorted. */
function readFeatures(spec: Spec): string[] {
  return [...new Set([...specFeatures(spec)].map((n) => n.toLowerCase()))].sort();
}

/**
 * A digest of the part of a node's features the spec reads: two nodes with the same digest
 * get the same verdict and report.
 */
function projector(wanted: readonly string[]): (f: Features) => string {
  return (f) => {
    const part = {
      flags: newMap<unknown>(),
      attributes: newMap<unknown>(),
      instances: newMap<unknown>(),
    };
    for (const n of wanted) {
      if (Object.hasOwn(f.flags, n)) part.flags[n] = f.flags[n];
      if (Object.hasOwn(f.attributes, n)) part.attributes[n] = f.attributes[n];
      if (Object.hasOwn(f.instances, n)) part.instances[n] = f.instances[n];
    }
    return createHash("sha256").update(JSON.stringify(part)).digest("base64");
  };
}
