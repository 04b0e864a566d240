// Every feature a spec's terms name (as written), e.g. to discover only what it needs.
import type { Spec, FeatureMatcherTerm } from "./model.js";

export function specFeatures(spec: Spec): Set<string> {
  const out = new Set<string>();
  const add = (terms: FeatureMatcherTerm[] | undefined) => {
    for (const t of terms ?? []) out.add(t.feature);
  };
  for (const set of spec.compatibilities) {
    for (const rule of set.rules) {
      add(rule.matchFeatures);
      for (const any of rule.matchAny ?? []) add(any.matchFeatures);
    }
  }
  return out;
}
