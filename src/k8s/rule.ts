// A spec as one NodeFeatureRule: nfd-master then puts one label per compatibility set on
// exactly the nodes where validate-node says the set matches, re-evaluating as features
// change. nfd-master's semantics are not the compat client's, and the rewrite bridges them:
//
// * nfd-master evaluates every rule of every NodeFeatureRule in one sequence, with one
//   rule.matched feature shared by all of them (labels and vars of each matched rule go
//   in). kompat's vars get a prefix of their own (kompat.<id>.s<N>.v.<name>) and every
//   rule.matched expression of the spec is renamed the same way, so no other rule can
//   see or shadow them.
// * A set needs all its rules: rule i>1 also requires that rule i-1 matched (a marker var
//   kompat.<id>.s<N>.r<i-1>), and the set's last rule sets the label. So rule.matched
//   exists whenever a rule i>1 runs, as it does in the compat client.
// * The first rule of a set sees no rule.matched in the compat client; its rule.matched
//   expressions have a fixed result, worked out here with kompat's engine.
// * nfd-master's matchAny stops at the first matching element (fail-fast): the same
//   truth value. varsTemplate output cannot be renamed: a template whose vars a later
//   rule reads is refused; otherwise it is left out (only matching matters here).

import { emptyFeatures } from "../features/nodefeatures.js";
import type {
  CompatibilitySet,
  FeatureMatcherTerm,
  GroupRule,
  MatchExpression,
  Spec,
} from "../spec/model.js";
import { SPEC_VERSION } from "../spec/model.js";
import { verdict } from "../rules/index.js";
import { RULE_MATCHED_FEATURE as BACKREF_FEATURE } from "../spec/catalogue.js";
import { imageId, LABEL_NS, LABEL_VALUE, setLabel } from "./labels.js";
import { NFD_GROUP, NFD_VERSION } from "./nodefeatures.js";

export interface NfrExpression {
  op: string;
  value?: string[];
  type?: string;
}
export interface NfrTerm {
  feature: string;
  matchExpressions?: Record<string, NfrExpression>;
  matchName?: NfrExpression;
}
export interface NfrRule {
  name: string;
  labels?: Record<string, string>;
  vars?: Record<string, string>;
  matchFeatures?: NfrTerm[];
  matchAny?: Array<{ matchFeatures: NfrTerm[] }>;
}
export interface NodeFeatureRule {
  apiVersion: string;
  kind: "NodeFeatureRule";
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { rules: NfrRule[] };
}

export interface RuleSource {
  /** The image's subject digest (`sha256:…`); else the spec's own digest names the rule. */
  subjectDigest?: string | undefined;
  specDigest: string;
  image?: string | undefined;
  subject?: string | undefined;
  artifactDigest?: string | undefined;
}

export interface NodeFeatureRuleResult {
  rule: NodeFeatureRule;
  /** Set number (from 1) → its label key. */
  labels: Map<number, string>;
  /** Things the user should know (a set that can never match, a template left out). */
  notes: string[];
}

export class RuleRewriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuleRewriteError";
  }
}

export const MANAGED_BY = "kompat";

/** The object's name: from the subject digest, so a new spec for the same image replaces it. */
export function nodeFeatureRuleName(src: RuleSource): string {
  const d = src.subjectDigest ?? src.specDigest;
  return `kompat-${d.replace(/^sha256:/, "")}`;
}

