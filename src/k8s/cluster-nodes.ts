// The cluster's nodes as named feature snapshots, for the fleet use cases (audit): every
// Node object with its NodeFeature objects merged as `cluster validate` merges them.

import type { NodeSnapshot } from "../features/snapshot.js";
import type { Cluster } from "./client.js";
import {
  listNodeFeatures,
  listNodeNames,
  type ListOptions,
  type NodeSelection,
} from "./nodefeatures.js";

export interface ClusterNodesOptions extends NodeSelection, ListOptions {
  nfdNamespace?: string;
  afterPage?: () => void;
  /** Called once at the end with the selected nodes no NodeFeature object names. */
  unpublished?: (nodes: string[]) => void;
}

/** Each selected node's merged features, as they arrive; nodes without any are left out. */
export async function* clusterNodes(
  cluster: Cluster,
  opts: ClusterNodesOptions = {},
): AsyncGenerator<NodeSnapshot> {
  const names = await listNodeNames(cluster, opts, opts);
  const seen = new Set<string>();
  for await (const nf of listNodeFeatures(cluster, { ...opts, wanted: (n) => names.has(n) })) {
    seen.add(nf.node);
    yield { name: nf.node, features: nf.features };
  }
  opts.unpublished?.([...names].filter((n) => !seen.has(n)).sort());
}
