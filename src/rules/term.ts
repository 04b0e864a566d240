// One feature term (compat-spec §3) evaluated against a host, with each expression's own
// result and what the host had — kompat reports per-expression truth, not NFD's guess.

import type { FeatureMatcherTerm } from "../spec/model.js";
import { compileExpression, type CompiledExpression, type Outcome } from "./expression.js";
import type { ExpressionJSON, ExpressionReport, HostObservation } from "./report.js";
import { HOST_VALUES_CAP } from "./report.js";
import { compareStrings } from "../lib/go/strings.js";
import type { StepBudget } from "../lib/gotemplate/index.js";

/** The parts of one feature the host has (undefined: not in that map). */
export interface FeatureView {
  flags: Readonly<Record<string, unknown>> | undefined;
  attrs: Readonly<Record<string, string>> | undefined;
  insts: ReadonlyArray<{ attributes: Readonly<Record<string, string>> }> | undefined;
}

export interface CompiledElementExpr {
  name: string;
  expr: CompiledExpression;
  json: ExpressionJSON;
  doesNotExist: boolean;
}

export interface CompiledTerm {
  /** Distinct per distinct term of a spec (identical terms are shared). */
  id: number;
  /** As written in the spec. */
  feature: string;
  /** Look-up key: lower-cased. */
  key: string;
  /** undefined when the term has no matchExpressions (not the same as an empty map). */
  exprs: CompiledElementExpr[] | undefined;
  matchName: { expr: CompiledExpression; json: ExpressionJSON } | undefined;
}

function expressionJSON(e: { op: string; value: string[]; type: string }): ExpressionJSON {
  const out: { op: string; value?: string[]; type?: string } = { op: e.op };
  if (e.value.length > 0) out.value = Object.freeze([...e.value]) as string[];
  if (e.type !== "") out.type = e.type;
  return Object.freeze(out) as ExpressionJSON;
}

export function compileTerm(t: FeatureMatcherTerm, id: number): CompiledTerm {
  let exprs: CompiledElementExpr[] | undefined;
  if (t.matchExpressions !== undefined) {
    exprs = Object.entries(t.matchExpressions).map(([name, e]) => {
      return {
        name,
        expr: compileExpression(e),
        json: expressionJSON(e),
        doesNotExist: e.op === "DoesNotExist",
      };
    });
  }
  const mn = t.matchName;
  return {
    id,
    feature: t.feature,
    key: t.feature.toLowerCase(),
    exprs,
    matchName:
      mn === undefined ? undefined : { expr: compileExpression(mn), json: expressionJSON(mn) },
  };
}

function report(
  t: CompiledTerm,
  name: string,
  json: ExpressionJSON,
  matcherType: ExpressionReport["matcherType"],
  isMatch: boolean,
  host: HostObservation,
): ExpressionReport {
  return { feature: t.feature, name, expression: json, matcherType, isMatch, host };
}

const MISSING_FEATURE: HostObservation = Object.freeze({ state: "missing-feature" });

/**
 * Evaluates a term: whether it holds. With `out`, one report per expression (matchExpressions
 * in spec order, then matchName) is pushed onto it; without, evaluation stops as soon as the
 * answer is known (NFD's fail-fast). Regexp work is charged to `budget`. Never throws on
 * host data.
 */
export function evaluateTerm(
  t: CompiledTerm,
  f: FeatureView | undefined,
  out: ExpressionReport[] | undefined,
  budget: StepBudget | undefined,
): boolean {
  if (f === undefined) {
    if (out === undefined) return false;
    for (const e of t.exprs ?? [])
      out.push(report(t, e.name, e.json, "matchExpression", false, MISSING_FEATURE));
    if (t.matchName) out.push(report(t, "", t.matchName.json, "matchName", false, MISSING_FEATURE));
    return false;
  }
  let holds = true;
  if (t.exprs !== undefined) {
    holds = evaluateExpressions(t, t.exprs, f, out, budget);
    if (!holds && out === undefined) return false;
  }
  if (t.matchName !== undefined) holds = evaluateMatchName(t, t.matchName, f, out, budget) && holds;
  return holds;
}

