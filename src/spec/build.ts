// Builds the normalised Spec model from the YAML tree, with every structural check
// (required fields, types, unknown fields, ops, versions) and the structural lint
// warnings. Operator/value semantics are checked by src/rules.

import { isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import type { SpecPath } from "./diagnostic.js";
import {
  ANY_FIELDS,
  EXPR_FIELDS,
  FIELD_HOME,
  RULE_FIELDS,
  SET_FIELDS,
  SPEC_FIELDS,
  TERM_FIELDS,
  WEIGHT_MAX,
  WEIGHT_MIN,
} from "./known.js";
import { KNOWN_FEATURES, catalogueEntries } from "./catalogue.js";
import {
  OPS,
  SPEC_VERSION,
  type CompatibilitySet,
  type FeatureMatcherTerm,
  type GroupRule,
  type MatchAnyElem,
  type MatchExpression,
  type MatchExpressionSet,
  type Op,
  type Spec,
  type ValueType,
} from "./model.js";
import { kindOf, type Field, type Reader } from "./reader.js";
import { closest } from "./suggest.js";
import { quoted } from "../lib/text/untrusted.js";

const VALUE_TYPES: readonly ValueType[] = ["", "version"];

type Fields = Record<string, Field>;

function at(path: SpecPath, ...more: Array<string | number>): SpecPath {
  return [...path, ...more];
}

function typeHint(name: string, expected: string): string {
  if (expected === "a list") return `make ${name} a list: one "- " item per entry, or [a, b]`;
  if (expected.startsWith("a mapping")) return `make ${name} ${expected}: key: value pairs`;
  if (expected === "an integer") return `write ${name} as a whole number, e.g. 10`;
  return `write ${name} as ${expected} (quote it if needed)`;
}

function wrongType(
  r: Reader,
  node: Node | null,
  path: SpecPath,
  expected: string,
  name: string,
): void {
  r.report(
    "error",
    "wrong-type",
    `${name} must be ${expected}, not ${kindOf(node, r)}`,
    typeHint(name, expected),
    path,
    node,
  );
}

/** A mapping with the given fields, or undefined (reported) when the node is not one. */
function object(
  r: Reader,
  node: Node | null,
  path: SpecPath,
  known: readonly string[],
  what: string,
): Fields | undefined {
  if (node && isMap(node)) return r.fields(node as YAMLMap, path, known, what, FIELD_HOME);
  const expected =
    path.length === 0 ? "a mapping with version and compatibilities" : `a mapping (${what})`;
  wrongType(r, node, path, expected, describe(path));
  return undefined;
}

function describe(path: SpecPath): string {
  const last = path[path.length - 1];
  if (last === undefined) return "the spec";
  if (typeof last === "number")
    return `item ${last} of ${String(path[path.length - 2] ?? "the list")}`;
  return `"${last}"`;
}

/** A string field as Go reads it; undefined when absent or null. */
function str(r: Reader, f: Field | undefined, path: SpecPath): string | undefined {
  if (!f || f.value === null) return undefined;
  const n = f.value;
  if (isScalar(n)) {
    const text = r.scalar(n).text ?? undefined;
    warnIfChanged(r, n, path);
    return text;
  }
  wrongType(r, n, path, "a string", describe(path));
  return undefined;
}

/**
 * Outside value lists (where every unquoted non-string is flagged), warn only when Go's
 * reading changes the text: `tag: 1.10` is the tag "1.1", `name: 010` the name "8".
 */
function warnIfChanged(r: Reader, n: Node, path: SpecPath): void {
  if (!isScalar(n)) return;
  const s = r.scalar(n);
  if (s.plain && s.kind !== "string" && s.kind !== "null" && s.text !== s.source)
    warnUnquoted(r, s.source, s.text ?? "", s.kind, path, n);
}

/** The items of a list field; undefined when absent/null or (reported) not a list. */
function list(r: Reader, f: Field | undefined, path: SpecPath): Array<Node | null> | undefined {
  if (!f || f.value === null) return undefined;
  const n = f.value;
  if (isScalar(n) && r.scalar(n).kind === "null") return undefined;
  if (!isSeq(n)) {
    if (isScalar(n) && path[path.length - 1] === "value") {
      const text = r.scalar(n).text ?? "";
      r.report(
        "error",
        "wrong-type",
        `"value" must be a list, not ${kindOf(n, r)}`,
        `write value: [${JSON.stringify(text)}]`,
        path,
        n,
      );
    } else wrongType(r, n, path, "a list", describe(path));
    return undefined;
  }
  return n.items.map((item) => r.deref(item));
}

function isNull(r: Reader, f: Field | undefined): boolean {
  return !f || f.value === null || (isScalar(f.value) && r.scalar(f.value).kind === "null");
}

function missing(
  r: Reader,
  path: SpecPath,
  what: string,
  field: string,
  hint: string,
  node: Node | null,
): void {
  r.report("error", "missing-field", `${what} needs "${field}"`, hint, at(path, field), node);
}

export function buildSpec(r: Reader, root: Node | null): Spec | null {
  if (root === null || (isScalar(root) && r.scalar(root).kind === "null")) {
    r.report("error", "empty-spec", "the spec is empty", "start with: version: v1alpha1", [], root);
    return null;
  }
  const f = object(r, root, [], SPEC_FIELDS, "the spec");
  if (!f) return null;

  const version = str(r, f.version, ["version"]);
  if (version === undefined) {
    if (isNull(r, f.version))
      missing(r, [], "the spec", "version", `add version: ${SPEC_VERSION}`, f.version?.key ?? root);
  } else if (version !== SPEC_VERSION) {
    r.report(
      "error",
      "unsupported-version",
      `unsupported spec version ${quoted(String(version))}; kompat reads ${SPEC_VERSION}`,
      `set version: ${SPEC_VERSION}`,
      ["version"],
      f.version?.value,
    );
  }

  const compatibilities: CompatibilitySet[] = [];
  const sets = list(r, f.compatibilities, ["compatibilities"]);
  if (sets === undefined) {
    if (isNull(r, f.compatibilities))
      missing(
        r,
        [],
        "the spec",
        "compatibilities",
        "add a list of compatibility sets, each with rules",
        f.compatibilities?.key ?? root,
      );
  } else if (sets.length === 0) {
    r.report(
      "error",
      "no-compatibilities",
      "compatibilities is empty: the spec says nothing about the host",
      "add at least one compatibility set with rules",
      ["compatibilities"],
      f.compatibilities?.value,
    );
  }
  (sets ?? []).forEach((node, i) => {
    const set = buildSet(r, node, ["compatibilities", i]);
    if (set) compatibilities.push(set);
  });
  return { version: version ?? "", compatibilities };
}

function buildSet(r: Reader, node: Node | null, path: SpecPath): CompatibilitySet | undefined {
  const f = object(r, node, path, SET_FIELDS, "a compatibility set");
  if (!f) return undefined;
  const set: CompatibilitySet = { rules: [] };
  const rules = list(r, f.rules, at(path, "rules"));
  if (rules === undefined) {
    if (isNull(r, f.rules))
      missing(
        r,
        path,
        "a compatibility set",
        "rules",
        "add rules: [...] (all must match for the set to match)",
        f.rules?.key ?? node,
      );
  } else if (rules.length === 0) {
    // compat-spec §1 makes `rules` required, not non-empty: `rules: []` is a deliberate
    // (if odd) "matches every node" set, so it is accepted with a warning; a missing or
    // null `rules` is an error.
    r.report(
      "warning",
      "empty-rules",
      "this compatibility set has no rules, so it matches every node",
      "add the rules this environment needs",
      at(path, "rules"),
      f.rules?.value,
    );
  }
  (rules ?? []).forEach((n, i) => {
    const rule = buildRule(r, n, at(path, "rules", i));
    if (rule) set.rules.push(rule);
  });
  const weight = readWeight(r, f.weight, at(path, "weight"));
  if (weight !== undefined) set.weight = weight;
  const tag = str(r, f.tag, at(path, "tag"));
  if (tag !== undefined) set.tag = tag;
  const description = str(r, f.description, at(path, "description"));
  if (description !== undefined) set.description = description;
  return set;
}

/** `weight` is a Go int filled from JSON: integral numbers only, within int64. */
function readWeight(r: Reader, f: Field | undefined, path: SpecPath): number | undefined {
  if (!f || f.value === null) return undefined;
  const n = f.value;
  const s = isScalar(n) ? r.scalar(n) : undefined;
  if (s?.kind === "null") return undefined;
  let v: bigint | undefined;
  if (s?.kind === "int" && s.int !== undefined && !s.unsigned) v = s.int;
  // A YAML float with an integral value is written to JSON without a fraction (5.0 -> 5),
  // which Go then accepts as an int.
  if (
    s?.kind === "float" &&
    s.float !== undefined &&
    Number.isInteger(s.float) &&
    Math.abs(s.float) < 2 ** 63
  )
    v = BigInt(s.float);
  if (v === undefined) {
    wrongType(r, n, path, "an integer", '"weight"');
    return undefined;
  }
  if (v < BigInt(WEIGHT_MIN) || v > BigInt(WEIGHT_MAX))
    r.report(
      "warning",
      "weight-range",
      `weight ${v} is outside ${WEIGHT_MIN}..${WEIGHT_MAX}, the range of Kubernetes node-affinity weights`,
      `use a weight from ${WEIGHT_MIN} to ${WEIGHT_MAX}`,
      path,
      n,
    );
  return Number(v);
}

function buildRule(r: Reader, node: Node | null, path: SpecPath): GroupRule | undefined {
  const f = object(r, node, path, RULE_FIELDS, "a rule");
  if (!f) return undefined;
  const name = str(r, f.name, at(path, "name"));
  if (name === undefined && isNull(r, f.name))
    missing(
      r,
      path,
      "a rule",
      "name",
      "add name: <what this rule checks> (shown in reports)",
      f.name?.key ?? node,
    );
  else if (name === "")
    r.report(
      "error",
      "missing-field",
      "a rule needs a non-empty name",
      "name the rule (shown in reports)",
      at(path, "name"),
      f.name?.value,
    );
  const rule: GroupRule = { name: name ?? "" };

  if (!isNull(r, f.vars)) {
    const vars = readVars(r, f.vars?.value ?? null, at(path, "vars"));
    if (vars) rule.vars = vars;
  }
  const tmpl = str(r, f.varsTemplate, at(path, "varsTemplate"));
  if (tmpl !== undefined) rule.varsTemplate = tmpl;
  const terms = readTerms(r, f.matchFeatures, at(path, "matchFeatures"));
  if (terms) rule.matchFeatures = terms;

  const any = list(r, f.matchAny, at(path, "matchAny"));
  if (any) {
    rule.matchAny = [];
    any.forEach((n, i) => {
      const p = at(path, "matchAny", i);
      const af = object(r, n, p, ANY_FIELDS, "a matchAny item");
      if (!af) return;
      const elem: MatchAnyElem = {
        matchFeatures: readTerms(r, af.matchFeatures, at(p, "matchFeatures")) ?? [],
      };
      if (isNull(r, af.matchFeatures))
        missing(
          r,
          p,
          "a matchAny item",
          "matchFeatures",
          "write each matchAny item as {matchFeatures: [...]}",
          af.matchFeatures?.key ?? n,
        );
      rule.matchAny?.push(elem);
    });
  }
  return rule;
}

function readVars(
  r: Reader,
  node: Node | null,
  path: SpecPath,
): Record<string, string> | undefined {
  if (!node || !isMap(node)) {
    wrongType(r, node, path, "a mapping of names to strings", '"vars"');
    return undefined;
  }
  const vars = Object.create(null) as Record<string, string>;
  for (const { key, keyNode, value } of r.entries(node as YAMLMap, path)) {
    const p = at(path, key);
    warnIfChanged(r, keyNode, p);
    if (value === null) vars[key] = "";
    else if (isScalar(value)) {
      vars[key] = r.scalar(value).text ?? "";
      warnIfChanged(r, value, p);
    } else wrongType(r, value, p, "a string", `vars ${quoted(key)}`);
  }
  return vars;
}

function readTerms(
  r: Reader,
  f: Field | undefined,
  path: SpecPath,
): FeatureMatcherTerm[] | undefined {
  const items = list(r, f, path);
  if (!items) return undefined;
  const terms: FeatureMatcherTerm[] = [];
  items.forEach((n, i) => {
    const t = buildTerm(r, n, at(path, i));
    if (t) terms.push(t);
  });
  return terms;
}

function buildTerm(r: Reader, node: Node | null, path: SpecPath): FeatureMatcherTerm | undefined {
  const f = object(r, node, path, TERM_FIELDS, "a feature term");
  if (!f) return undefined;
  const feature = str(r, f.feature, at(path, "feature"));
  if (feature === undefined || feature === "") {
    if (isNull(r, f.feature) || feature === "")
      missing(
        r,
        path,
        "a feature term",
        "feature",
        "add feature: <domain>.<name>, e.g. kernel.loadedmodule",
        f.feature?.key ?? node,
      );
  } else {
    checkFeatureName(r, feature, at(path, "feature"), f.feature?.value ?? null);
  }
  const term: FeatureMatcherTerm = { feature: feature ?? "" };
  if (!isNull(r, f.matchExpressions)) {
    const set = readExpressionSet(
      r,
      f.matchExpressions?.value ?? null,
      at(path, "matchExpressions"),
      feature,
    );
    if (set) term.matchExpressions = set;
  }
  if (!isNull(r, f.matchName)) {
    const e = buildExpression(r, f.matchName?.value ?? null, at(path, "matchName"));
    if (e) term.matchName = e;
  }
  return term;
}

function checkFeatureName(r: Reader, feature: string, path: SpecPath, node: Node | null): void {
  const lower = feature.toLowerCase();
  if (KNOWN_FEATURES.includes(lower)) return;
  const guess = closest(lower, KNOWN_FEATURES);
  r.report(
    "warning",
    "unknown-feature",
    `no NFD source provides the feature ${quoted(feature)}; the term will never match`,
    guess
      ? `did you mean "${guess}"?`
      : `features are <domain>.<name>, e.g. ${KNOWN_FEATURES.slice(0, 4).join(", ")}`,
    path,
    node,
  );
}

function readExpressionSet(
  r: Reader,
  node: Node | null,
  path: SpecPath,
  feature: string | undefined,
): MatchExpressionSet | undefined {
  if (!node || !isMap(node)) {
    wrongType(r, node, path, "a mapping of element names to expressions", '"matchExpressions"');
    return undefined;
  }
  const set = Object.create(null) as MatchExpressionSet;
  const modules =
    feature !== undefined && catalogueEntries(feature).some((f) => f.moduleNames === true);
  for (const { key, keyNode, value } of r.entries(node as YAMLMap, path)) {
    const p = at(path, key);
    warnIfChanged(r, keyNode, p);
    if (modules && key.includes("-")) {
      const fixed = key.replace(/-/g, "_");
      r.report(
        "warning",
        "module-dash",
        `kernel module ${quoted(key)} never matches: /proc/modules lists it as "${fixed}"`,
        `write ${fixed}`,
        p,
        keyNode,
      );
    }
    const e = buildExpression(r, value, p);
    if (e) set[key] = e;
  }
  return set;
}

function buildExpression(
  r: Reader,
  node: Node | null,
  path: SpecPath,
): MatchExpression | undefined {
  if (node === null || (isScalar(node) && r.scalar(node).kind === "null")) {
    r.report(
      "error",
      "wrong-type",
      `${describe(path)} has no expression`,
      'write an expression such as {op: Exists} or {op: In, value: ["x"]}',
      path,
    );
    return undefined;
  }
  const f = object(r, node, path, EXPR_FIELDS, "an expression");
  if (!f) return undefined;
  let ok = true;

  const op = str(r, f.op, at(path, "op"));
  if (op === undefined) {
    ok = false;
    if (isNull(r, f.op))
      missing(
        r,
        path,
        "an expression",
        "op",
        `add op: one of ${OPS.filter((o) => o !== "").join(", ")} (or "" for always)`,
        f.op?.key ?? node,
      );
  } else if (!(OPS as readonly string[]).includes(op)) {
    ok = false;
    const exact = OPS.find((o) => o.toLowerCase() === op.toLowerCase() && o !== "");
    const guess = exact ?? closest(op, OPS);
    r.report(
      "error",
      "unknown-op",
      `unknown op ${quoted(op)}`,
      `${guess ? `did you mean "${guess}"? ` : ""}ops are ${OPS.filter((o) => o !== "").join(", ")} and ""`,
      at(path, "op"),
      f.op?.value,
    );
  }

  const value: string[] = [];
  const items = list(r, f.value, at(path, "value"));
  (items ?? []).forEach((n, i) => {
    const p = at(path, "value", i);
    if (n === null) {
      value.push("");
      return;
    }
    if (!isScalar(n)) {
      ok = false;
      wrongType(r, n, p, "a string", `value item ${i}`);
      return;
    }
    const s = r.scalar(n);
    value.push(s.text ?? "");
    if (s.plain && s.kind !== "string" && s.kind !== "timestamp")
      warnUnquoted(r, s.source, s.text ?? "", s.kind, p, n);
  });

  let type: ValueType = "";
  const t = str(r, f.type, at(path, "type"));
  if (t !== undefined) {
    if ((VALUE_TYPES as readonly string[]).includes(t)) type = t as ValueType;
    else {
      ok = false;
      r.report(
        "error",
        "unknown-type",
        `unknown type ${quoted(t)}`,
        'type is "version" (compare as versions) or omitted (compare as integers)',
        at(path, "type"),
        f.type?.value,
      );
    }
  }
  return ok ? { op: op as Op, value, type } : undefined;
}

function warnUnquoted(
  r: Reader,
  source: string,
  text: string,
  kind: string,
  path: SpecPath,
  node: Node,
): void {
  const shown = source === "" ? "an empty value" : `\`${source}\``;
  const what = kind === "null" ? "null" : kind === "bool" ? "a boolean" : "a number";
  const message =
    source === text
      ? `${shown} is ${what} in YAML 1.1, read as the string "${text}"; quote it`
      : `${shown} is read as "${text}"; quote it`;
  r.report(
    "warning",
    "unquoted-scalar",
    message,
    `write "${source}" to keep the text as written`,
    path,
    node,
  );
}
