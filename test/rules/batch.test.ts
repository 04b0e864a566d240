// SpecBatch: many specs against the same hosts share their identical terms (compiled, and
// evaluated per host, once), and every answer is still the one each spec gets alone —
// reports, verdicts and the evaluation budget.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { evaluate, SpecBatch, verdict } from "../../src/rules/index.js";
import { BUDGET_REASON } from "../../src/rules/budget.js";
import { host, spec, tags } from "./arbitraries.js";
import { features, rule, set, spec as specOf, term, x } from "./fixtures.js";

const tagged = (t: string[] | undefined) => (t === undefined ? {} : { tags: t });

describe("SpecBatch", () => {
  it("gives each spec on each host the report and verdict it gets alone", () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 5 }),
        fc.array(host, { minLength: 1, maxLength: 3 }),
        tags,
        fc.boolean(),
        (specs, hosts, t, reportsFirst) => {
          const batch = new SpecBatch();
          // Both orders: a verdict may reuse what a report found, and the other way round.
          for (const pass of reportsFirst ? ["report", "verdict"] : ["verdict", "report"])
            for (const s of specs)
              for (const f of hosts) {
                if (pass === "report")
                  assert.equal(
                    JSON.stringify(batch.evaluate(s, f, tagged(t))),
                    JSON.stringify(evaluate(s, f, tagged(t))),
                  );
                else assert.deepEqual(batch.verdict(s, f, tagged(t)), verdict(s, f, tagged(t)));
              }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("compiles a term shared by specs once: equal specs share their reports' objects", () => {
    const s1 = specOf(set([rule("r", { matchFeatures: [term("a.b", { k: x("In", ["1"]) })] })]));
    const s2 = structuredClone(s1);
    const f = features({ attributes: { "a.b": { k: "1" } } });
    const batch = new SpecBatch();
    const a = batch.evaluate(s1, f).sets[0]?.rules?.[0]?.matchedExpressions?.[0];
    const b = batch.evaluate(s2, f).sets[0]?.rules?.[0]?.matchedExpressions?.[0];
    assert.ok(a !== undefined && a === b);
    // Apart, each spec finds its own.
    assert.notEqual(evaluate(s1, f).sets[0]?.rules?.[0]?.matchedExpressions?.[0], b);
  });

  it("charges a shared result's cost: a spec runs out of budget where it does alone", () => {
    // 1,000 slow patterns over a long value spend the budget (budget.test.ts); the second
    // spec has one more such rule first, so alone it runs out one rule earlier. Were the
    // first spec's results free to it, it would get further.
    const alternatives = "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p";
    const slow = (i: number) =>
      rule(`re ${i}`, {
        matchFeatures: [
          term("kernel.version", { full: x("InRegexp", [`^(?:${alternatives}|q${i})+$`]) }),
        ],
      });
    const rules = Array.from({ length: 1000 }, (_, i) => slow(i));
    const first = specOf(set(rules));
    const second = specOf(set([slow(-1), ...rules]));
    const f = features({ attributes: { "kernel.version": { full: "a".repeat(3000) + "!" } } });
    const batch = new SpecBatch();
    const a = batch.evaluate(first, f);
    const b = batch.evaluate(second, f);
    assert.equal(JSON.stringify(a), JSON.stringify(evaluate(first, f)));
    assert.equal(JSON.stringify(b), JSON.stringify(evaluate(second, f)));
    const firstRefused = (r: typeof a) =>
      (r.sets[0]?.rules ?? []).findIndex((x) => x.error === BUDGET_REASON);
    assert.ok(firstRefused(a) > 0 && firstRefused(b) > 0);
    assert.ok(firstRefused(b) <= firstRefused(a));
  });
});
