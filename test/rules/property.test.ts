// Property-based: over random specs and random hosts the engine never throws, is
// deterministic, and agrees with a direct, unoptimised reading of compat-spec §3–§6
// written here independently of src/rules.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RE2JS } from "re2js";
import { compileSpec, evaluate } from "../../src/rules/index.js";
import type { Report } from "../../src/rules/report.js";
import type { Features } from "../../src/features/nodefeatures.js";
import type { FeatureMatcherTerm, MatchExpression, Spec } from "../../src/spec/model.js";
// The random specs and hosts (shared with the verdict properties).
import { FEATURES, spec, host, tags } from "./arbitraries.js";

// ---- the reference: compat-spec read literally ----

type Map = Record<string, unknown>;
const has = (m: unknown, k: string): boolean => m !== undefined && Object.hasOwn(m as object, k);

function refInt(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function refVersion(s: string): bigint[] | undefined {
  const m = /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:[-+][\s\S]*)?$/.exec(s);
  return m ? [m[1], m[2], m[3]].map((p) => BigInt(p ?? "0")) : undefined;
}

function cmp(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < 3; i++)
    if ((a[i] ?? 0n) !== (b[i] ?? 0n)) return (a[i] ?? 0n) < (b[i] ?? 0n) ? -1 : 1;
  return 0;
}

/** Does `e` hold for an element that exists with value `v`? */
function refValue(e: MatchExpression, v: string): boolean {
  switch (e.op) {
    case "In":
      return e.value.includes(v);
    case "NotIn":
      return !e.value.includes(v);
    case "InRegexp":
      return e.value.some((p) => RE2JS.compile(p).matcher(v).find());
    case "Exists":
    case "":
      return true;
    case "DoesNotExist":
      return false;
    case "IsTrue":
      return v === "true";
    case "IsFalse":
      return v === "false";
    default: {
      const [c0, c1] =
        e.type === "version"
          ? (() => {
              const h = refVersion(v);
              const a = refVersion(e.value[0] ?? "");
              const b = refVersion(e.value[1] ?? "0");
              return h && a && b ? [cmp(h, a), cmp(h, b)] : [NaN, NaN];
            })()
          : (() => {
              const h = refInt(v);
              const a = refInt(e.value[0] ?? "");
              const b = refInt(e.value[1] ?? "0");
              return h !== undefined && a !== undefined && b !== undefined
                ? [h < a ? -1 : h > a ? 1 : 0, h < b ? -1 : h > b ? 1 : 0]
                : [NaN, NaN];
            })();
      if (Number.isNaN(c0)) return false; // an evaluation error fails the expression
      const lo = c0 ?? NaN;
      const hi = c1 ?? NaN;
      return {
        Gt: lo > 0,
        Ge: lo >= 0,
        Lt: lo < 0,
        Le: lo <= 0,
        GtLt: lo > 0 && hi < 0,
        GeLe: lo >= 0 && hi <= 0,
      }[e.op as "Gt"];
    }
  }
}

const refMissing = (e: MatchExpression) => e.op === "DoesNotExist" || e.op === "";
const refFlag = (e: MatchExpression) => e.op === "Exists" || e.op === "";
const refIn = (e: MatchExpression, m: Map, n: string) =>
  has(m, n) ? refValue(e, String(m[n])) : refMissing(e);

interface View {
  flags?: Map;
  attrs?: Map;
  insts?: Map[];
}

function refView(f: Features, feature: string, backref: Map | undefined): View | undefined {
  const k = feature.toLowerCase();
  if (k === "rule.matched") return backref === undefined ? undefined : { attrs: backref };
  const v: View = {};
  const flags = has(f.flags, k) ? f.flags[k]?.elements : undefined;
  const attrs = has(f.attributes, k) ? f.attributes[k]?.elements : undefined;
  const insts = has(f.instances, k) ? f.instances[k]?.elements.map((i) => i.attributes) : undefined;
  if (flags) v.flags = flags;
  if (attrs) v.attrs = attrs;
  if (insts) v.insts = insts;
  return v.flags || v.attrs || v.insts ? v : undefined;
}

function refKV(e: MatchExpression, n: string, v: View): boolean {
  if (!v.flags && !v.attrs) return false;
  if (e.op === "DoesNotExist") return !has(v.flags, n) && !has(v.attrs, n);
  return (
    (v.flags !== undefined && (has(v.flags, n) ? refFlag(e) : refMissing(e))) ||
    (v.attrs !== undefined && refIn(e, v.attrs, n))
  );
}

function refNames(v: View): string[] {
  return [
    ...Object.keys(v.flags ?? {}),
    ...Object.keys(v.attrs ?? {}),
    ...(v.insts ?? []).flatMap((a) => Object.keys(a)),
  ];
}

/** The term's result, and each expression's own result as "feature|name|expr|type|isMatch". */
function refTerm(t: FeatureMatcherTerm, v: View | undefined, lines: string[]): boolean {
  const me = Object.entries(t.matchExpressions ?? {});
  const line = (name: string, e: MatchExpression, type: string, ok: boolean) =>
    lines.push(`${t.feature}|${name}|${JSON.stringify([e.op, e.value, e.type])}|${type}|${ok}`);
  if (v === undefined) {
    for (const [n, e] of me) line(n, e, "matchExpression", false);
    if (t.matchName) line("", t.matchName, "matchName", false);
    return false;
  }
  for (const [n, e] of me)
    line(n, e, "matchExpression", refKV(e, n, v) || (v.insts ?? []).some((a) => refIn(e, a, n)));
  const exprsOk =
    t.matchExpressions === undefined ||
    // Flags/attributes take part only when the feature has one of them (an empty
    // expression map must not hold vacuously on a feature that has zero instances only).
    ((v.flags !== undefined || v.attrs !== undefined) && me.every(([n, e]) => refKV(e, n, v))) ||
    (v.insts ?? []).some((a) => me.every(([n, e]) => refIn(e, a, n)));
  let nameOk = true;
  if (t.matchName) {
    const mn = t.matchName;
    nameOk = refNames(v).some((n) => refValue(mn, n));
    line("", mn, "matchName", nameOk);
  }
  return exprsOk && nameOk;
}

