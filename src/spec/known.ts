// Names the spec layer knows: the fields of each object (features: catalogue.ts).

export const SPEC_FIELDS = ["version", "compatibilities"] as const;
export const SET_FIELDS = ["rules", "weight", "tag", "description"] as const;
export const RULE_FIELDS = ["name", "vars", "varsTemplate", "matchFeatures", "matchAny"] as const;
export const ANY_FIELDS = ["matchFeatures"] as const;
export const TERM_FIELDS = ["feature", "matchExpressions", "matchName"] as const;
export const EXPR_FIELDS = ["op", "value", "type"] as const;

/** Where a field that is misplaced actually belongs (keys are lower-cased). */
export const FIELD_HOME: Readonly<Record<string, string>> = Object.assign(
  Object.create(null) as object,
  {
    version: "at the top of the spec",
    compatibilities: "at the top of the spec",
    rules: "in a compatibility set (an item of compatibilities)",
    weight: "in a compatibility set",
    tag: "in a compatibility set",
    description: "in a compatibility set",
    name: "in a rule (an item of rules)",
    vars: "in a rule",
    varstemplate: "in a rule",
    matchfeatures: "in a rule or a matchAny item",
    matchany: "in a rule",
    feature: "in a feature term (an item of matchFeatures)",
    matchexpressions: "in a feature term (an item of matchFeatures)",
    matchname: "in a feature term (an item of matchFeatures)",
    op: "in an expression (matchExpressions.<element> or matchName)",
    value: "in an expression (matchExpressions.<element> or matchName)",
    type: "in an expression (matchExpressions.<element> or matchName)",
  },
);

/** Kubernetes preferred node-affinity weights are 1..100. */
export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 100;
