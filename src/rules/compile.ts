// A spec compiled once and evaluated against many feature sets. Everything that depends
// only on the spec — expressions, regexps, bounds, templates, the order of report lists,
// identical terms — is resolved here, so evaluation (evaluation.ts) only looks at the host.

import type { Features } from "../features/nodefeatures.js";
import type {
  CompatibilitySet,
  FeatureMatcherTerm,
  GroupRule,
  MatchExpression,
  Spec,
} from "../spec/model.js";
import { parseTemplate, type Template } from "../lib/gotemplate/index.js";
import { evaluateSets, type SharedTerms } from "./evaluation.js";
import { verdictSets, type Verdict } from "./verdict.js";
import { compareStrings } from "../lib/go/strings.js";
import { goQuote } from "../lib/go/quote.js";
import type { EvaluateOptions, Report } from "./report.js";
import { compileTerm, type CompiledTerm } from "./term.js";
import { BACKREF_FEATURE, templateSizeProblem } from "./vars.js";

export interface CompiledMatcher {
  terms: CompiledTerm[];
  /** Report positions in NFD's order (feature, name, expression text) → natural position. */
  order: number[];
  /** The natural order is already NFD's. */
  identity: boolean;
}

export interface CompiledRule {
  name: string;
  /** Rules with the same matchers share their results per host; undefined with rule.matched. */
  shape: number | undefined;
  matchFeatures: CompiledMatcher | undefined;
  matchAny: CompiledMatcher[] | undefined;
  vars: ReadonlyArray<readonly [string, string]>;
  template: Template | string | undefined;
}

export interface CompiledSet {
  index: number;
  source: CompatibilitySet;
  rules: CompiledRule[];
}

export interface CompiledSpec {
  readonly spec: Spec;
  /** `shared`: term results on this host of the specs compiled into the same pool. */
  evaluate(features: Features, opts?: EvaluateOptions, shared?: SharedTerms): Report;
  /** Same answer as evaluate's compatible/best/matching sets, without building a report. */
  verdict(features: Features, opts?: EvaluateOptions, shared?: SharedTerms): Verdict;
}

/**
 * Identical terms are compiled, and evaluated per host, once: within a spec, and across the
 * specs compiled into one pool (an audit's). Ids index the per-host caches.
 */
export class TermPool implements CacheSizes {
  readonly byKey = new Map<string, CompiledTerm>();
  readonly shapeIds = new Map<string, number>();
  get terms(): number {
    return this.byKey.size;
  }
  get shapes(): number {
    return this.shapeIds.size;
  }
}

function termKey(t: FeatureMatcherTerm): string {
  const me = t.matchExpressions;
  const exprs =
    me === undefined ? null : Object.keys(me).map((k) => [k, me[k]?.op, me[k]?.value, me[k]?.type]);
  const mn =
    t.matchName === undefined ? null : [t.matchName.op, t.matchName.value, t.matchName.type];
  return JSON.stringify([t.feature, exprs, mn]);
}

function internTerm(pool: TermPool, t: FeatureMatcherTerm): CompiledTerm {
  const key = termKey(t);
  let c = pool.byKey.get(key);
  if (c === undefined) {
    c = compileTerm(t, pool.byKey.size);
    pool.byKey.set(key, c);
  }
  return c;
}

function compileMatcher(terms: readonly FeatureMatcherTerm[], pool: TermPool): CompiledMatcher {
  const keys: Array<{ feature: string; name: string; text: string }> = [];
  for (const t of terms) {
    const me = t.matchExpressions;
    if (me !== undefined) {
      for (const name of Object.keys(me)) {
        const e = me[name];
        if (e !== undefined) keys.push({ feature: t.feature, name, text: expressionText(e) });
      }
    }
    if (t.matchName !== undefined)
      keys.push({ feature: t.feature, name: "", text: expressionText(t.matchName) });
  }
  const order = keys.map((_, i) => i);
  order.sort((a, b) => {
    const x = keys[a];
    const y = keys[b];
    if (x === undefined || y === undefined) return 0;
    return (
      compareStrings(x.feature, y.feature) ||
      compareStrings(x.name, y.name) ||
      compareStrings(x.text, y.text)
    );
  });
  return {
    terms: terms.map((t) => internTerm(pool, t)),
    order,
    identity: order.every((v, i) => v === i),
  };
}

function compileTemplate(source: string | undefined): Template | string | undefined {
  if (source === undefined || source === "") return undefined;
  const tooLarge = templateSizeProblem(source);
  if (tooLarge !== undefined) return tooLarge;
  try {
    return parseTemplate(source);
  } catch (e) {
    return `varsTemplate: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Sizes of the per-host caches of a compiled spec. */
export interface CacheSizes {
  readonly terms: number;
  readonly shapes: number;
}

function shapeOf(
  shapes: Map<string, number>,
  feat: CompiledMatcher | undefined,
  any: CompiledMatcher[] | undefined,
): number | undefined {
  const all = [...(feat?.terms ?? []), ...(any ?? []).flatMap((m) => m.terms)];
  if (all.some((t) => t.key === BACKREF_FEATURE)) return undefined; // changes from rule to rule
  const ids = (m: CompiledMatcher) => m.terms.map((t) => t.id).join(",");
  // No matchAny differs from a matchAny of one empty element (which runs a template).
  const anyKey = any === undefined ? "-" : `[${any.map(ids).join("|")}]`;
  const key = `${feat === undefined ? "-" : ids(feat)}|${anyKey}`;
  let id = shapes.get(key);
  if (id === undefined) {
    id = shapes.size;
    shapes.set(key, id);
  }
  return id;
}

function compileRule(r: GroupRule, pool: TermPool): CompiledRule {
  const vars =
    r.vars === undefined ? [] : Object.keys(r.vars).map((k) => [k, r.vars?.[k] ?? ""] as const);
  const matchFeatures =
    r.matchFeatures !== undefined && r.matchFeatures.length > 0
      ? compileMatcher(r.matchFeatures, pool)
      : undefined;
  const matchAny =
    r.matchAny !== undefined && r.matchAny.length > 0
      ? r.matchAny.map((m) => compileMatcher(m.matchFeatures, pool))
      : undefined;
  return {
    name: r.name,
    shape: shapeOf(pool.shapeIds, matchFeatures, matchAny),
    matchFeatures,
    matchAny,
    vars,
    template: compileTemplate(r.varsTemplate),
  };
}

/**
 * Compiles `spec` for repeated evaluation. Never throws on a spec that failed checkSpec.
 * Specs compiled into one `pool` share their identical terms (and may share their results).
 */
export function compileSpec(spec: Spec, pool?: TermPool): CompiledSpec {
  const own = pool ?? new TermPool();
  const sets: CompiledSet[] = spec.compatibilities.map((s, index) => ({
    index,
    source: s,
    rules: s.rules.map((r) => compileRule(r, own)),
  }));
  // A spec of its own: its sizes are final. A shared pool grows with each spec compiled.
  const sizes: CacheSizes = pool ?? { terms: own.terms, shapes: own.shapes };
  return {
    spec,
    evaluate: (features, opts, shared) => evaluateSets(sets, sizes, features, opts, false, shared),
    verdict: (features, opts, shared) => verdictSets(sets, sizes, features, opts, shared),
  };
}

/** NFD's MatchExpression.String(), the last sort key of report lists. */
function expressionText(e: MatchExpression): string {
  if (e.value.length === 0) return `{op: ${goQuote(e.op)}}`;
  return `{op: ${goQuote(e.op)}, value: [${e.value.map((v) => goQuote(v)).join(" ")}]}`;
}
