// The verdict alone — compatible, best set, matching sets — without reports or host
// observations. Same semantics as evaluation.ts, reusing its feature look-up and templates
// and the compiled expressions; it only stops as soon as an answer is known.
//
// Every selected set is still evaluated (a set that cannot beat the best still counts in
// `matched`); within a set, evaluation stops at the first failing rule, since later rules
// (and the vars they would publish) affect only that set.

import type { Features } from "../features/model.js";
import type { CacheSizes, CompiledMatcher, CompiledRule, CompiledSet } from "./compile.js";
import { Evaluation } from "./evaluation.js";
import type { EvaluateOptions } from "./report.js";
import {
  attrsOf,
  str,
  type CompiledElementExpr,
  type CompiledTerm,
  type FeatureView,
} from "./term.js";
import { BACKREF_FEATURE } from "./vars.js";

export interface Verdict {
  compatible: boolean;
  /** Index into the evaluated sets (as Report.best). */
  best: number | null;
  /** Indexes into the evaluated sets of every matching set, in order. */
  matched: number[];
  /** Index in the spec's `compatibilities` of each evaluated set (all, or those `tags` chose). */
  evaluated: number[];
}

function exprHolds(e: CompiledElementExpr, a: Readonly<Record<string, unknown>>): boolean {
  return (Object.hasOwn(a, e.name) ? e.expr.onValue(str(a[e.name])) : e.expr.onMissing()) === true;
}

function kvHolds(e: CompiledElementExpr, f: FeatureView): boolean {
  const { flags, attrs } = f;
  const rF =
    flags === undefined
      ? undefined
      : Object.hasOwn(flags, e.name)
        ? e.expr.onFlag()
        : e.expr.onMissing();
  const rA =
    attrs === undefined
      ? undefined
      : Object.hasOwn(attrs, e.name)
        ? e.expr.onValue(str(attrs[e.name]))
        : e.expr.onMissing();
  // DoesNotExist must hold in every map the feature has; any other op in one of them.
  return e.doesNotExist
    ? (rF === undefined || rF === true) && (rA === undefined || rA === true)
    : rF === true || rA === true;
}

function expressionsHold(exprs: CompiledElementExpr[], f: FeatureView): boolean {
  if ((f.flags !== undefined || f.attrs !== undefined) && exprs.every((e) => kvHolds(e, f)))
    return true;
  // Else one instance must satisfy every expression.
  const insts = f.insts;
  if (insts === undefined) return false;
  for (const inst of insts) {
    const a = attrsOf(inst);
    if (exprs.every((e) => exprHolds(e, a))) return true;
  }
  return false;
}

function nameMatches(
  test: (v: string) => unknown,
  names: Readonly<Record<string, unknown>>,
): boolean {
  for (const name in names) if (test(name) === true) return true;
  return false;
}

function matchNameHolds(t: CompiledTerm, f: FeatureView): boolean {
  const test = (t.matchName as NonNullable<CompiledTerm["matchName"]>).expr.onValue;
  if (f.flags !== undefined && nameMatches(test, f.flags)) return true;
  if (f.attrs !== undefined && nameMatches(test, f.attrs)) return true;
  return f.insts !== undefined && f.insts.some((inst) => nameMatches(test, attrsOf(inst)));
}

function termHolds(t: CompiledTerm, f: FeatureView | undefined): boolean {
  if (f === undefined) return false;
  if (t.exprs !== undefined && !expressionsHold(t.exprs, f)) return false;
  return t.matchName === undefined || matchNameHolds(t, f);
}

class VerdictEvaluation {
  private readonly ev: Evaluation;
  private readonly terms: Array<boolean | undefined>;

  constructor(features: Features, sizes: CacheSizes) {
    this.ev = new Evaluation(features, sizes);
    this.terms = new Array<boolean | undefined>(sizes.terms);
  }

  private term(t: CompiledTerm): boolean {
    if (t.key === BACKREF_FEATURE) return termHolds(t, this.ev.lookup(t)); // changes per rule
    let hit = this.terms[t.id];
    if (hit === undefined) hit = this.terms[t.id] = termHolds(t, this.ev.lookup(t));
    return hit;
  }

  private matcher(m: CompiledMatcher): boolean {
    return m.terms.every((t) => this.term(t));
  }

  /** Whether the rule matches; its vars are published into the set's rule.matched. */
  private rule(r: CompiledRule): boolean {
    if (r.matchFeatures !== undefined && !this.matcher(r.matchFeatures)) return false;
    if (r.matchAny !== undefined && !r.matchAny.some((m) => this.matcher(m))) return false;
    if (r.vars.length === 0 && r.template === undefined) return true;
    const v = Object.create(null) as Record<string, string>;
    const t = r.template;
    if (typeof t === "string") return false;
    if (t !== undefined) {
      // As evaluation.ts: each matching matchAny element, then matchFeatures.
      for (const any of r.matchAny ?? []) {
        if (this.matcher(any) && this.ev.runTemplate(t, any, v) !== undefined) return false;
      }
      if (r.matchFeatures !== undefined && this.ev.runTemplate(t, r.matchFeatures, v) !== undefined)
        return false;
    }
    for (const [k, val] of r.vars) v[k] = val;
    Object.assign(this.backref(), v);
    return true;
  }

  private backref(): Record<string, string> {
    return (this.ev.backref ??= Object.create(null) as Record<string, string>);
  }

  set(s: CompiledSet): boolean {
    this.ev.backref = undefined;
    for (const r of s.rules) {
      if (!this.rule(r)) return false;
      this.backref();
    }
    return true;
  }
}

export function verdictSets(
  sets: CompiledSet[],
  sizes: CacheSizes,
  features: Features,
  opts?: EvaluateOptions,
): Verdict {
  const ev = new VerdictEvaluation(features, sizes);
  const tags = opts?.tags;
  const matched: number[] = [];
  const evaluated: number[] = [];
  let best: number | null = null;
  let bestWeight = 0;
  let n = 0;
  for (const s of sets) {
    if (tags !== undefined && tags.length > 0 && !tags.includes(s.source.tag ?? "")) continue;
    evaluated.push(s.index);
    if (ev.set(s)) {
      matched.push(n);
      const w = s.source.weight ?? 0;
      if (best === null || w > bestWeight) {
        best = n;
        bestWeight = w;
      }
    }
    n++;
  }
  return { compatible: best !== null, best, matched, evaluated };
}
