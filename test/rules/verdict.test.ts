// verdict() agrees with evaluate() on random specs and hosts, and short-circuiting never
// changes an answer.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileSpec, evaluate, verdict } from "../../src/rules/index.js";
import type { Features } from "../../src/features/nodefeatures.js";
import type { GroupRule, Spec } from "../../src/spec/model.js";
import { host, spec, tags } from "./arbitraries.js";
import { features as buildFeatures } from "./fixtures.js";

const TEMPLATES = [
  undefined,
  "{{range .a.x}}v1={{.Name}}\n{{end}}",
  "{{range .a.y}}k1={{.Value}}\n{{end}}v2=t",
  "no equals sign",
  "{{.a.x.nope.deeper}}",
];

// Adds varsTemplates (good and failing) to the shared random specs.
const templatedSpec: fc.Arbitrary<Spec> = fc
  .tuple(spec, fc.array(fc.nat({ max: TEMPLATES.length - 1 }), { minLength: 9, maxLength: 9 }))
  .map(([s, picks]): Spec => {
    let i = 0;
    // New objects: fast-check reuses generated values while shrinking.
    const compatibilities = s.compatibilities.map((set) => ({
      ...set,
      rules: set.rules.map((r): GroupRule => {
        const t = TEMPLATES[picks[i++ % picks.length] ?? 0];
        return t === undefined ? r : { ...r, varsTemplate: t };
      }),
    }));
    return { ...s, compatibilities };
  });

/** Options with `tags` only when given (exactOptionalPropertyTypes). */
const tagged = (t: string[] | undefined) => (t === undefined ? {} : { tags: t });

function expected(s: Spec, f: Features, t: string[] | undefined) {
  const r = evaluate(s, f, tagged(t));
  const matched = r.sets.flatMap((set, i) => (set.isMatch ? [i] : []));
  return { compatible: r.compatible, best: r.best, matched, evaluated: r.sets.map((x) => x.index) };
}

describe("verdict", () => {
  it("equals evaluate's compatible, best and matching sets", () => {
    fc.assert(
      fc.property(templatedSpec, host, tags, (s, f, t) => {
        assert.deepEqual(compileSpec(s).verdict(f, tagged(t)), expected(s, f, t));
        assert.deepEqual(verdict(s, f, tagged(t)), expected(s, f, t));
      }),
      { numRuns: 1500 },
    );
  });

  it("lets a later rule read vars of an earlier one", () => {
    const s: Spec = {
      version: "v1alpha1",
      compatibilities: [
        {
          rules: [
            {
              name: "publish",
              matchFeatures: [
                {
                  feature: "cpu.cpuid",
                  matchExpressions: { AVX2: { op: "Exists", value: [], type: "" } },
                },
              ],
              vars: { level: "3" },
            },
            {
              name: "use",
              matchFeatures: [
                {
                  feature: "rule.matched",
                  matchExpressions: { level: { op: "Gt", value: ["2"], type: "" } },
                },
              ],
            },
          ],
        },
      ],
    };
    const yes = buildFeatures({ flags: { "cpu.cpuid": ["AVX2"] } });
    const no = buildFeatures({ flags: { "cpu.cpuid": ["SSE42"] } });
    assert.deepEqual(verdict(s, yes), { compatible: true, best: 0, matched: [0], evaluated: [0] });
    assert.deepEqual(verdict(s, no), {
      compatible: false,
      best: null,
      matched: [],
      evaluated: [0],
    });
  });

  it("fails a set whose skipped later rule would error, and matches the next set", () => {
    const s: Spec = {
      version: "v1alpha1",
      compatibilities: [
        {
          weight: 5,
          rules: [
            { name: "absent", matchFeatures: [{ feature: "no.such" }] },
            { name: "bad", matchFeatures: [{ feature: "cpu.cpuid" }], varsTemplate: "oops" },
          ],
        },
        {
          tag: "t",
          rules: [
            {
              name: "err-then-ok",
              matchFeatures: [
                {
                  feature: "kernel.version",
                  matchExpressions: { major: { op: "Gt", value: ["x"], type: "" } },
                },
              ],
            },
          ],
        },
        { rules: [{ name: "ok", matchFeatures: [{ feature: "cpu.cpuid" }] }] },
      ],
    };
    const f = buildFeatures({
      flags: { "cpu.cpuid": ["AVX2"] },
      attributes: { "kernel.version": { major: "6" } },
    });
    assert.deepEqual(verdict(s, f), expected(s, f, undefined));
    assert.deepEqual(verdict(s, f), {
      compatible: true,
      best: 2,
      matched: [2],
      evaluated: [0, 1, 2],
    });
    assert.deepEqual(verdict(s, f, { tags: ["t"] }), {
      compatible: false,
      best: null,
      matched: [],
      evaluated: [1],
    });
  });
});
