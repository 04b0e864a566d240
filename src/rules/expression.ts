// One expression compiled for repeated evaluation: the op, bounds and regexps are resolved
// once per spec, so evaluating against a host value is a comparison.

import type { MatchExpression } from "../spec/model.js";
import type { StepBudget } from "../lib/gotemplate/index.js";
import { BUDGET_REASON } from "./budget.js";
import { checkExpression, failsEverywhere } from "./expression-check.js";
import { parseGoInt, type GoInt } from "../lib/go/strconv.js";
import { compileRegexp, type Regexp } from "./regexp.js";
import { compareVersions, parseVersion, type Version } from "./version.js";
import { quoted } from "../lib/text/untrusted.js";

/** true/false, or why the expression could not be evaluated (which fails it). */
export type Outcome = boolean | string;

export interface CompiledExpression {
  readonly source: MatchExpression;
  /**
   * The element exists with this value (an attribute value, or an element's name). Regexp
   * work is charged to `budget`; once it is spent the outcome is BUDGET_REASON.
   */
  onValue(v: string, budget?: StepBudget): Outcome;
  /** The element is a flag (exists, no value). */
  onFlag(): Outcome;
  /** The element does not exist. */
  onMissing(): Outcome;
}

const NUMERIC = new Set(["Gt", "Ge", "Lt", "Le", "GtLt", "GeLe"]);
// Ops whose test costs more than a map look-up; host values repeat across nodes.
const MEMOIZED = new Set(["InRegexp", ...NUMERIC]);
const MEMO_LIMIT = 4096;
const MEMO_MAX_KEY = 256; // long (possibly hostile) values are tested, not kept

function memoize(f: (v: string) => Outcome): (v: string) => Outcome {
  const memo = new Map<string, Outcome>();
  return (v) => {
    if (v.length > MEMO_MAX_KEY) return f(v);
    let r = memo.get(v);
    if (r === undefined) {
      r = f(v);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(v, r);
    }
    return r;
  };
}

/** A host value quoted for a message, shortened: values can be arbitrarily long. */
const shown = (v: string): string => quoted(v);

function hostNumber(v: string, op: string): GoInt | string {
  const x = parseGoInt(v);
  if (x !== undefined) return x;
  const hint = /^v?[0-9]+\.[0-9]/.test(v) ? "; add type: version to compare versions" : "";
  return `${op}: host value ${shown(v)} is not an integer${hint}`;
}

function hostVersion(v: string, op: string): Version | string {
  const x = parseVersion(v);
  if (typeof x !== "string") return x;
  return v.length > 80
    ? `${op}: host value ${shown(v)} is not a version`
    : `${op}: host value is not a version: ${x}`;
}

export function compileExpression(e: MatchExpression): CompiledExpression {
  const errors = checkExpression(e).filter((p) => p.severity === "error");
  const source = e;
  if (errors.length > 0) {
    // Like NFD, fail wherever NFD would notice the problem (compat-spec §4).
    const why = `invalid expression: ${errors.map((p) => p.message).join("; ")}`;
    const everywhere = failsEverywhere(e);
    const absentOrFlag: Outcome = everywhere ? why : e.op === "DoesNotExist" || e.op === "";
    return {
      source,
      onValue: () => why,
      onFlag: () => (everywhere ? why : e.op === "Exists" || e.op === ""),
      onMissing: () => absentOrFlag,
    };
  }
  const op = e.op;
  const test = MEMOIZED.has(op) ? memoize(valueMatcher(e)) : valueMatcher(e);
  // Charged on every test, memoized or not: a node's outcome never depends on other nodes.
  const weight = op === "InRegexp" ? e.value.reduce((n, p) => n + p.length + 1, 0) : 0;
  const onValue =
    weight === 0
      ? test
      : (v: string, budget?: StepBudget): Outcome =>
          budget !== undefined && (budget.remaining -= (v.length + 1) * weight) < 0
            ? BUDGET_REASON
            : test(v);
  const flag = op === "Exists" || op === "";
  const missing = op === "DoesNotExist" || op === "";
  return { source, onValue, onFlag: () => flag, onMissing: () => missing };
}

function valueMatcher(e: MatchExpression): (v: string) => Outcome {
  const vals = e.value;
  switch (e.op) {
    case "":
    case "Exists":
      return () => true;
    case "DoesNotExist":
      return () => false;
    case "IsTrue":
      return (v) => v === "true";
    case "IsFalse":
      return (v) => v === "false";
    case "In": {
      if (vals.length === 1) {
        const only = vals[0];
        return (v) => v === only;
      }
      const set = new Set(vals);
      return (v) => set.has(v);
    }
    case "NotIn": {
      const set = new Set(vals);
      return (v) => !set.has(v);
    }
    case "InRegexp": {
      const res = vals
        .map((p) => compileRegexp(p))
        .filter((r): r is Regexp => typeof r !== "string");
      return (v) => res.some((r) => r.test(v));
    }
    default:
      if (NUMERIC.has(e.op)) return e.type === "version" ? versionMatcher(e) : numberMatcher(e);
      return () => `invalid op ${quoted(e.op)}`;
  }
}

function numberMatcher(e: MatchExpression): (v: string) => Outcome {
  const op = e.op;
  const a = parseGoInt(e.value[0] ?? "") ?? 0;
  const b = parseGoInt(e.value[1] ?? "") ?? 0;
  const test = ((): ((x: GoInt) => boolean) => {
    switch (op) {
      case "Gt":
        return (x) => x > a;
      case "Ge":
        return (x) => x >= a;
      case "Lt":
        return (x) => x < a;
      case "Le":
        return (x) => x <= a;
      case "GtLt":
        return (x) => x > a && x < b;
      default:
        return (x) => x >= a && x <= b;
    }
  })();
  return (v) => {
    const x = hostNumber(v, op);
    return typeof x === "string" ? x : test(x);
  };
}

function versionMatcher(e: MatchExpression): (v: string) => Outcome {
  const op = e.op;
  const zero: Version = { major: 0n, minor: 0n, patch: 0n };
  const parse = (s: string | undefined): Version => {
    const p = parseVersion(s ?? "");
    return typeof p === "string" ? zero : p;
  };
  const a = parse(e.value[0]);
  const b = parse(e.value[1]);
  const test = ((): ((x: Version) => boolean) => {
    switch (op) {
      case "Gt":
        return (x) => compareVersions(x, a) > 0;
      case "Ge":
        return (x) => compareVersions(x, a) >= 0;
      case "Lt":
        return (x) => compareVersions(x, a) < 0;
      case "Le":
        return (x) => compareVersions(x, a) <= 0;
      case "GtLt":
        return (x) => compareVersions(x, a) > 0 && compareVersions(x, b) < 0;
      default:
        return (x) => compareVersions(x, a) >= 0 && compareVersions(x, b) <= 0;
    }
  })();
  return (v) => {
    const x = hostVersion(v, op);
    return typeof x === "string" ? x : test(x);
  };
}
