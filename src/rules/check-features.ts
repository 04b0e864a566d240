// Lints that need to know what NFD's sources discover (the catalogue, spec/catalogue.ts):
// value ops on flag features. (Dashed module names are the spec layer's lint.)

import type { Diagnostic } from "../spec/diagnostic.js";
import type { FeatureMatcherTerm } from "../spec/model.js";
import { CATALOGUE_FEATURES, catalogueEntries } from "../spec/catalogue.js";

type Path = Array<string | number>;

/** Flag features by name, with the attribute elements some of them also have (cpu.cpuid). */
const FLAG_FEATURES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  CATALOGUE_FEATURES.filter((f) => f.kind === "flags").map((f) => [
    f.name,
    new Set(
      catalogueEntries(f.name).flatMap((e) => (e.kind === "attributes" ? (e.elements ?? []) : [])),
    ),
  ]),
);
const VALUE_OPS: ReadonlySet<string> = new Set([
  "In",
  "NotIn",
  "InRegexp",
  "Gt",
  "Ge",
  "Lt",
  "Le",
  "GtLt",
  "GeLe",
  "IsTrue",
  "IsFalse",
]);

export function checkTermKnowledge(t: FeatureMatcherTerm, path: Path, out: Diagnostic[]): void {
  const feature = t.feature.toLowerCase();
  const attributes = FLAG_FEATURES.get(feature);
  if (attributes === undefined || t.matchExpressions === undefined) return;
  for (const [name, e] of Object.entries(t.matchExpressions)) {
    const at = [...path, "matchExpressions", name];
    if (VALUE_OPS.has(e.op) && !attributes.has(name)) {
      out.push({
        severity: "warning",
        code: "value-op-on-flag",
        message: `${t.feature} ${name} is a flag: flags have no value, so op ${e.op} never holds`,
        hint:
          e.op === "NotIn"
            ? "use DoesNotExist to require its absence"
            : "use Exists (or matchName to match flag names)",
        path: [...at, "op"],
      });
    }
  }
}
