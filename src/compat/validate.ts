// validate-node below the CLI: which sets `--tags` selects, one node's report or verdict
// for each of many snapshots, set numbers as users read them, and the platform a fleet of
// snapshots stands for (an image index's entry is chosen by it).

import type { NodeSnapshot } from "../features/snapshot.js";
import { snapshotPlatform } from "../features/snapshot-platform.js";
import type { Platform } from "../oci/platform.js";
import { evaluate, verdict, type Verdict } from "../rules/index.js";
import type { Report } from "../rules/report.js";
import type { Spec } from "../spec/model.js";

/** Bad input found while validating (no such tag, snapshots of several platforms): exit 2. */
export class ValidateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValidateInputError";
  }
}

/** Throws ValidateInputError when `tags` selects none of the spec's sets. */
export function checkTags(spec: Spec, tags: readonly string[] | undefined): void {
  if (!tags) return;
  if (tags.length === 0) throw new ValidateInputError("--tags: no tag given");
  const have = new Set(spec.compatibilities.map((s) => s.tag).filter((t): t is string => !!t));
  if (!tags.some((t) => have.has(t))) {
    const known = have.size
      ? `the spec's tags are: ${[...have].sort().join(", ")}`
      : "the spec's sets have no tags";
    throw new ValidateInputError(
      `--tags ${tags.join(",")} selects no compatibility set (${known})`,
    );
  }
}

export interface ValidateOptions {
  /** Evaluate only the sets with these tags. */
  tags?: string[];
}

export interface NodeVerdict {
  node: string;
  compatible: boolean;
  /** The best matching set, numbered from 1 in the spec (as the text reports number them). */
  bestSet: number | null;
  /** Every matching set, numbered from 1. */
  matchedSets: number[];
  verdict: Verdict;
}

/** The verdict of each node, without reports (fast for fleets). */
export function nodeVerdicts(
  spec: Spec,
  nodes: Iterable<NodeSnapshot>,
  opts: ValidateOptions = {},
): NodeVerdict[] {
  const out: NodeVerdict[] = [];
  for (const n of nodes) {
    const v = verdict(spec, n.features, opts);
    out.push({
      node: n.name,
      compatible: v.compatible,
      bestSet: v.best === null ? null : (v.evaluated[v.best] as number) + 1,
      matchedSets: v.matched.map((i) => (v.evaluated[i] as number) + 1),
      verdict: v,
    });
  }
  return out;
}

/**
 * Each node's report, made when asked for: a caller that prints and drops them never holds
 * a fleet's reports at once (10,000 nodes of a 200-rule spec spent a third of their time
 * collecting garbage when they were all kept).
 */
export function* nodeReports(
  spec: Spec,
  nodes: Iterable<NodeSnapshot>,
  opts: ValidateOptions = {},
): Generator<{ node: string; report: Report }> {
  for (const n of nodes) yield { node: n.name, report: evaluate(spec, n.features, opts) };
}

/**
 * The snapshots' platform, for an image index whose artifacts sit on a platform entry: the
 * machine running kompat is not the node checked. A function, so that it is asked only when
 * that fallback runs; it throws ValidateInputError when the snapshots do not tell one.
 */
export function snapshotsPlatform(nodes: readonly NodeSnapshot[], file: string): () => Platform {
  return () => {
    const byPlatform = new Map<string, string[]>();
    for (const n of nodes) {
      const p = snapshotPlatform(n.features);
      if (p === undefined)
        throw new ValidateInputError(
          `the image index has no compatibility artifact of its own, and the snapshot of node ${n.name} in ${file} does not tell its platform (no kernel.config, cpu.cpuid or kernel.version naming one): give --platform OS/ARCH`,
        );
      const key = `${p.os}/${p.architecture}`;
      byPlatform.set(key, [...(byPlatform.get(key) ?? []), n.name]);
    }
    if (byPlatform.size > 1) {
      const list = [...byPlatform].map(([p, names]) => `${p}: ${names.slice(0, 5).join(", ")}`);
      throw new ValidateInputError(
        `the image index has no compatibility artifact of its own, and the nodes in ${file} are of several platforms (${list.join("; ")}): give --platform OS/ARCH or --node NAME`,
      );
    }
    const [os = "linux", architecture = ""] = ([...byPlatform.keys()][0] ?? "").split("/");
    return { os, architecture };
  };
}
