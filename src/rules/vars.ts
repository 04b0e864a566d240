// `vars` and `varsTemplate` (compat-spec §5): the data a template sees, and how its output
// becomes variables.

import { attrsOf, str, type CompiledTerm, type FeatureView } from "./term.js";
import { compareStrings, trimSpace } from "../lib/go/strings.js";
import { RULE_MATCHED_FEATURE } from "../spec/catalogue.js";
import { quoted } from "../lib/text/untrusted.js";
import type { StepBudget } from "../lib/gotemplate/index.js";

/** The special feature through which rules see variables published by earlier rules. */
export const BACKREF_FEATURE = RULE_MATCHED_FEATURE;
/** NFD's cap on a varsTemplate (bytes). */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

/** Why NFD would refuse this varsTemplate for its size; undefined when it is small enough. */
export function templateSizeProblem(source: string): string | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most templates need no encoding to know.
  if (source.length * 3 <= MAX_TEMPLATE_BYTES) return undefined;
  const bytes = new TextEncoder().encode(source).length;
  if (bytes <= MAX_TEMPLATE_BYTES) return undefined;
  return `varsTemplate is ${bytes} bytes; NFD refuses templates over ${MAX_TEMPLATE_BYTES} bytes`;
}

/** One matched element as NFD hands it to templates: {Name}, {Name, Value} or an instance's attributes. */
export type MatchedElement = Readonly<Record<string, string>>;
/** `.<domain>.<name>` → matched elements; domain and name split from the feature as written. */
export type TemplateData = Record<string, Record<string, MatchedElement[]>>;

function element(name: string, value?: string): MatchedElement {
  const e = Object.create(null) as Record<string, string>;
  e["Name"] = name;
  if (value !== undefined) e["Value"] = value;
  return e;
}

function byName(a: MatchedElement, b: MatchedElement): number {
  return compareStrings(a["Name"] ?? "", b["Name"] ?? "");
}

/** NFD's split of the feature as written: "Kernel.LoadedModule" → ["Kernel", "LoadedModule"]. */
function templateKey(feature: string): [string, string] {
  const dot = feature.indexOf(".");
  return dot < 0 ? [feature.toLowerCase(), ""] : [feature.slice(0, dot), feature.slice(dot + 1)];
}

/**
 * The elements a term matched, in NFD's order: flag/attribute matches sorted by name,
 * matching instances in discovery order, then matchName matches. Called only for terms of a
 * matcher that held, so the feature exists.
 */
export function matchedElements(
  t: CompiledTerm,
  f: FeatureView,
  budget?: StepBudget,
): MatchedElement[] {
  const out: MatchedElement[] = [];
  const { flags, attrs, insts } = f;
  if (t.exprs !== undefined) {
    const kv: MatchedElement[] = [];
    for (const e of t.exprs) {
      if (flags !== undefined) {
        const r = Object.hasOwn(flags, e.name) ? e.expr.onFlag() : e.expr.onMissing();
        if (r === true) kv.push(element(e.name));
        else if (e.doesNotExist) continue; // NFD skips the attribute side then
      }
      if (attrs !== undefined) {
        const has = Object.hasOwn(attrs, e.name);
        const v = has ? str(attrs[e.name]) : "";
        const r = has ? e.expr.onValue(v, budget) : e.expr.onMissing();
        if (r === true) kv.push(element(e.name, v));
      }
    }
    kv.sort(byName); // stable: a flag stays before the attribute of the same name
    out.push(...kv);
    for (const inst of insts ?? []) {
      const a = attrsOf(inst);
      const all = t.exprs.every((e) =>
        Object.hasOwn(a, e.name)
          ? e.expr.onValue(str(a[e.name]), budget) === true
          : e.expr.onMissing() === true,
      );
      if (all) out.push(a);
    }
  }
  if (t.matchName !== undefined) {
    const mn = t.matchName.expr;
    const kv: MatchedElement[] = [];
    if (flags !== undefined)
      for (const k of Object.keys(flags)) if (mn.onValue(k, budget) === true) kv.push(element(k));
    if (attrs !== undefined) {
      for (const k of Object.keys(attrs))
        if (mn.onValue(k, budget) === true) kv.push(element(k, str(attrs[k])));
    }
    kv.sort(byName);
    out.push(...kv);
    for (const inst of insts ?? []) {
      if (Object.keys(inst.attributes).some((k) => mn.onValue(k, budget) === true))
        out.push(inst.attributes);
    }
  }
  return out;
}

/** The data for one template run over a matcher's terms; its building is charged to `budget`. */
export function templateData(
  terms: readonly CompiledTerm[],
  resolve: (t: CompiledTerm) => FeatureView | undefined,
  budget?: StepBudget,
): TemplateData {
  const data = Object.create(null) as TemplateData;
  for (const t of terms) {
    const [dom, nam] = templateKey(t.feature);
    const d = Object.hasOwn(data, dom)
      ? (data[dom] as Record<string, MatchedElement[]>)
      : (data[dom] = Object.create(null) as Record<string, MatchedElement[]>);
    const f = resolve(t);
    const elems = f === undefined ? [] : matchedElements(t, f, budget);
    if (budget !== undefined) budget.remaining -= elems.length;
    const prev = Object.hasOwn(d, nam) ? d[nam] : undefined;
    d[nam] = prev === undefined ? elems : prev.concat(elems);
  }
  return data;
}

/** Splits template output into variables: trimmed `key=value` lines, empty lines skipped. */
export function parseVarsOutput(text: string, into: Record<string, string>): string | undefined {
  for (const line of text.split("\n")) {
    const item = trimSpace(line);
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) {
      return `varsTemplate output line ${quoted(item)} has no "=" (each line must be key=value)`;
    }
    into[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return undefined;
}
