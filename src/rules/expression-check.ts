// Static checks of one expression (compat-spec §4). NFD finds these lazily while
// evaluating; kompat reports them before any host is seen. Shared by checkSpec and by the
// compiler, which turns an unchecked bad expression into NFD's lazy failure.

import { OPS, type MatchExpression, type Op } from "../spec/model.js";
import { goIntProblem, parseGoInt } from "../lib/go/strconv.js";
import { compileRegexp } from "./regexp.js";
import { compareVersions, nfdVersionProblem, parseVersion } from "./version.js";
import { quoted } from "../lib/text/untrusted.js";

export interface ExpressionProblem {
  severity: "error" | "warning";
  code: string;
  message: string;
  hint: string;
  /** Path below the expression: [] (the expression), ["op"], ["value", i], ["type"]. */
  at: Array<string | number>;
}

const NO_VALUE: ReadonlySet<string> = new Set(["Exists", "DoesNotExist", "", "IsTrue", "IsFalse"]);
const ONE_OR_MORE: ReadonlySet<string> = new Set(["In", "NotIn", "InRegexp"]);
const EXACTLY_ONE: ReadonlySet<string> = new Set(["Gt", "Ge", "Lt", "Le"]);
const EXACTLY_TWO: ReadonlySet<string> = new Set(["GtLt", "GeLe"]);

function isKnownOp(op: string): op is Op {
  return (OPS as readonly string[]).includes(op);
}

/** Ops that NFD rejects whenever evaluated, even on flags or a missing element. */
export function failsEverywhere(e: MatchExpression): boolean {
  return !isKnownOp(e.op) || (["Exists", "DoesNotExist", ""].includes(e.op) && e.value.length > 0);
}

function opName(op: string): string {
  return op === "" ? 'the empty op ""' : `op ${op}`;
}

export function checkExpression(e: MatchExpression): ExpressionProblem[] {
  const out: ExpressionProblem[] = [];
  const op: string = e.op;
  const type: string = e.type;
  const n = e.value.length;
  if (!isKnownOp(op)) {
    out.push({
      severity: "error",
      code: "unknown-op",
      message: `unknown op ${quoted(op)}`,
      hint: `use one of ${OPS.filter((o) => o !== "").join(", ")} (or "" to always hold)`,
      at: ["op"],
    });
    return out;
  }
  if (NO_VALUE.has(op) && n > 0) {
    out.push({
      severity: "error",
      code: "unexpected-value",
      message: `${opName(op)} takes no value (have ${n})`,
      hint: "remove `value`",
      at: ["value"],
    });
  }
  if (ONE_OR_MORE.has(op) && n === 0) {
    out.push({
      severity: "error",
      code: "op-arity",
      message: `${opName(op)} needs at least one value`,
      hint: 'add the values to compare with, e.g. value: ["x"]',
      at: ["value"],
    });
  }
  if (EXACTLY_ONE.has(op) && n !== 1) {
    out.push({
      severity: "error",
      code: "op-arity",
      message: `${opName(op)} needs exactly one value (have ${n})`,
      hint: n > 1 ? "use GtLt or GeLe for a range" : 'add the bound, e.g. value: ["5"]',
      at: ["value"],
    });
  }
  if (EXACTLY_TWO.has(op) && n !== 2) {
    out.push({
      severity: "error",
      code: "op-arity",
      message: `${opName(op)} needs exactly two values, the lower and upper bound (have ${n})`,
      hint: 'write value: ["<lower>", "<upper>"]',
      at: ["value"],
    });
  }
  const numeric = EXACTLY_ONE.has(op) || EXACTLY_TWO.has(op);
  if (type !== "" && type !== "version") {
    out.push({
      severity: "error",
      code: "unknown-type",
      message: `unknown type ${quoted(type)}`,
      hint: 'the only type is "version" (omit it to compare integers)',
      at: ["type"],
    });
  } else if (type === "version" && !numeric) {
    out.push({
      severity: "warning",
      code: "type-ignored",
      message: `type: version has no effect on ${opName(op)}`,
      hint: "remove `type`, or use Gt/Ge/Lt/Le/GtLt/GeLe to compare versions",
      at: ["type"],
    });
  }
  if (op === "InRegexp") {
    e.value.forEach((v, i) => {
      const re = compileRegexp(v);
      if (typeof re === "string") {
        out.push({
          severity: "error",
          code: "invalid-regexp",
          message: re,
          hint: "patterns use Go RE2 syntax: https://github.com/google/re2/wiki/Syntax",
          at: ["value", i],
        });
      }
    });
  }
  if (numeric && type === "") checkIntegers(e, out);
  if (numeric && type === "version") checkVersions(e, out);
  return out;
}

function checkIntegers(e: MatchExpression, out: ExpressionProblem[]): void {
  let ok = true;
  e.value.forEach((v, i) => {
    const p = goIntProblem(v);
    if (p === undefined) return;
    ok = false;
    const looksVersion = /^v?[0-9]+(\.[0-9]+)+/.test(v);
    out.push({
      severity: "error",
      code: "not-a-number",
      message: `${e.op} compares integers: ${p}`,
      hint: looksVersion
        ? "add type: version to compare versions"
        : 'write a decimal integer such as "5"',
      at: ["value", i],
    });
  });
  if (ok && EXACTLY_TWO.has(e.op) && e.value.length === 2) {
    const lo = parseGoInt(e.value[0] ?? "");
    const hi = parseGoInt(e.value[1] ?? "");
    if (lo !== undefined && hi !== undefined && lo >= hi) {
      out.push({
        severity: "error",
        code: "reversed-bounds",
        message: `${e.op} needs value[0] < value[1] (have ${e.value[0]} and ${e.value[1]})`,
        hint: "put the lower bound first",
        at: ["value"],
      });
    }
  }
}

function checkVersions(e: MatchExpression, out: ExpressionProblem[]): void {
  const parsed = e.value.map((v, i) => {
    const p = parseVersion(v);
    if (typeof p === "string") {
      out.push({
        severity: "error",
        code: "not-a-version",
        message: p,
        hint: 'write MAJOR[.MINOR[.PATCH]], e.g. "6.8" or "5.14.0"',
        at: ["value", i],
      });
      return undefined;
    }
    const nfd = nfdVersionProblem(v);
    if (nfd !== undefined) {
      out.push({
        severity: "warning",
        code: "version-nfd-incompatible",
        message:
          `NFD cannot parse ${quoted(v)} as a version (${nfd}), so nfd compat validate-node ` +
          `fails on this spec; kompat ignores everything after the first "-" or "+"`,
        hint: `write only the numeric part, e.g. ${quoted(v.split(/[-+]/)[0] ?? "")}`,
        at: ["value", i],
      });
    }
    return p;
  });
  const [lo, hi] = parsed;
  if (EXACTLY_TWO.has(e.op) && parsed.length === 2 && lo !== undefined && hi !== undefined) {
    const c = compareVersions(lo, hi);
    if (c > 0 || (c === 0 && e.op === "GtLt")) {
      out.push({
        severity: "warning",
        code: "version-bounds-never-match",
        message: `${e.op} between ${e.value[0]} and ${e.value[1]} can never hold`,
        hint: "put the lower bound first",
        at: ["value"],
      });
    }
  }
}
