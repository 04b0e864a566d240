// The evaluation budget: a hostile spec costs a bounded amount of work per node. These tests
// would take minutes without it; they assert the reason, not the time.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluate, verdict } from "../../src/rules/index.js";
import { BUDGET_REASON, EVALUATION_BUDGET } from "../../src/rules/budget.js";
import { features, rule, set, spec, term, x } from "./fixtures.js";

describe("evaluation budget", () => {
  it("1,000 rules with templates of 300,000 steps each: the rules past the budget fail with its reason", () => {
    // Each template stays under the per-template limit (1,000,000 steps).
    const rules = Array.from({ length: 1000 }, (_, i) =>
      rule(`heavy ${i}`, {
        matchFeatures: [term("a.b")],
        varsTemplate: `{{ range 600 }}{{ range 500 }}{{ end }}{{ end }}r${i}=1`,
      }),
    );
    const s = spec(set(rules));
    const f = features({ flags: { "a.b": ["x"] } });
    const r = evaluate(s, f);
    const reps = r.sets[0]?.rules ?? [];
    assert.equal(reps.length, 1000);
    assert.deepEqual({ ...reps[0]?.vars }, { r0: "1" });
    const within = Math.floor(EVALUATION_BUDGET / 300_000);
    assert.ok(reps.slice(0, within - 1).every((x) => x.isMatch));
    assert.equal(reps[999]?.isMatch, false);
    assert.equal(reps[999]?.error, BUDGET_REASON);
    assert.equal(r.compatible, false);
    assert.match(BUDGET_REASON, /evaluation budget spent: .*10,000,000 steps/);
    assert.equal(verdict(s, f).compatible, false);
  });

  it("regexp work is charged: 1,000 slow patterns over a long value end at the budget", () => {
    const alternatives = "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p";
    const rules = Array.from({ length: 1000 }, (_, i) =>
      rule(`re ${i}`, {
        matchFeatures: [
          term("kernel.version", { full: x("InRegexp", [`^(?:${alternatives}|q${i})+$`]) }),
        ],
      }),
    );
    const f = features({ attributes: { "kernel.version": { full: "a".repeat(3000) + "!" } } });
    const r = evaluate(spec(set(rules)), f);
    const last = r.sets[0]?.rules?.[999];
    assert.equal(last?.isMatch, false);
    assert.equal(last?.error, BUDGET_REASON);
    assert.equal(last?.matchedExpressions?.[0]?.host?.error, BUDGET_REASON);
    // Early rules failed on their own (the value ends in "!"), without a budget reason.
    assert.equal(r.sets[0]?.rules?.[0]?.error, undefined);
  });

  it("each node gets its own budget", () => {
    // 10 rules of at most 900,000 steps of regexp work each: under one node's budget.
    const rules = Array.from({ length: 10 }, (_, i) =>
      rule(`prefix ${i}`, {
        matchFeatures: [term("a.b", { v: x("InRegexp", [`^a{1,${i + 1}}`]) })],
      }),
    );
    const s = spec(set(rules));
    const f = features({ attributes: { "a.b": { v: "a".repeat(99_999) } } });
    for (let node = 0; node < 3; node++) {
      assert.equal(evaluate(s, f).compatible, true);
      assert.equal(verdict(s, f).compatible, true);
    }
    // More such rules on one node are past the budget.
    const more = Array.from({ length: 15 }, (_, i) =>
      rule(`prefix ${i}`, {
        matchFeatures: [term("a.b", { v: x("InRegexp", [`^a{1,${i + 11}}`]) })],
      }),
    );
    const r = evaluate(spec(set(more)), f);
    assert.equal(r.compatible, false);
    assert.equal(r.sets[0]?.rules?.[14]?.error, BUDGET_REASON);
  });
});
