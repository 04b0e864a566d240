// The verdict alone — compatible, best set, matching sets — without reports or host
// observations: the one evaluator (evaluation.ts) in its fail-fast mode.
//
// Every selected set is still evaluated (a set that cannot beat the best still counts in
// `matched`); within a set, evaluation stops at the first failing rule.

import type { Features } from "../features/nodefeatures.js";
import type { CacheSizes, CompiledSet } from "./compile.js";
import { evaluateSets, type SharedTerms } from "./evaluation.js";
import type { EvaluateOptions } from "./report.js";

export interface Verdict {
  compatible: boolean;
  /** Index into the evaluated sets (as Report.best). */
  best: number | null;
  /** Indexes into the evaluated sets of every matching set, in order. */
  matched: number[];
  /** Index in the spec's `compatibilities` of each evaluated set (all, or those `tags` chose). */
  evaluated: number[];
}

export function verdictSets(
  sets: CompiledSet[],
  sizes: CacheSizes,
  features: Features,
  opts?: EvaluateOptions,
  shared?: SharedTerms,
): Verdict {
  const r = evaluateSets(sets, sizes, features, opts, true, shared);
  const matched: number[] = [];
  const evaluated: number[] = [];
  r.sets.forEach((s, i) => {
    evaluated.push(s.index);
    if (s.isMatch) matched.push(i);
  });
  return { compatible: r.compatible, best: r.best, matched, evaluated };
}
