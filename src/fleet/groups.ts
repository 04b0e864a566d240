// Nodes with identical features form one group, evaluated once. "Identical" is judged on
// the features the specs read: real snapshots differ in system.name, USB serials and the
// like, which no verdict can depend on unless a spec names them.

import { createHash } from "node:crypto";
import type { Features } from "../features/model.js";
import type { NodeSnapshot } from "../features/snapshot.js";

export interface NodeGroup {
  /** `G1`, `G2`, … in the order the groups' first nodes came. */
  id: string;
  /** Node names, in input order. */
  nodes: string[];
  /** The first node's features: every node of the group agrees on the features that matter. */
  features: Features;
}

/** Keys in code-unit order, the same on every machine. */
function sortedKeys(o: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(o).sort();
}

/**
 * A canonical text of the named features, fed to a hash piece by piece (a node can hold
 * megabytes of features; its text is never built). JSON.stringify quotes every string, so
 * no two different feature sets write the same stream.
 */
export function featuresKey(f: Features, names: readonly string[]): string {
  const h = createHash("sha256");
  for (const name of names) {
    h.update(JSON.stringify(name));
    const flags = Object.hasOwn(f.flags, name) ? f.flags[name]?.elements : undefined;
    h.update(flags === undefined ? "F-" : `F${JSON.stringify(sortedKeys(flags))}`);
    const attrs = Object.hasOwn(f.attributes, name) ? f.attributes[name]?.elements : undefined;
    h.update(attrs === undefined ? "A-" : "A");
    if (attrs !== undefined)
      for (const k of sortedKeys(attrs)) h.update(JSON.stringify([k, attrs[k]]));
    const insts = Object.hasOwn(f.instances, name) ? f.instances[name]?.elements : undefined;
    h.update(insts === undefined ? "I-" : `I${insts.length}`);
    // Instance order is kept: reports list instance values in order.
    for (const inst of insts ?? []) {
      const a = inst.attributes;
      h.update("{");
      for (const k of sortedKeys(a)) h.update(JSON.stringify([k, a[k]]));
      h.update("}");
    }
  }
  return h.digest("base64");
}

/** Groups `nodes` by the features in `names` (e.g. every feature the specs name). */
export async function groupNodes(
  nodes: AsyncIterable<NodeSnapshot> | Iterable<NodeSnapshot>,
  names: Iterable<string>,
): Promise<NodeGroup[]> {
  const sorted = [...new Set(names)].sort();
  const byKey = new Map<string, NodeGroup>();
  for await (const n of nodes) {
    const key = featuresKey(n.features, sorted);
    const g = byKey.get(key);
    if (g !== undefined) g.nodes.push(n.name);
    else byKey.set(key, { id: `G${byKey.size + 1}`, nodes: [n.name], features: n.features });
  }
  return [...byKey.values()];
}
