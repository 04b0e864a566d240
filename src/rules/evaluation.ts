// Evaluating a compiled spec against one host (compat-spec §3–§6): terms, rules in order
// with rule.matched, sets, tags and the verdict. One evaluator for both answers: the full
// report, or (failFast, as NFD's flag) the verdict alone, which stops as soon as it is known.

import type { Features } from "../features/nodefeatures.js";
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
import { BUDGET_REASON, EvaluationBudget } from "./budget.js";

interface RuleMatch {
  isMatch: boolean;
  matchedExpressions: ExpressionReport[] | undefined;
  matchedAny: MatchAnyReport[] | undefined;
}

interface TermResult {
  ok: boolean;
  reports: ExpressionReport[];
}

// failFast results: no reports, so two shared objects serve every term and matcher.
const NO_REPORTS: ExpressionReport[] = Object.freeze([]) as unknown as ExpressionReport[];
const HOLDS: TermResult = Object.freeze({ ok: true, reports: NO_REPORTS });
const FAILS: TermResult = Object.freeze({ ok: false, reports: NO_REPORTS });
const RULE_HOLDS: RuleReport = Object.freeze({ name: "", isMatch: true });
const RULE_FAILS: RuleReport = Object.freeze({ name: "", isMatch: false });

/** A term's result on one host, and the budget it cost to find. */
interface SharedResult {
  res: TermResult;
  cost: number;
}

/**
 * Term results on one host, shared by the specs of one TermPool (an audit evaluates 100
 * specs against each node group; most of their terms are alike). A result is reused only
 * where the spec's own evaluation would have found it: its cost is charged to that spec's
 * budget, and a spec that cannot afford it evaluates the term itself (and fails as it
 * would alone). Results found with the budget spent are not shared.
 */
export class SharedTerms {
  /** Per term id: fail-fast results, then full ones (their costs differ). */
  readonly verdicts: Array<SharedResult | undefined> = [];
  readonly reports: Array<SharedResult | undefined> = [];
  readonly views = new Map<string, FeatureView | undefined>();
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

/**
 * One evaluation against one host: features and term results are looked up once. With
 * `failFast`, no report is built and a set stops at its first failing rule (later rules, and
 * the vars they would publish, affect only that set): its SetReport then has no rules.
 */
export class Evaluation {
  private readonly views: Map<string, FeatureView | undefined>;
  private readonly terms: Array<TermResult | undefined>;
  private readonly shared: Array<SharedResult | undefined> | undefined;
  private readonly shapes: Array<RuleMatch | undefined>;
  /** rule.matched of the set being evaluated: absent before its first rule has run. */
  backref: Record<string, string> | undefined;
  /** Template and regexp work this spec may still do on this host. */
  private readonly budget = new EvaluationBudget();

  constructor(
    private readonly features: Features,
    sizes: CacheSizes,
    private readonly failFast = false,
    shared?: SharedTerms,
  ) {
    // Views depend on the host alone; term results also on the mode (fail-fast or not).
    this.views = shared?.views ?? new Map<string, FeatureView | undefined>();
    this.shared = shared === undefined ? undefined : failFast ? shared.verdicts : shared.reports;
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
    const shared = cacheable ? this.shared : undefined;
    const known = shared?.[t.id];
    let res: TermResult;
    if (known !== undefined && this.budget.charge(known.cost)) res = known.res;
    else {
      // Not affordable: the work runs here, refused where this spec's budget ends.
      if (known !== undefined) this.budget.remaining += known.cost;
      const before = this.budget.remaining;
      if (this.failFast)
        res = evaluateTerm(t, this.lookup(t), undefined, this.budget) ? HOLDS : FAILS;
      else {
        const reports: ExpressionReport[] = [];
        res = { ok: evaluateTerm(t, this.lookup(t), reports, this.budget), reports };
      }
      if (shared !== undefined && !this.budget.spent)
        shared[t.id] = { res, cost: before - this.budget.remaining };
    }
    if (cacheable) this.terms[t.id] = res;
    return res;
  }

  matcher(m: CompiledMatcher): TermResult {
    if (this.failFast) {
      for (const t of m.terms) if (!this.term(t).ok) return FAILS;
      return HOLDS;
    }
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
    if (this.failFast) {
      // matchFeatures first: it is usually what fails; no reports are kept.
      const isMatch =
        (r.matchFeatures === undefined || this.matcher(r.matchFeatures).ok) &&
        (r.matchAny === undefined || r.matchAny.some((m) => this.matcher(m).ok));
      const out: RuleMatch = { isMatch, matchedExpressions: undefined, matchedAny: undefined };
      if (r.shape !== undefined) this.shapes[r.shape] = out;
      return out;
    }
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
    const before = this.budget.remaining;
    const m = this.matchers(r);
    // failFast: only isMatch is read; a rule without vars needs no report of its own.
    if (this.failFast && r.vars.length === 0 && r.template === undefined)
      return m.isMatch ? RULE_HOLDS : RULE_FAILS;
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
          const matched = m.matchedAny?.[i]?.isMatch ?? (this.failFast && this.matcher(any).ok);
          if (matched) error ??= this.runTemplate(t, any, v);
        });
        if (r.matchFeatures !== undefined) error ??= this.runTemplate(t, r.matchFeatures, v);
      }
      if (error === undefined) {
        for (const [k, val] of r.vars) v[k] = val;
        vars = this.failFast ? v : sortedRecord(v);
      } else isMatch = false;
    }
    // Work this rule needed was refused: the budget is spent.
    if (!isMatch && error === undefined && this.budget.spent && this.budget.remaining < before)
      error = BUDGET_REASON;
    const out: RuleReport = { name: r.name, isMatch };
    if (m.matchedExpressions !== undefined) out.matchedExpressions = m.matchedExpressions;
    if (m.matchedAny !== undefined) out.matchedAny = m.matchedAny;
    if (vars !== undefined) out.vars = vars;
    if (error !== undefined) out.error = error;
    return out;
  }

  runTemplate(t: Template, m: CompiledMatcher, into: Record<string, string>): string | undefined {
    const budget = this.budget;
    if (budget.spent) return BUDGET_REASON;
    let text: string;
    try {
      const data = templateData(m.terms, (term) => this.lookup(term), budget);
      text = executeTemplate(t, data, { budget });
    } catch (e) {
      if (budget.spent) return BUDGET_REASON;
      return `varsTemplate: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (budget.spent) return BUDGET_REASON;
    return parseVarsOutput(text, into);
  }

  set(s: CompiledSet): SetReport {
    this.backref = undefined;
    const rules: RuleReport[] = [];
    let isMatch = true;
    for (const r of s.rules) {
      const rep = this.rule(r);
      if (!this.failFast) rules.push(rep);
      if (!rep.isMatch) {
        isMatch = false;
        if (this.failFast) break;
      }
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
  failFast = false,
  shared?: SharedTerms,
): Report {
  const ev = new Evaluation(features, sizes, failFast, shared);
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