interface RefOut {
  rules: boolean[][];
  lines: string[][][];
  indexes: number[];
  compatible: boolean;
  best: number | null;
}

function reference(s: Spec, f: Features, tagList?: string[]): RefOut {
  const out: RefOut = { rules: [], lines: [], indexes: [], compatible: false, best: null };
  let bestW = -1;
  s.compatibilities.forEach((set, index) => {
    if (tagList && tagList.length > 0 && !tagList.includes(set.tag ?? "")) return;
    let backref: Map | undefined;
    const results: boolean[] = [];
    const setLines: string[][] = [];
    for (const r of set.rules) {
      const lines: string[] = [];
      const all = (terms: FeatureMatcherTerm[], into: string[]) =>
        terms.map((t) => refTerm(t, refView(f, t.feature, backref), into)).every(Boolean);
      const anyOk =
        !r.matchAny?.length || r.matchAny.map((m) => all(m.matchFeatures, [])).some(Boolean);
      const featOk = !r.matchFeatures?.length || all(r.matchFeatures, lines);
      const ok = anyOk && featOk;
      results.push(ok);
      setLines.push(lines.sort());
      backref = { ...backref, ...(ok ? r.vars : {}) };
    }
    const isMatch = results.every(Boolean);
    if (isMatch && (set.weight ?? 0) > bestW) {
      bestW = set.weight ?? 0;
      out.best = out.rules.length;
    }
    out.rules.push(results);
    out.lines.push(setLines);
    out.indexes.push(index);
  });
  out.compatible = out.best !== null;
  return out;
}

function observed(r: Report): RefOut {
  return {
    rules: r.sets.map((s) => (s.rules ?? []).map((x) => x.isMatch)),
    lines: r.sets.map((s) =>
      (s.rules ?? []).map((x) =>
        (x.matchedExpressions ?? [])
          .map(
            (e) =>
              `${e.feature}|${e.name}|${JSON.stringify([e.expression.op, e.expression.value ?? [], e.expression.type ?? ""])}|${e.matcherType}|${e.isMatch}`,
          )
          .sort(),
      ),
    ),
    indexes: r.sets.map((s) => s.index),
    compatible: r.compatible,
    best: r.best,
  };
}

const RUNS = { numRuns: 400 };

describe("properties over random specs and hosts", () => {
  it("agrees with the reference reading of the spec", () => {
    fc.assert(
      fc.property(spec, host, tags, (s, f, t) => {
        const got = observed(evaluate(s, f, t === undefined ? undefined : { tags: t }));
        assert.deepEqual(got, reference(s, f, t));
      }),
      RUNS,
    );
  });

  it("is deterministic and the same through compileSpec and evaluate", () => {
    fc.assert(
      fc.property(spec, host, (s, f) => {
        const a = JSON.stringify(evaluate(s, f));
        const b = JSON.stringify(compileSpec(s).evaluate(f));
        const c = JSON.stringify(compileSpec(structuredClone(s)).evaluate(structuredClone(f)));
        assert.equal(a, b);
        assert.equal(a, c);
      }),
      { numRuns: 200 },
    );
  });

  it("one compiled spec gives each host the answer a fresh compilation gives", () => {
    fc.assert(
      fc.property(spec, fc.array(host, { minLength: 2, maxLength: 4 }), (s, hosts) => {
        const c = compileSpec(s);
        for (const f of hosts)
          assert.equal(JSON.stringify(c.evaluate(f)), JSON.stringify(compileSpec(s).evaluate(f)));
      }),
      { numRuns: 100 },
    );
  });

  it("keeps every report list in NFD's order", () => {
    fc.assert(
      fc.property(spec, host, (s, f) => {
        for (const set of evaluate(s, f).sets) {
          for (const r of set.rules ?? []) {
            for (const list of [
              r.matchedExpressions ?? [],
              ...(r.matchedAny ?? []).map((m) => m.matchedExpressions ?? []),
            ]) {
              for (let i = 1; i < list.length; i++) {
                const a = list[i - 1];
                const b = list[i];
                assert.ok(a && b);
                assert.ok(
                  a.feature < b.feature || (a.feature === b.feature && a.name <= b.name),
                  "sorted by feature, then name",
                );
              }
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("never throws on malformed host data", () => {
    const junk = fc.dictionary(fc.constantFrom(...FEATURES), fc.anything(), { maxKeys: 3 });
    const weird = fc.record({
      flags: fc.oneof(junk, fc.anything()),
      attributes: fc.oneof(junk, fc.anything()),
      instances: fc.oneof(
        junk,
        fc.dictionary(
          fc.constantFrom(...FEATURES),
          fc.record({ elements: fc.array(fc.anything(), { maxLength: 3 }) }),
          { maxKeys: 3 },
        ),
      ),
    });
    fc.assert(
      fc.property(spec, weird, (s, f) => {
        const r = evaluate(s, f as unknown as Features);
        assert.equal(typeof r.compatible, "boolean");
        JSON.stringify(r);
      }),
      { numRuns: 300 },
    );
  });
});
