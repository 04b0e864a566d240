// Evaluating a compiled spec against one host (compat-spec §3–§6): terms, rules in order
// with rule.matched, sets, tags and the verdict.

import type { Features } from "../features/model.js";
import { executeTemplate, type Template } from "../lib/gotemplate/index.js";
import type { CacheSizes, CompiledMatcher, CompiledRule, CompiledSet } from "./compile.js";
import { compareStrings } from "../lib/go/strings.js";
import type {
  EvaluateOptions,
  ExpressionReport,
  MatchAnyReport,
  Report,
  RuleReport,
  SetReport,
} from "./report.js";
import { evaluateTerm, type CompiledTerm, type FeatureView } from "./term.js";
import { BACKREF_FEATURE, parseVarsOutput, templateData } from "./vars.js";

interface RuleMatch {
  isMatch: boolean;
  matchedExpressions: ExpressionReport[] | undefined;
  matchedAny: MatchAnyReport[] | undefined;
}

interface TermResult {
  ok: boolean;
  reports: ExpressionReport[];
}

// Host data is untrusted JSON: a malformed part reads as absent or empty, never as a crash.
function elementsOf(map: unknown, key: string): unknown {
  if (map === null || typeof map !== "object" || !Object.hasOwn(map, key)) return undefined;
  const f: unknown = (map as Record<string, unknown>)[key];
  if (f === null || typeof f !== "object") return undefined;
  return (f as { elements?: unknown }).elements ?? undefined;
}

