// The image compatibility spec (NFD v1alpha1), as kompat holds it after parsing.
// Field names follow NFD's YAML so a spec round-trips unchanged.

export const SPEC_VERSION = "v1alpha1";

export const OPS = [
  "In",
  "NotIn",
  "InRegexp",
  "Exists",
  "DoesNotExist",
  "Gt",
  "Ge",
  "Lt",
  "Le",
  "GtLt",
  "GeLe",
  "IsTrue",
  "IsFalse",
  "",
] as const;
export type Op = (typeof OPS)[number];

export type ValueType = "" | "version";

export interface MatchExpression {
  op: Op;
  /** Always present after parsing (empty when the spec gave none). */
  value: string[];
  type: ValueType;
}

/** Element name → expression. Null-prototype object: keys are untrusted input. */
export type MatchExpressionSet = Record<string, MatchExpression>;

export interface FeatureMatcherTerm {
  /** `<domain>.<name>` as written in the spec (look-up lower-cases it). */
  feature: string;
  matchExpressions?: MatchExpressionSet;
  matchName?: MatchExpression;
}

export interface MatchAnyElem {
  matchFeatures: FeatureMatcherTerm[];
}

export interface GroupRule {
  name: string;
  vars?: Record<string, string>;
  varsTemplate?: string;
  matchFeatures?: FeatureMatcherTerm[];
  matchAny?: MatchAnyElem[];
}

export interface CompatibilitySet {
  rules: GroupRule[];
  weight?: number;
  tag?: string;
  description?: string;
}

export interface Spec {
  version: string;
  compatibilities: CompatibilitySet[];
}
