// Semantic checks of a parsed spec (compat-spec §4, §5): everything NFD would only notice
// while evaluating, found before any host is seen. Diagnostics carry paths; loadSpec adds
// file positions.

import type { Diagnostic } from "../spec/diagnostic.js";
import type { FeatureMatcherTerm, GroupRule, Spec } from "../spec/model.js";
import { parseTemplate, TemplateError } from "../lib/gotemplate/index.js";
import { BACKREF_FEATURE, templateSizeProblem } from "./vars.js";
import { checkTermKnowledge } from "./check-features.js";
import { checkExpression } from "./expression-check.js";
import { quoted } from "../lib/text/untrusted.js";

type Path = Array<string | number>;

function checkTerms(terms: readonly FeatureMatcherTerm[], at: Path, out: Diagnostic[]): void {
  terms.forEach((t, k) => {
    checkTermKnowledge(t, [...at, k], out);
    const me = t.matchExpressions;
    if (me !== undefined) {
      for (const name of Object.keys(me)) {
        const e = me[name];
        if (e === undefined) continue;
        for (const p of checkExpression(e)) {
          const path = [...at, k, "matchExpressions", name, ...p.at];
          out.push({
            severity: p.severity,
            code: p.code,
            message: `${t.feature} ${name}: ${p.message}`,
            hint: p.hint,
            path,
          });
        }
      }
    }
    if (t.matchName !== undefined) {
      for (const p of checkExpression(t.matchName)) {
        const path = [...at, k, "matchName", ...p.at];
        out.push({
          severity: p.severity,
          code: p.code,
          message: `${t.feature} matchName: ${p.message}`,
          hint: p.hint,
          path,
        });
      }
    }
  });
}

function templateDiagnostic(source: string, path: Path): Diagnostic | undefined {
  const tooLarge = templateSizeProblem(source);
  if (tooLarge !== undefined) {
    return {
      severity: "error",
      code: "template-too-large",
      message: tooLarge,
      hint: "split the work over several rules or publish static vars",
      path,
    };
  }
  try {
    parseTemplate(source);
    return undefined;
  } catch (e) {
    let message = e instanceof Error ? e.message : String(e);
    if (e instanceof TemplateError && e.line !== undefined) {
      message = message.replace(/^template: (?:[^:]*:)?\d+(?::\d+)?: /, "");
      message = `template line ${e.line}${e.col === undefined ? "" : `, col ${e.col}`}: ${message}`;
    }
    return {
      severity: "error",
      code: "invalid-template",
      message: `varsTemplate does not parse: ${message}`,
      hint: "varsTemplate is a Go text/template printing key=value lines",
      path,
    };
  }
}

function checkVars(r: GroupRule, at: Path, out: Diagnostic[]): void {
  if (r.vars === undefined) return;
  for (const key of Object.keys(r.vars)) {
    if (key !== "" && !key.includes("=")) continue;
    out.push({
      severity: "error",
      code: "invalid-var-name",
      message:
        key === "" ? "a variable name is empty" : `variable name ${quoted(key)} contains "="`,
      hint: "name variables like attributes: letters, digits, '-', '_', '.'",
      path: [...at, "vars", key],
    });
  }
}

function termsOf(r: GroupRule, at: Path): Array<[FeatureMatcherTerm, Path]> {
  const out: Array<[FeatureMatcherTerm, Path]> = [];
  r.matchFeatures?.forEach((t, k) => out.push([t, [...at, "matchFeatures", k]]));
  r.matchAny?.forEach((m, i) =>
    m.matchFeatures.forEach((t, k) => out.push([t, [...at, "matchAny", i, "matchFeatures", k]])),
  );
  return out;
}

/**
 * rule.matched only holds what earlier rules of the same set publish: a term on it in the
 * first rule never holds, nor does an expression needing a variable no earlier rule can set.
 */
function checkBackrefs(rules: readonly GroupRule[], at: Path, out: Diagnostic[]): void {
  const published = new Set<string>();
  let templated = false; // a varsTemplate may publish any name
  rules.forEach((r, j) => {
    for (const [t, path] of termsOf(r, [...at, j])) {
      if (t.feature.toLowerCase() !== BACKREF_FEATURE) continue;
      if (j === 0) {
        out.push({
          severity: "warning",
          code: "backref-in-first-rule",
          message: `${t.feature} is empty before the first rule has run, so this term never holds`,
          hint: "move the rule that publishes the variable before this one",
          path: [...path, "feature"],
        });
        continue;
      }
      if (templated || t.matchExpressions === undefined) continue;
      for (const [name, e] of Object.entries(t.matchExpressions)) {
        if (published.has(name) || e.op === "DoesNotExist" || e.op === "") continue;
        out.push({
          severity: "warning",
          code: "backref-never-published",
          message: `no earlier rule of this set publishes the variable ${quoted(name)}, so this expression never holds`,
          hint: "publish it with vars (or varsTemplate) in an earlier rule, or fix the name",
          path: [...path, "matchExpressions", name],
        });
      }
    }
    for (const k of Object.keys(r.vars ?? {})) published.add(k);
    if (r.varsTemplate) templated = true;
  });
}

/** Semantic checks of a spec; diagnostics have paths but no positions. */
export function checkSpec(spec: Spec): Diagnostic[] {
  const out: Diagnostic[] = [];
  spec.compatibilities.forEach((set, i) => {
    const setPath: Path = ["compatibilities", i, "rules"];
    set.rules.forEach((r, j) => {
      const at: Path = [...setPath, j];
      if (r.matchFeatures) checkTerms(r.matchFeatures, [...at, "matchFeatures"], out);
      r.matchAny?.forEach((m, a) =>
        checkTerms(m.matchFeatures, [...at, "matchAny", a, "matchFeatures"], out),
      );
      checkVars(r, at, out);
      if (r.varsTemplate !== undefined && r.varsTemplate !== "") {
        const d = templateDiagnostic(r.varsTemplate, [...at, "varsTemplate"]);
        if (d) out.push(d);
      }
    });
    checkBackrefs(set.rules, setPath, out);
  });
  return out;
}
