// Nodes with identical features form one group, evaluated once. "Identical" is judged on
// the features the specs read: real snapshots differ in system.name, USB serials and the
// like, which no verdict can depend on unless a spec names them.

import { createHash } from "node:crypto";
import type { Features } from "../features/nodefeatures.js";
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
 * A canonical text of the named features: names and values quoted by JSON.stringify, so
 * no two different feature sets write the same text; keys sorted, instance order kept
 * (reports list instance values in order). Hashed, so a group keeps 32 bytes, not the text.
 */
export function featuresKey(f: Features, names: readonly string[]): string {
  const parts: string[] = [];
  for (const name of names) {
    parts.push(JSON.stringify(name));
    const flags = Object.hasOwn(f.flags, name) ? f.flags[name]?.elements : undefined;
    parts.push(flags === undefined ? "F-" : `F${JSON.stringify(sortedKeys(flags))}`);
    const attrs = Object.hasOwn(f.attributes, name) ? f.attributes[name]?.elements : undefined;
    parts.push(attrs === undefined ? "A-" : `A${pairs(attrs)}`);
    const insts = Object.hasOwn(f.instances, name) ? f.instances[name]?.elements : undefined;
    parts.push(insts === undefined ? "I-" : `I${insts.length}`);
    for (const inst of insts ?? []) parts.push(pairs(inst.attributes));
  }
  return createHash("sha256").update(parts.join("")).digest("base64");
}

function pairs(a: Readonly<Record<string, string>>): string {
  const keys = sortedKeys(a);
  const vals = keys.map((k) => a[k]);
  return JSON.stringify([keys, vals]);
}

/**
 * `key`, `value`, … each length-prefixed: no value can pass for a key. for…in, not
 * Object.keys: the snapshots' maps have no prototype, and the array costs a fifth more.
 */
function pairsInOrder(a: Readonly<Record<string, string>>): string {
  let s = "";
  for (const k in a) {
    const v = a[k] as string;
    s += `${k.length}:${k}${v.length}:${v}`;
  }
  return s;
}

/**
 * The named features in their input order, every string length-prefixed after a letter
 * that says what follows (unambiguous, unlike plain joining). Built by hand: JSON.stringify
 * of the snapshots' null-prototype maps cost twice as much, and this runs for every node.
 * Nodes of one type written by one tool share the text; the rare node whose maps come in
 * another order is merged into its group by featuresKey afterwards.
 */
function quickKey(f: Features, names: readonly string[]): string {
  let s = "";
  for (const n of names) {
    const flags = Object.hasOwn(f.flags, n) ? f.flags[n]?.elements : undefined;
    if (flags === undefined) s += "f";
    else {
      s += "F";
      for (const k in flags) s += `${k.length}:${k}`;
    }
    const attrs = Object.hasOwn(f.attributes, n) ? f.attributes[n]?.elements : undefined;
    s += attrs === undefined ? "a" : `A${pairsInOrder(attrs)}`;
    const insts = Object.hasOwn(f.instances, n) ? f.instances[n]?.elements : undefined;
    if (insts === undefined) s += "i";
    else {
      s += "I";
      for (const i of insts) s += `/${pairsInOrder(i.attributes)}`;
    }
  }
  return s;
}

/** Groups `nodes` by the features in `names` (e.g. every feature the specs name). */
export async function groupNodes(
  nodes: AsyncIterable<NodeSnapshot> | Iterable<NodeSnapshot>,
  names: Iterable<string>,
): Promise<NodeGroup[]> {
  const sorted = [...new Set(names)].sort();
  const quick = new Map<string, { first: NodeSnapshot; members: number[]; names: string[] }>();
  let index = 0;
  const add = (n: NodeSnapshot) => {
    const key = quickKey(n.features, sorted);
    const g = quick.get(key);
    if (g !== undefined) {
      g.members.push(index);
      g.names.push(n.name);
    } else quick.set(key, { first: n, members: [index], names: [n.name] });
    index++;
  };
  // An array is walked without an await per node (5,000 nodes: 5,000 trips to the queue).
  if (Symbol.iterator in nodes) for (const n of nodes) add(n);
  else for await (const n of nodes) add(n);
  // Canonical keys, once per quick group: the same features in another order are one group.
  const byKey = new Map<string, { first: NodeSnapshot; members: Array<[number, string]> }>();
  for (const g of quick.values()) {
    const key = featuresKey(g.first.features, sorted);
    const members = g.members.map((m, i): [number, string] => [m, g.names[i] as string]);
    const hit = byKey.get(key);
    if (hit === undefined) byKey.set(key, { first: g.first, members });
    else hit.members.push(...members);
  }
  return [...byKey.values()].map((g, i) => ({
    id: `G${i + 1}`,
    nodes: g.members.sort((a, b) => a[0] - b[0]).map((m) => m[1]),
    features: g.first.features,
  }));
}