/** An expression on the flags and attributes: true, false or the first failure's reason. */
export function onFlagsAndAttributes(
  e: CompiledElementExpr,
  f: FeatureView,
  budget: StepBudget | undefined,
): Outcome {
  const { flags, attrs } = f;
  let rF: Outcome | undefined;
  let rA: Outcome | undefined;
  if (flags !== undefined) rF = Object.hasOwn(flags, e.name) ? e.expr.onFlag() : e.expr.onMissing();
  if (attrs !== undefined)
    rA = Object.hasOwn(attrs, e.name)
      ? e.expr.onValue(str(attrs[e.name]), budget)
      : e.expr.onMissing();
  // DoesNotExist must hold in every map the feature has; any other op in one of them.
  const ok = e.doesNotExist
    ? (rF === undefined || rF === true) && (rA === undefined || rA === true)
    : rF === true || rA === true;
  if (ok) return true;
  return typeof rA === "string" ? rA : typeof rF === "string" ? rF : false;
}

export function onInstance(
  e: CompiledElementExpr,
  a: Readonly<Record<string, string>>,
  budget: StepBudget | undefined,
): Outcome {
  return Object.hasOwn(a, e.name) ? e.expr.onValue(str(a[e.name]), budget) : e.expr.onMissing();
}

function evaluateExpressions(
  t: CompiledTerm,
  exprs: CompiledElementExpr[],
  f: FeatureView,
  out: ExpressionReport[] | undefined,
  budget: StepBudget | undefined,
): boolean {
  const { flags, attrs, insts } = f;
  const hasKV = flags !== undefined || attrs !== undefined;
  const hasInsts = insts !== undefined && insts.length > 0;
  const n = exprs.length;
  const base = out === undefined ? 0 : out.length;
  const errors: Array<string | undefined> = []; // first failure reason per expression (reports)
  // Flags and attributes: every expression must hold there.
  let kvAll = hasKV;
  for (let k = 0; k < n && (kvAll || out !== undefined); k++) {
    const e = exprs[k] as CompiledElementExpr;
    const r = hasKV ? onFlagsAndAttributes(e, f, budget) : false;
    if (r !== true) kvAll = false;
    if (out === undefined) continue;
    const error = typeof r === "string" ? r : undefined;
    errors[k] = error;
    const ok = r === true;
    const host = hasInsts && !ok ? PENDING : observe(e.name, f, ok, error);
    out.push(report(t, e.name, e.json, "matchExpression", ok, host));
  }
  if (!hasInsts || (kvAll && out === undefined)) return kvAll;

  // Instances: one instance must satisfy every expression. Expressions already true on
  // flags/attributes still take part: the instance must satisfy them too.
  let instMatch = false;
  let open = 0; // reports still waiting for an instance to satisfy them
  if (out !== undefined)
    for (let k = 0; k < n; k++) if (!(out[base + k] as ExpressionReport).isMatch) open++;
  for (let i = 0; i < insts.length; i++) {
    const a = attrsOf(insts[i]);
    let all = true;
    for (let k = 0; k < n; k++) {
      const r = onInstance(exprs[k] as CompiledElementExpr, a, budget);
      if (out === undefined) {
        if (r === true) continue;
        all = false;
        break;
      }
      if (r === true) {
        const rep = out[base + k] as ExpressionReport;
        if (!rep.isMatch) {
          rep.isMatch = true;
          open--;
        }
      } else {
        all = false;
        if (typeof r === "string" && errors[k] === undefined) errors[k] = r;
      }
    }
    if (all) {
      if (out === undefined) return true;
      instMatch = true;
    }
    if (instMatch && open === 0) break; // every answer is known
  }
  if (out === undefined) return false;
  for (let k = 0; k < n; k++) {
    const rep = out[base + k] as ExpressionReport;
    if (rep.host === PENDING) rep.host = observe(rep.name, f, rep.isMatch, errors[k]);
  }
  return kvAll || instMatch;
}

const PENDING: HostObservation = Object.freeze({ state: "missing-element" });

