// A spec compiled once and evaluated against many feature sets (compat-spec §3–§6).
// Everything that depends only on the spec — expressions, regexps, bounds, templates and
// the order of report lists — is resolved here, so evaluation only looks at the host.

import type { Features } from "../features/model.js";
import type { CompatibilitySet, FeatureMatcherTerm, GroupRule, Spec } from "../spec/model.js";
import { executeTemplate, parseTemplate, type Template } from "../lib/gotemplate/index.js";
import { compareGo, expressionText } from "./gostring.js";
import type {
  EvaluateOptions,
  ExpressionReport,
  MatchAnyReport,
  Report,
  RuleReport,
  SetReport,
} from "./report.js";
import { compileTerm, evaluateTerm, type CompiledTerm, type FeatureView } from "./term.js";
import { parseVarsOutput, templateData } from "./vars.js";

/** The special feature through which rules see variables published by earlier rules. */
export const BACKREF_FEATURE = "rule.matched";
/** NFD's cap on a varsTemplate (bytes). */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

interface CompiledMatcher {
  terms: CompiledTerm[];
  /** Report positions in NFD's order (feature, name, expression text) → natural position. */
  order: number[];
}

interface CompiledRule {
  name: string;
  matchFeatures: CompiledMatcher | undefined;
  matchAny: CompiledMatcher[] | undefined;
  vars: ReadonlyArray<readonly [string, string]>;
  template: Template | string | undefined;
}

interface CompiledSet {
  index: number;
  source: CompatibilitySet;
  rules: CompiledRule[];
}

export interface CompiledSpec {
  readonly spec: Spec;
  evaluate(features: Features, opts?: EvaluateOptions): Report;
}

function compileMatcher(terms: readonly FeatureMatcherTerm[]): CompiledMatcher {
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
      compareGo(x.feature, y.feature) || compareGo(x.name, y.name) || compareGo(x.text, y.text)
    );
  });
  return { terms: terms.map(compileTerm), order };
}

