// nfd-master's evaluation of NodeFeatureRules (processNodeFeatureRule), emulated with
// kompat's own engine for the equivalence tests: objects sorted by name, their rules in
// order, each rule's labels and vars inserted into ONE rule.matched feature shared by all
// later rules, unprefixed label keys given feature.node.kubernetes.io/. kompat's engine
// keeps rule.matched to itself, so the shared one is handed to it as an ordinary
// attribute feature under another name, and the rules' rule.matched terms point there.

import type { Features } from "../../src/features/nodefeatures.js";
import type { FeatureMatcherTerm, MatchExpression, Spec } from "../../src/spec/model.js";
import { verdict } from "../../src/rules/index.js";
import type { NfrExpression, NfrRule, NfrTerm, NodeFeatureRule } from "../../src/k8s/rule.js";

const SHARED = "kompat-test.shared";

function expr(e: NfrExpression): MatchExpression {
  return {
    op: e.op as MatchExpression["op"],
    value: e.value ?? [],
    type: (e.type ?? "") as MatchExpression["type"],
  };
}

function term(t: NfrTerm): FeatureMatcherTerm {
  const out: FeatureMatcherTerm = { feature: t.feature === "rule.matched" ? SHARED : t.feature };
  if (t.matchExpressions) {
    const m = Object.create(null) as Record<string, MatchExpression>;
    for (const [k, v] of Object.entries(t.matchExpressions)) m[k] = expr(v);
    out.matchExpressions = m;
  }
  if (t.matchName) out.matchName = expr(t.matchName);
  return out;
}

function matches(rule: NfrRule, features: Features): boolean {
  const spec: Spec = {
    version: "v1alpha1",
    compatibilities: [
      {
        rules: [
          {
            name: rule.name,
            ...(rule.matchFeatures ? { matchFeatures: rule.matchFeatures.map(term) } : {}),
            ...(rule.matchAny
              ? {
                  matchAny: rule.matchAny.map((a) => ({
                    matchFeatures: a.matchFeatures.map(term),
                  })),
                }
              : {}),
          },
        ],
      },
    ],
  };
  return verdict(spec, features).compatible;
}

/**
 * The labels nfd-master would put on a node with these features. `before`: what rules of
 * other NodeFeatureRules (sorted earlier) already put into rule.matched.
 */
export function nfdMasterLabels(
  objects: NodeFeatureRule[],
  node: Features,
  before?: Record<string, string>,
): Record<string, string> {
  const shared: Record<string, string> | undefined = before ? { ...before } : undefined;
  const labels: Record<string, string> = {};
  const sorted = [...objects].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  let view = withShared(node, shared);
  let sharedNow = shared;
  for (const o of sorted) {
    for (const r of o.spec.rules) {
      const ok = matches(r, view);
      // InsertAttributeFeatures creates rule.matched even from a rule that did not match.
      sharedNow ??= {};
      if (ok) {
        for (const [k, v] of Object.entries(r.labels ?? {})) {
          labels[k.includes("/") ? k : `feature.node.kubernetes.io/${k}`] = v;
          sharedNow[k] = v;
        }
        for (const [k, v] of Object.entries(r.vars ?? {})) sharedNow[k] = v;
      }
      view = withShared(node, sharedNow);
    }
  }
  return labels;
}

function withShared(f: Features, shared: Record<string, string> | undefined): Features {
  if (shared === undefined) return f;
  const attributes = Object.create(null) as Features["attributes"];
  Object.assign(attributes, f.attributes);
  attributes[SHARED] = { elements: shared };
  return { ...f, attributes };
}
