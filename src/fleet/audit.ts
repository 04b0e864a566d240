// The migration audit: images × node groups. Each image's spec is fetched once (bounded
// concurrency, through the content cache), nodes with identical features are grouped, and
// each spec is evaluated once per group.
//
// Inputs are seams: images are references (from flags, a file, or later a cluster's Pods),
// nodes an async iterable of named snapshots (a features file, or later NodeFeatures).

import type { NodeSnapshot } from "../features/snapshot.js";
import { evaluate, SpecBatch } from "../rules/index.js";
import type { ExpressionReport, Report } from "../rules/report.js";
import { specFeatures } from "../spec/features.js";
import type { Spec } from "../spec/model.js";
import { groupNodes, type NodeGroup } from "./groups.js";
import {
  imageSpec,
  mapBounded,
  withSession,
  type ImageSpecResult,
  type SpecFetchOptions,
} from "./image-spec.js";

export type { NodeGroup } from "./groups.js";
export type { ImageSpecResult, SpecFetchOptions } from "./image-spec.js";

export const DEFAULT_FETCH_CONCURRENCY = 8;

export interface AuditOptions {
  /** Image references, as given; duplicates are audited once. */
  images: readonly string[];
  nodes: AsyncIterable<NodeSnapshot> | Iterable<NodeSnapshot>;
  /** Registry access (validate-node's flags). */
  fetch: SpecFetchOptions;
  /** Specs fetched at once (default 8). */
  concurrency?: number;
  /** Where a spec comes from (default: the image's registry or layout). */
  specOf?: (image: string) => Promise<ImageSpecResult>;
}

export interface AuditImage {
  ref: string;
  spec: ImageSpecResult;
}

export type CellState = "compatible" | "incompatible" | "no-spec" | "error";

/** A compatibility set as users count them: from 1, as the reports do. */
export interface SetSummary {
  set: number;
  description?: string;
  tag?: string;
  weight: number;
}

/** Why one evaluated set does not match: its first failing rule and expression. */
export interface FailedSet extends SetSummary {
  rule?: string;
  /** The first failing expression (NFD's report order), with what the node had. */
  expression?: ExpressionReport;
  /** Set when the rule failed on an evaluation error rather than an expression. */
  error?: string;
  /** When the failing part is a matchAny: how many elements it has (none matched). */
  matchAny?: number;
}

export interface AuditCell {
  /** Index into `images`. */
  image: number;
  /** Index into `groups`. */
  group: number;
  state: CellState;
  bestSet: SetSummary | null;
  /** Incompatible cells: every evaluated set's failure, in document order. */
  failed: FailedSet[];
}

export interface Audit {
  images: AuditImage[];
  groups: NodeGroup[];
  /** Row by row: image 0 × every group, then image 1, … */
  cells: AuditCell[];
}

export function setSummary(spec: Spec, index: number): SetSummary {
  const s = spec.compatibilities[index];
  const out: SetSummary = { set: index + 1, weight: s?.weight ?? 0 };
  if (s?.description) out.description = s.description;
  if (s?.tag) out.tag = s.tag;
  return out;
}

export async function auditImages(opts: AuditOptions): Promise<Audit> {
  const refs = [...new Set(opts.images)];
  const limit = Math.max(1, opts.concurrency ?? DEFAULT_FETCH_CONCURRENCY);
  const images = await withSession(opts.fetch, (fetch) => {
    const specOf = opts.specOf ?? ((image: string) => imageSpec(image, fetch));
    return mapBounded(refs, limit, async (ref) => ({ ref, spec: await specOf(ref) }));
  });
  const named = new Set<string>();
  for (const img of images)
    if (img.spec.state === "spec") for (const f of specFeatures(img.spec.spec)) named.add(f);
  const groups = await groupNodes(opts.nodes, named);
  // The images' specs share most of their terms: each evaluated once per group.
  const batch = new SpecBatch();
  const cells: AuditCell[] = [];
  images.forEach((img, i) => {
    groups.forEach((g, j) => cells.push(auditCell(batch, img.spec, g, i, j)));
  });
  return { images, groups, cells };
}

function auditCell(
  batch: SpecBatch,
  s: ImageSpecResult,
  g: NodeGroup,
  image: number,
  group: number,
): AuditCell {
  if (s.state !== "spec") return { image, group, state: s.state, bestSet: null, failed: [] };
  const v = batch.verdict(s.spec, g.features);
  if (v.best !== null) {
    const best = setSummary(s.spec, v.evaluated[v.best] as number);
    return { image, group, state: "compatible", bestSet: best, failed: [] };
  }
  // Only a failure needs the report: it says which expression failed and what the node had.
  const report = batch.evaluate(s.spec, g.features);
  return { image, group, state: "incompatible", bestSet: null, failed: failures(s.spec, report) };
}

export function failures(spec: Spec, report: Report): FailedSet[] {
  return report.sets
    .filter((set) => !set.isMatch)
    .map((set) => {
      const out: FailedSet = setSummary(spec, set.index);
      const rule = (set.rules ?? []).find((r) => !r.isMatch);
      if (rule === undefined) return out;
      out.rule = rule.name;
      if (rule.error !== undefined) out.error = rule.error;
      const direct = rule.matchedExpressions?.find((e) => !e.isMatch);
      if (direct !== undefined) out.expression = direct;
      else if (rule.matchedAny !== undefined && rule.matchedAny.length > 0) {
        out.matchAny = rule.matchedAny.length;
        const first = rule.matchedAny[0]?.matchedExpressions?.find((e) => !e.isMatch);
        if (first !== undefined) out.expression = first;
      }
      return out;
    });
}

/** The full report of one cell (an image with a spec × a group); undefined otherwise. */
export function cellReport(audit: Audit, cell: AuditCell): Report | undefined {
  const s = audit.images[cell.image]?.spec;
  const g = audit.groups[cell.group];
  if (s?.state !== "spec" || g === undefined) return undefined;
  return evaluate(s.spec, g.features);
}

/** Every image with a spec fits every node (no failure, no error). */
export function auditFits(audit: Audit): boolean {
  return audit.cells.every((c) => c.state === "compatible" || c.state === "no-spec");
}