export function nodeFeatureRuleFor(
  spec: Spec,
  src: RuleSource,
  opts: { tags?: string[] | undefined } = {},
): NodeFeatureRuleResult {
  const id = imageId(src.subjectDigest ?? src.specDigest);
  const rules: NfrRule[] = [];
  const labels = new Map<number, string>();
  const notes: string[] = [];
  spec.compatibilities.forEach((set, index) => {
    if (opts.tags && !opts.tags.includes(set.tag ?? "")) return;
    const label = setLabel(id, index);
    labels.set(index + 1, label);
    const out = setRules(set, index, id, label, notes);
    rules.push(...out);
  });
  const annotations: Record<string, string> = { [`${LABEL_NS}/spec-digest`]: src.specDigest };
  if (src.image) annotations[`${LABEL_NS}/image`] = src.image;
  if (src.subject) annotations[`${LABEL_NS}/subject`] = src.subject;
  if (src.artifactDigest) annotations[`${LABEL_NS}/artifact-digest`] = src.artifactDigest;
  return {
    rule: {
      apiVersion: `${NFD_GROUP}/${NFD_VERSION}`,
      kind: "NodeFeatureRule",
      metadata: {
        name: nodeFeatureRuleName(src),
        labels: { "app.kubernetes.io/managed-by": MANAGED_BY },
        annotations,
      },
      spec: { rules },
    },
    labels,
    notes,
  };
}

function isBackref(t: FeatureMatcherTerm): boolean {
  return t.feature.toLowerCase() === BACKREF_FEATURE;
}

function setRules(
  set: CompatibilitySet,
  index: number,
  id: string,
  label: string,
  notes: string[],
): NfrRule[] {
  const n = index + 1;
  const where = `set ${n}`;
  const prefix = `kompat.${id}.s${n}`;
  const marker = (i: number) => `${prefix}.r${i}`;
  const varKey = (name: string) => `${prefix}.v.${name}`;
  const last = set.rules.length;
  if (last === 0)
    return [{ name: `kompat ${id} set ${n}: (no rules)`, labels: { [label]: LABEL_VALUE } }];
  const out: NfrRule[] = [];
  for (const [i, r] of set.rules.entries()) {
    const ruleNo = i + 1;
    const what = `${where} rule ${ruleNo} ${JSON.stringify(r.name)}`;
    const readsLater = set.rules.slice(i + 1).some((later) => readsBackref(later));
    if (r.varsTemplate !== undefined && r.varsTemplate !== "") {
      if (readsLater)
        throw new RuleRewriteError(
          `${what}: its varsTemplate publishes variables that a later rule reads from rule.matched; ` +
            `nfd-master shares rule.matched between all NodeFeatureRules and a template's output cannot be renamed safely ` +
            `(publish them with vars instead)`,
        );
      notes.push(`${what}: varsTemplate left out (no later rule reads its output)`);
    }
    let matchFeatures: NfrTerm[] | undefined;
    let matchAny: Array<{ matchFeatures: NfrTerm[] }> | undefined;
    if (i === 0) {
      // No rule.matched yet in the compat client: those terms have a fixed result.
      const fixed = firstRule(r, what, id);
      if (fixed === "never") {
        notes.push(
          `${what} can never match (it reads rule.matched before any rule published to it): set ${n} gets no label`,
        );
        return [];
      }
      ({ matchFeatures, matchAny } = fixed);
    } else {
      matchFeatures = (r.matchFeatures ?? []).map((t) => term(t, what, varKey));
      matchAny = r.matchAny?.map((a) => ({
        matchFeatures: a.matchFeatures.map((t) => term(t, what, varKey)),
      }));
      matchFeatures.push({
        feature: BACKREF_FEATURE,
        matchExpressions: { [marker(i)]: { op: "Exists" } },
      });
    }
    const rule: NfrRule = { name: `kompat ${id} set ${n} rule ${ruleNo}: ${r.name}` };
    if (ruleNo === last) rule.labels = { [label]: LABEL_VALUE };
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.vars ?? {})) vars[varKey(k)] = v;
    if (ruleNo !== last) vars[marker(ruleNo)] = "true";
    if (Object.keys(vars).length > 0) rule.vars = vars;
    if (matchFeatures && matchFeatures.length > 0) rule.matchFeatures = matchFeatures;
    if (matchAny) rule.matchAny = matchAny;
    out.push(rule);
  }
  return out;
}

