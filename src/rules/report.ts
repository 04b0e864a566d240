// The evaluation report. The JSON of `SetReport[]` is NFD's `--output-json` shape
// (compat-spec.md §7): field names and order as NFD writes them (the order the engine
// builds objects in, mirrored here); kompat only adds fields, after NFD's.
// Treat a report as read-only: identical terms of a spec are evaluated once per host, so
// rules may share ExpressionReport objects and lists.

import type { Op, ValueType } from "../spec/model.js";

/** An expression as NFD serialises it (`value` and `type` omitted when empty). */
export interface ExpressionJSON {
  op: Op;
  value?: string[];
  type?: ValueType;
}

/** What the host had for one expression — kompat's addition, so a user sees why. */
export interface HostObservation {
  state:
    | "value" // attribute had `value`
    | "flag" // the flag is present (flags have no value)
    | "missing-element" // the feature exists but not this element (`instances`: how many were searched)
    | "missing-feature" // the feature is in none of the three maps
    | "instances" // instance feature: distinct `values` of the element across `instances` instances
    | "names" // matchName: names that satisfied it (`values`, sorted; `count` of them) of `instances` names
    | "error"; // evaluation failed against the host value (`error`; `value`/`values` when known)
  value?: string;
  /** At most HOST_VALUES_CAP entries; see `count`/`instances` for the full size. */
  values?: string[];
  /** Instance features: how many instances; matchName: how many distinct element names. */
  instances?: number;
  /** matchName: how many distinct names satisfied the expression. */
  count?: number;
  error?: string;
}

/** Longest `values` list in a HostObservation. */
export const HOST_VALUES_CAP = 8;

export interface ExpressionReport {
  feature: string;
  /** Element name; "" for matchName. */
  name: string;
  expression: ExpressionJSON;
  matcherType: "matchExpression" | "matchName";
  isMatch: boolean;
  /** kompat */
  host?: HostObservation;
}

export interface MatchAnyReport {
  /** Always present, null when the element's terms have no expressions (as NFD prints it). */
  matchedExpressions: ExpressionReport[] | null;
  /** kompat */
  isMatch: boolean;
}

export interface RuleReport {
  name: string;
  isMatch: boolean;
  matchedExpressions?: ExpressionReport[];
  matchedAny?: MatchAnyReport[];
  /** kompat: variables this rule published to later rules (only when it matched), keys sorted. */
  vars?: Record<string, string>;
  /** kompat: why the rule could not be evaluated fully (e.g. a varsTemplate error); it then fails. */
  error?: string;
}

export interface SetReport {
  rules: RuleReport[] | null;
  description?: string;
  weight?: number;
  tag?: string;
  /** kompat */
  isMatch: boolean;
  /** kompat: index of this set in the spec's `compatibilities`. */
  index: number;
}

export interface Report {
  /** Only the evaluated sets (after `--tags`), in document order. */
  sets: SetReport[];
  compatible: boolean;
  /** Index into `sets` of the matching set with the highest weight (first wins a tie). */
  best: number | null;
}

export interface EvaluateOptions {
  /** Evaluate only sets whose tag is listed; undefined (or empty, as in NFD) = every set. */
  tags?: readonly string[];
}