function objectOrUndefined(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** One evaluation against one host: features and term results are looked up once. */
export class Evaluation {
  private readonly views = new Map<string, FeatureView | undefined>();
  private readonly terms: Array<TermResult | undefined>;
  private readonly shapes: Array<RuleMatch | undefined>;
  /** rule.matched of the set being evaluated: absent before its first rule has run. */
  backref: Record<string, string> | undefined;

  constructor(
    private readonly features: Features,
    sizes: CacheSizes,
  ) {
    this.terms = new Array<TermResult | undefined>(sizes.terms);
    this.shapes = new Array<RuleMatch | undefined>(sizes.shapes);
  }

  lookup(t: CompiledTerm): FeatureView | undefined {
    if (t.key === BACKREF_FEATURE) {
      return this.backref === undefined
        ? undefined
        : { flags: undefined, attrs: this.backref, insts: undefined };
    }
    if (this.views.has(t.key)) return this.views.get(t.key);
    const host: Partial<Features> = this.features ?? {};
    const flags = objectOrUndefined(elementsOf(host.flags, t.key));
    const attrs = objectOrUndefined(elementsOf(host.attributes, t.key)) as
      Record<string, string> | undefined;
    const insts = elementsOf(host.instances, t.key);
    const view =
      flags === undefined && attrs === undefined && insts === undefined
        ? undefined
        : {
            flags,
            attrs,
            insts: Array.isArray(insts) ? (insts as FeatureView["insts"]) : undefined,
          };
    this.views.set(t.key, view);
    return view;
  }

  term(t: CompiledTerm): TermResult {
    const cacheable = t.key !== BACKREF_FEATURE; // rule.matched changes from rule to rule
    const hit = cacheable ? this.terms[t.id] : undefined;
    if (hit !== undefined) return hit;
    const reports: ExpressionReport[] = [];
    const ok = evaluateTerm(t, this.lookup(t), reports);
    const res = { ok, reports };
    if (cacheable) this.terms[t.id] = res;
    return res;
  }

  matcher(m: CompiledMatcher): TermResult {
    let ok = true;
    if (m.terms.length === 1) {
      // The common case: the term's reports are already in NFD's order.
      const r = this.term(m.terms[0] as CompiledTerm);
      // Shared, not copied: reports are read-only (see report.ts).
      return m.identity
        ? r
        : { ok: r.ok, reports: m.order.map((i) => r.reports[i] as ExpressionReport) };
    }
    const natural: ExpressionReport[] = [];
    for (const t of m.terms) {
      const r = this.term(t);
      if (!r.ok) ok = false;
      for (const rep of r.reports) natural.push(rep);
    }
    return {
      ok,
      reports: m.identity ? natural : m.order.map((i) => natural[i] as ExpressionReport),
    };
  }

  /** The matchers' results of a rule; rules of the same shape share them (read-only). */
  private matchers(r: CompiledRule): RuleMatch {
    const hit = r.shape === undefined ? undefined : this.shapes[r.shape];
    if (hit !== undefined) return hit;
    let anyOk = true;
    let matchedAny: MatchAnyReport[] | undefined;
    if (r.matchAny !== undefined) {
      anyOk = false;
      matchedAny = [];
      for (const m of r.matchAny) {
        const { ok, reports } = this.matcher(m);
        if (ok) anyOk = true;
        matchedAny.push({ matchedExpressions: reports.length > 0 ? reports : null, isMatch: ok });
      }
    }
    let featOk = true;
    let matchedExpressions: ExpressionReport[] | undefined;
    if (r.matchFeatures !== undefined) {
      const res = this.matcher(r.matchFeatures);
      featOk = res.ok;
      if (res.reports.length > 0) matchedExpressions = res.reports;
    }
    const out: RuleMatch = { isMatch: anyOk && featOk, matchedExpressions, matchedAny };
    if (r.shape !== undefined) this.shapes[r.shape] = out;
    return out;
  }

  rule(r: CompiledRule): RuleReport {
    const m = this.matchers(r);
    let isMatch = m.isMatch;
    let vars: Record<string, string> | undefined;
    let error: string | undefined;
    if (isMatch && (r.vars.length > 0 || r.template !== undefined)) {
      const v = Object.create(null) as Record<string, string>;
      const t = r.template;
      if (typeof t === "string") error = t;
      else if (t !== undefined) {
        // Each matching matchAny element, then matchFeatures; later output overrides earlier.
        r.matchAny?.forEach((any, i) => {
          if (m.matchedAny?.[i]?.isMatch === true) error ??= this.runTemplate(t, any, v);
        });
        if (r.matchFeatures !== undefined) error ??= this.runTemplate(t, r.matchFeatures, v);
      }
      if (error === undefined) {
        for (const [k, val] of r.vars) v[k] = val;
        vars = sortedRecord(v);
      } else isMatch = false;
    }
    const out: RuleReport = { name: r.name, isMatch };
    if (m.matchedExpressions !== undefined) out.matchedExpressions = m.matchedExpressions;
    if (m.matchedAny !== undefined) out.matchedAny = m.matchedAny;
    if (vars !== undefined) out.vars = vars;
    if (error !== undefined) out.error = error;
    return out;
  }

  runTemplate(t: Template, m: CompiledMatcher, into: Record<string, string>): string | undefined {
    let text: string;
    try {
      text = executeTemplate(
        t,
        templateData(m.terms, (term) => this.lookup(term)),
      );
    } catch (e) {
      return `varsTemplate: ${e instanceof Error ? e.message : String(e)}`;
    }
    return parseVarsOutput(text, into);
  }

  set(s: CompiledSet): SetReport {
    this.backref = undefined;
    const rules: RuleReport[] = [];
    let isMatch = true;
    for (const r of s.rules) {
      const rep = this.rule(r);
      rules.push(rep);
      if (!rep.isMatch) isMatch = false;
      this.backref ??= Object.create(null) as Record<string, string>;
      if (rep.vars !== undefined) Object.assign(this.backref, rep.vars);
    }
    const src = s.source;
    // NFD's field order: rules, description, weight, tag; then kompat's.
    const out = { rules: rules.length > 0 ? rules : null } as SetReport;
    if (src.description) out.description = src.description;
    if (src.weight) out.weight = src.weight;
    if (src.tag) out.tag = src.tag;
    out.isMatch = isMatch;
    out.index = s.index;
    return out;
  }
}

function sortedRecord(v: Record<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(v).sort(compareStrings)) out[k] = v[k] ?? "";
  return out;
}

export function evaluateSets(
  sets: CompiledSet[],
  sizes: CacheSizes,
  features: Features,
  opts?: EvaluateOptions,
): Report {
  const ev = new Evaluation(features, sizes);
  const tags = opts?.tags;
  const out: SetReport[] = [];
  let best: number | null = null;
  let bestWeight = 0;
  for (const s of sets) {
    if (tags !== undefined && tags.length > 0 && !tags.includes(s.source.tag ?? "")) continue;
    const rep = ev.set(s);
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