function readsBackref(r: GroupRule): boolean {
  return [...(r.matchFeatures ?? []), ...(r.matchAny ?? []).flatMap((a) => a.matchFeatures)].some(
    isBackref,
  );
}

/** The first rule of a set, its rule.matched terms replaced by their fixed result. */
function firstRule(
  r: GroupRule,
  what: string,
  id: string,
):
  | "never"
  | {
      matchFeatures: NfrTerm[] | undefined;
      matchAny: Array<{ matchFeatures: NfrTerm[] }> | undefined;
    } {
  const noPrefix = (name: string) => name;
  const fixedTerms = (terms: FeatureMatcherTerm[]): NfrTerm[] | "never" => {
    const out: NfrTerm[] = [];
    for (const t of terms) {
      if (!isBackref(t)) {
        out.push(term(t, what, noPrefix));
        continue;
      }
      if (!holdsWithoutBackref(t, id)) return "never";
    }
    return out;
  };
  let matchFeatures: NfrTerm[] | undefined;
  if (r.matchFeatures !== undefined) {
    const got = fixedTerms(r.matchFeatures);
    if (got === "never") return "never";
    matchFeatures = got;
  }
  let matchAny: Array<{ matchFeatures: NfrTerm[] }> | undefined;
  if (r.matchAny !== undefined && r.matchAny.length > 0) {
    matchAny = [];
    for (const a of r.matchAny) {
      const got = fixedTerms(a.matchFeatures);
      if (got === "never") continue;
      // An element left with no term always matches: so does the whole matchAny.
      if (got.length === 0 && a.matchFeatures.length > 0) {
        matchAny = undefined;
        break;
      }
      matchAny.push({ matchFeatures: got });
    }
    if (matchAny !== undefined && matchAny.length === 0) return "never";
  }
  return { matchFeatures, matchAny };
}

/** A rule.matched term's result when nothing has been published yet, by kompat's engine. */
function holdsWithoutBackref(t: FeatureMatcherTerm, id: string): boolean {
  const probe: Spec = {
    version: SPEC_VERSION,
    compatibilities: [{ rules: [{ name: `kompat ${id} probe`, matchFeatures: [t] }] }],
  };
  return verdict(probe, emptyFeatures()).compatible;
}

function term(t: FeatureMatcherTerm, what: string, rename: (name: string) => string): NfrTerm {
  const backref = isBackref(t);
  const out: NfrTerm = { feature: backref ? BACKREF_FEATURE : t.feature };
  if (t.matchName !== undefined) {
    if (backref)
      throw new RuleRewriteError(
        `${what}: matchName on rule.matched cannot be rewritten safely (nfd-master shares rule.matched between all NodeFeatureRules, and kompat renames its variables)`,
      );
    if (t.matchName.op === "")
      throw new RuleRewriteError(
        `${what}: matchName with the empty op "" has no NodeFeatureRule form (the CRD allows only named ops)`,
      );
    out.matchName = expression(t.matchName);
  }
  if (t.matchExpressions !== undefined) {
    const exprs: Record<string, NfrExpression> = {};
    const names = Object.keys(t.matchExpressions);
    for (const name of names) {
      const e = t.matchExpressions[name] as MatchExpression;
      if (e.op === "") {
        // Holds whatever the element is; alone it would mean "the feature exists", which
        // the CRD's ops cannot say.
        if (names.length === 1 && t.matchName === undefined)
          throw new RuleRewriteError(
            `${what}: ${t.feature} ${name} uses the empty op "" alone, which has no NodeFeatureRule form (the CRD allows only named ops); use Exists or DoesNotExist`,
          );
        continue;
      }
      exprs[backref ? rename(name) : name] = expression(e);
    }
    out.matchExpressions = exprs;
  }
  return out;
}

function expression(e: MatchExpression): NfrExpression {
  const out: NfrExpression = { op: e.op };
  if (e.value.length > 0) out.value = [...e.value];
  if (e.type !== "") out.type = e.type;
  return out;
}