/** A host value as text. Values are strings in NFD; anything else comes from malformed data. */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || typeof v !== "object") return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return "";
  }
}

const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze(
  Object.create(null) as Record<string, string>,
);

/** An instance's attributes; an empty map for malformed host data. */
export function attrsOf(
  inst: { attributes: Readonly<Record<string, string>> } | undefined,
): Readonly<Record<string, string>> {
  const a: unknown = inst !== null && typeof inst === "object" ? inst.attributes : undefined;
  return a !== null && typeof a === "object" ? (a as Readonly<Record<string, string>>) : NO_ATTRS;
}

function observe(
  name: string,
  f: FeatureView,
  isMatch: boolean,
  error: string | undefined,
): HostObservation {
  const { flags, attrs, insts } = f;
  if (attrs !== undefined && Object.hasOwn(attrs, name)) {
    const value = str(attrs[name]);
    return !isMatch && error !== undefined
      ? { state: "error", value, error }
      : { state: "value", value };
  }
  if (flags !== undefined && Object.hasOwn(flags, name)) {
    return !isMatch && error !== undefined ? { state: "error", error } : { state: "flag" };
  }
  if (insts !== undefined && insts.length > 0) {
    const values: string[] = [];
    const seen = new Set<string>();
    for (const inst of insts) {
      const a = attrsOf(inst);
      if (!Object.hasOwn(a, name)) continue;
      const v = str(a[name]);
      if (seen.has(v)) continue;
      seen.add(v);
      values.push(v);
      if (values.length === HOST_VALUES_CAP) break;
    }
    const instances = insts.length;
    if (!isMatch && error !== undefined) return { state: "error", values, instances, error };
    return values.length === 0
      ? { state: "missing-element", instances }
      : { state: "instances", values, instances };
  }
  if (!isMatch && error !== undefined) return { state: "error", error };
  return { state: "missing-element" };
}

function evaluateMatchName(
  t: CompiledTerm,
  mn: { expr: CompiledExpression; json: ExpressionJSON },
  f: FeatureView,
  out: ExpressionReport[] | undefined,
  budget: StepBudget | undefined,
): boolean {
  const matched = out === undefined ? undefined : new Set<string>();
  let error: string | undefined;
  const test = mn.expr.onValue;
  /** Whether the answer is known (a name matched and no report is wanted). */
  const visit = (names: Readonly<Record<string, unknown>> | undefined): boolean => {
    if (names === undefined) return false;
    for (const name in names) {
      const r = test(name, budget);
      if (r === true) {
        if (matched === undefined) return true;
        matched.add(name);
      } else if (typeof r === "string") error ??= r;
    }
    return false;
  };
  if (visit(f.flags) || visit(f.attrs)) return true;
  if (f.insts !== undefined) for (const inst of f.insts) if (visit(attrsOf(inst))) return true;
  if (out === undefined || matched === undefined) return false;
  const isMatch = matched.size > 0;
  const names = distinctNames(f);
  let host: HostObservation;
  if (!isMatch && error !== undefined) host = { state: "error", instances: names, error };
  else {
    const values = [...matched].sort(compareStrings);
    if (values.length > HOST_VALUES_CAP) values.length = HOST_VALUES_CAP;
    host = { state: "names", values, instances: names, count: matched.size };
  }
  out.push(report(t, "", mn.json, "matchName", isMatch, host));
  return isMatch;
}

/** How many distinct element names the feature has (flags, attributes, instance attributes). */
function distinctNames(f: FeatureView): number {
  const { flags, attrs, insts } = f;
  if (insts === undefined || insts.length === 0) {
    let n = 0;
    if (flags !== undefined) for (const _ in flags) n++;
    if (attrs !== undefined)
      for (const k in attrs) if (flags === undefined || !Object.hasOwn(flags, k)) n++;
    return n;
  }
  const all = new Set<string>();
  if (flags !== undefined) for (const k in flags) all.add(k);
  if (attrs !== undefined) for (const k in attrs) all.add(k);
  for (const inst of insts) for (const k in attrsOf(inst)) all.add(k);
  return all.size;
}
