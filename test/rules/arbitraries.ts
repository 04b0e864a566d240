// Random specs and hosts for property tests (shared generators).

import fc from "fast-check";
import type { Features } from "../../src/features/nodefeatures.js";
import type {
  CompatibilitySet,
  FeatureMatcherTerm,
  GroupRule,
  MatchExpression,
  Spec,
} from "../../src/spec/model.js";
import { features as buildFeatures, x } from "./fixtures.js";

export const FEATURES = ["a.x", "a.y", "b.z"];
const ELEMENTS = ["k1", "k2", "k3", "K1"];
const VALUES = [
  "",
  "0",
  "1",
  "5",
  "-3",
  "10",
  "007",
  "true",
  "false",
  "1.2",
  "6.8.0-45-generic",
  "2.0",
  "abc",
  "x_y",
];
const PATTERNS = ["^1", "a", "(?i)TRUE", "[0-9]+$", "^$", ".", "^k", "1$"];
const INTS = ["-3", "0", "1", "5", "10"];
const VERSIONS = ["0", "1.2", "1.10", "2", "6.8", "v6.8.1"];

const element = fc.constantFrom(...ELEMENTS);
const value = fc.constantFrom(...VALUES);

export const expression: fc.Arbitrary<MatchExpression> = fc.oneof(
  fc
    .tuple(fc.constantFrom("In", "NotIn"), fc.array(value, { minLength: 1, maxLength: 3 }))
    .map(([op, v]) => x(op, v)),
  fc
    .array(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 })
    .map((v) => x("InRegexp", v)),
  fc.constantFrom("Exists", "DoesNotExist", "", "IsTrue", "IsFalse").map((op) => x(op)),
  fc
    .tuple(fc.constantFrom("Gt", "Ge", "Lt", "Le"), fc.constantFrom(...INTS))
    .map(([op, v]) => x(op, [v])),
  fc
    .tuple(fc.constantFrom("Gt", "Ge", "Lt", "Le"), fc.constantFrom(...VERSIONS))
    .map(([op, v]) => x(op, [v], "version")),
  fc
    .tuple(
      fc.constantFrom("GtLt", "GeLe"),
      fc.uniqueArray(fc.constantFrom(...INTS), { minLength: 2, maxLength: 2 }),
    )
    .map(([op, v]) =>
      x(
        op,
        [...v].sort((a, b) => Number(a) - Number(b)),
      ),
    ),
  fc
    .tuple(
      fc.constantFrom("GtLt", "GeLe"),
      fc.constantFrom(...VERSIONS),
      fc.constantFrom(...VERSIONS),
    )
    .map(([op, a, b]) => x(op, [a, b], "version")),
);

export const term: fc.Arbitrary<FeatureMatcherTerm> = fc
  .record(
    {
      feature: fc.constantFrom(...FEATURES, "A.X", "no.such", "rule.matched"),
      matchExpressions: fc.dictionary(fc.constantFrom(...ELEMENTS, "v1", "v2"), expression, {
        maxKeys: 3,
      }),
      matchName: expression,
    },
    { requiredKeys: ["feature"] },
  )
  .map((t) => {
    const out: FeatureMatcherTerm = { feature: t.feature };
    if (t.matchExpressions)
      out.matchExpressions = Object.assign(Object.create(null) as object, t.matchExpressions);
    if (t.matchName) out.matchName = t.matchName;
    return out;
  });

export const rule: fc.Arbitrary<GroupRule> = fc
  .record(
    {
      name: fc.constantFrom("r1", "r2", "r3"),
      matchFeatures: fc.array(term, { maxLength: 3 }),
      matchAny: fc.array(
        fc.array(term, { maxLength: 2 }).map((m) => ({ matchFeatures: m })),
        { maxLength: 2 },
      ),
      vars: fc.dictionary(fc.constantFrom("v1", "v2", "k1"), value, { maxKeys: 2 }),
    },
    { requiredKeys: ["name"] },
  )
  .map((r) => ({ ...r }));

export const compatSet: fc.Arbitrary<CompatibilitySet> = fc.record(
  {
    rules: fc.array(rule, { maxLength: 3 }),
    tag: fc.constantFrom("", "t1", "t2"),
    weight: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: ["rules"] },
);

export const spec: fc.Arbitrary<Spec> = fc
  .array(compatSet, { minLength: 1, maxLength: 3 })
  .map((compatibilities) => ({ version: "v1alpha1", compatibilities }));

const attrs = fc.dictionary(element, value, { maxKeys: 4 });
const instances = fc.dictionary(fc.constantFrom(...FEATURES), fc.array(attrs, { maxLength: 5 }), {
  maxKeys: 3,
});
export const host: fc.Arbitrary<Features> = fc.oneof(
  fc
    .record({
      flags: fc.dictionary(
        fc.constantFrom(...FEATURES),
        fc.uniqueArray(element, { maxLength: 4 }),
        { maxKeys: 3 },
      ),
      attributes: fc.dictionary(fc.constantFrom(...FEATURES), attrs, { maxKeys: 3 }),
      instances,
    })
    .map((f) => buildFeatures(f)),
  // Instance-only features, where "one instance satisfies every expression" decides.
  instances.map((i) => buildFeatures({ instances: i })),
);

export const tags = fc.option(fc.array(fc.constantFrom("", "t1", "t2"), { maxLength: 2 }), {
  nil: undefined,
});

// ---- the reference: compat-spec read literally ----