function compileTemplate(source: string | undefined): Template | string | undefined {
  if (source === undefined || source === "") return undefined;
  const bytes = new TextEncoder().encode(source).length;
  if (bytes > MAX_TEMPLATE_BYTES) {
    return `varsTemplate is ${bytes} bytes, more than the ${MAX_TEMPLATE_BYTES}-byte limit`;
  }
  try {
    return parseTemplate(source);
  } catch (e) {
    return `varsTemplate: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function compileRule(r: GroupRule): CompiledRule {
  const vars =
    r.vars === undefined ? [] : Object.keys(r.vars).map((k) => [k, r.vars?.[k] ?? ""] as const);
  return {
    name: r.name,
    matchFeatures:
      r.matchFeatures !== undefined && r.matchFeatures.length > 0
        ? compileMatcher(r.matchFeatures)
        : undefined,
    matchAny:
      r.matchAny !== undefined && r.matchAny.length > 0
        ? r.matchAny.map((m) => compileMatcher(m.matchFeatures))
        : undefined,
    vars,
    template: compileTemplate(r.varsTemplate),
  };
}

/** Compiles `spec` for repeated evaluation. Never throws on a spec that failed checkSpec. */
export function compileSpec(spec: Spec): CompiledSpec {
  const sets: CompiledSet[] = spec.compatibilities.map((s, index) => ({
    index,
    source: s,
    rules: s.rules.map(compileRule),
  }));
  return { spec, evaluate: (features, opts) => evaluateSets(sets, features, opts) };
}

type Lookup = (t: CompiledTerm) => FeatureView | undefined;

function elementsOf<T>(map: unknown, key: string): T | undefined {
  if (map === null || typeof map !== "object" || !Object.hasOwn(map, key)) return undefined;
  const f = (map as Record<string, { elements?: unknown } | undefined>)[key];
  const el = f?.elements;
  return (el ?? undefined) as T | undefined;
}

function hostLookup(features: Features): (key: string) => FeatureView | undefined {
  return (key) => {
    const flags = elementsOf<Record<string, unknown>>(features.flags, key);
    const attrs = elementsOf<Record<string, string>>(features.attributes, key);
    const insts = elementsOf<Array<{ attributes: Record<string, string> }>>(
      features.instances,
      key,
    );
    if (flags === undefined && attrs === undefined && insts === undefined) return undefined;
    return { flags, attrs, insts: Array.isArray(insts) ? insts : undefined };
  };
}

function evaluateMatcher(
  m: CompiledMatcher,
  lookup: Lookup,
): { ok: boolean; reports: ExpressionReport[] } {
  const natural: ExpressionReport[] = [];
  let ok = true;
  for (const t of m.terms) if (!evaluateTerm(t, lookup(t), natural)) ok = false;
  const reports = m.order.map((i) => natural[i] as ExpressionReport);
  return { ok, reports };
}

function runTemplate(
  t: Template,
  m: CompiledMatcher,
  lookup: Lookup,
  into: Record<string, string>,
): string | undefined {
  let text: string;
  try {
    text = executeTemplate(t, templateData(m.terms, lookup));
  } catch (e) {
    return `varsTemplate: ${e instanceof Error ? e.message : String(e)}`;
  }
  return parseVarsOutput(text, into);
}

function evaluateRule(
  r: CompiledRule,
  lookup: Lookup,
): RuleReport & { published?: Record<string, string> } {
  let anyOk = true;
  let anyReports: MatchAnyReport[] | undefined;
  const anyMatched: CompiledMatcher[] = [];
  if (r.matchAny !== undefined) {
    anyOk = false;
    anyReports = r.matchAny.map((m) => {
      const { ok, reports } = evaluateMatcher(m, lookup);
      if (ok) {
        anyOk = true;
        anyMatched.push(m);
      }
      const out: MatchAnyReport =
        reports.length > 0 ? { matchedExpressions: reports, isMatch: ok } : { isMatch: ok };
      return out;
    });
  }
  let featOk = true;
  let featReports: ExpressionReport[] = [];
  if (r.matchFeatures !== undefined) {
    const res = evaluateMatcher(r.matchFeatures, lookup);
    featOk = res.ok;
    featReports = res.reports;
  }
  let isMatch = anyOk && featOk;
  let vars: Record<string, string> | undefined;
  let error: string | undefined;
  if (isMatch && (r.vars.length > 0 || r.template !== undefined)) {
    const v = Object.create(null) as Record<string, string>;
    const t = r.template;
    if (typeof t === "string") error = t;
    else if (t !== undefined) {
      // Each matching matchAny element, then matchFeatures; later output overrides earlier.
      for (const m of anyMatched) error ??= runTemplate(t, m, lookup, v);
      if (r.matchFeatures !== undefined) error ??= runTemplate(t, r.matchFeatures, lookup, v);
    }
    if (error === undefined) {
      for (const [k, val] of r.vars) v[k] = val;
      vars = sortedRecord(v);
    } else isMatch = false;
  }
  const out: RuleReport = { name: r.name, isMatch };
  if (featReports.length > 0) out.matchedExpressions = featReports;
  if (anyReports !== undefined) out.matchedAny = anyReports;
  if (vars !== undefined) out.vars = vars;
  if (error !== undefined) out.error = error;
  return out;
}

function sortedRecord(v: Record<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(v).sort(compareGo)) out[k] = v[k] ?? "";
  return out;
}

function evaluateSet(s: CompiledSet, host: (key: string) => FeatureView | undefined): SetReport {
  // rule.matched belongs to the set: absent before the first rule, then the published vars.
  let backref: Record<string, string> | undefined;
  const lookup: Lookup = (t) =>
    t.key === BACKREF_FEATURE
      ? backref === undefined
        ? undefined
        : { flags: undefined, attrs: backref, insts: undefined }
      : host(t.key);
  const rules: RuleReport[] = [];
  let isMatch = true;
  for (const r of s.rules) {
    const rep = evaluateRule(r, lookup);
    rules.push(rep);
    if (!rep.isMatch) isMatch = false;
    const next =
      backref === undefined ? (Object.create(null) as Record<string, string>) : { ...backref };
    if (rep.vars !== undefined) Object.assign(next, rep.vars);
    backref = Object.setPrototypeOf(next, null) as Record<string, string>;
  }
  const src = s.source;
  const out: SetReport = { rules: rules.length > 0 ? rules : null, isMatch, index: s.index };
  // NFD's field order: rules, description, weight, tag; then kompat's.
  const ordered: SetReport = { rules: out.rules } as SetReport;
  if (src.description) ordered.description = src.description;
  if (src.weight) ordered.weight = src.weight;
  if (src.tag) ordered.tag = src.tag;
  ordered.isMatch = isMatch;
  ordered.index = s.index;
  return ordered;
}

function evaluateSets(sets: CompiledSet[], features: Features, opts?: EvaluateOptions): Report {
  const host = hostLookup(features);
  const tags = opts?.tags;
  const out: SetReport[] = [];
  let best: number | null = null;
  let bestWeight = 0;
  for (const s of sets) {
    if (tags !== undefined && tags.length > 0 && !tags.includes(s.source.tag ?? "")) continue;
    const rep = evaluateSet(s, host);
    if (rep.isMatch) {
      const w = s.source.weight ?? 0;
      if (best === null || w > bestWeight) {
        best = out.length;
        bestWeight = w;
      }
    }
    out.push(rep);
  }
  return { sets: out, compatible: best !== null, best };
}
