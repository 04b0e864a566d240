// Hostile specs and hosts: evaluation stays linear and bounded (these tests would hang
// otherwise; no timing is asserted).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkSpec, evaluate } from "../../src/rules/index.js";
import { features, oneTerm, rule, set, spec, term, x } from "./fixtures.js";

describe("hostile input", () => {
  it("a catastrophic-backtracking pattern over a 100 KB value finishes", () => {
    const f = features({ attributes: { "x.y": { v: "a".repeat(100_000) + "!" } } });
    const r = evaluate(
      oneTerm(term("x.y", { v: x("InRegexp", ["(a+)+$", "(a|aa)+b", "^(a*)*$"]) })),
      f,
    );
    assert.equal(r.sets[0]?.rules?.[0]?.isMatch, false);
  });

  it("10,000 instances: one-instance-satisfies-all and matchName stay correct", () => {
    const insts = Array.from({ length: 10_000 }, (_, i) => ({
      vendor: String(i % 97),
      class: String(i % 89),
      [`a${i % 13}`]: "1",
    }));
    insts.push({ vendor: "needle", class: "0302" });
    const f = features({ instances: { "pci.device": insts } });
    const found = evaluate(
      oneTerm(term("pci.device", { vendor: x("In", ["needle"]), class: x("In", ["0302"]) })),
      f,
    );
    assert.equal(found.sets[0]?.rules?.[0]?.isMatch, true);
    const split = evaluate(
      oneTerm(term("pci.device", { vendor: x("In", ["needle"]), class: x("In", ["5"]) })),
      f,
    );
    assert.equal(split.sets[0]?.rules?.[0]?.isMatch, false);
    const e = split.sets[0]?.rules?.[0]?.matchedExpressions;
    assert.deepEqual(
      e?.map((m) => [m.name, m.isMatch, m.host?.instances]),
      [
        ["class", true, 10_001],
        ["vendor", true, 10_001],
      ],
    );
    const names = evaluate(oneTerm(term("pci.device", undefined, x("InRegexp", ["^a1"]))), f);
    const host = names.sets[0]?.rules?.[0]?.matchedExpressions?.[0]?.host;
    assert.deepEqual(host, {
      state: "names",
      values: ["a1", "a10", "a11", "a12"],
      instances: 15,
      count: 4,
    });
  });

  it("a varsTemplate over 10,000 instances publishes every line", () => {
    const insts = Array.from({ length: 10_000 }, (_, i) => ({ id: String(i) }));
    const s = spec(
      set([
        rule("many", {
          varsTemplate: "{{ range .usb.device }}dev-{{ .id }}=1\n{{ end }}",
          matchFeatures: [term("usb.device", { id: x("Exists") })],
        }),
        rule("last", {
          matchFeatures: [
            term("rule.matched", { "dev-9999": x("In", ["1"]), "dev-0": x("In", ["1"]) }),
          ],
        }),
      ]),
    );
    const r = evaluate(s, features({ instances: { "usb.device": insts } }));
    assert.equal(Object.keys(r.sets[0]?.rules?.[0]?.vars ?? {}).length, 10_000);
    assert.equal(r.sets[0]?.rules?.[1]?.isMatch, true, r.sets[0]?.rules?.[0]?.error);
  });

  it("a template that loops without end is stopped with an error, not a hang", () => {
    const s = spec(
      set([
        rule("loop", {
          varsTemplate: "{{ range $i := until 100000000 }}{{ $i }}{{ end }}",
          matchFeatures: [term("a.b")],
        }),
      ]),
    );
    const r = evaluate(s, features({ flags: { "a.b": ["x"] } }));
    assert.equal(r.sets[0]?.rules?.[0]?.isMatch, false);
    assert.match(r.sets[0]?.rules?.[0]?.error ?? "", /varsTemplate/);
  });

  it("element and feature names like __proto__ are plain names", () => {
    const f = features({
      flags: { "x.y": ["__proto__", "constructor"] },
      attributes: { "__proto__.x": { toString: "1", hasOwnProperty: "2" } },
    });
    const s = spec(
      set([
        rule("a", {
          matchFeatures: [
            term("x.y", {
              __proto__: x("Exists"),
              constructor: x("Exists"),
              toString: x("DoesNotExist"),
            }),
          ],
        }),
        rule("b", {
          matchFeatures: [
            term("__proto__.x", { toString: x("In", ["1"]), valueOf: x("DoesNotExist") }),
          ],
        }),
        rule("c", { matchFeatures: [term("constructor.x")] }),
      ]),
    );
    assert.deepEqual(
      evaluate(s, f).sets[0]?.rules?.map((r) => r.isMatch),
      [true, true, false],
    );
  });

  it("a spec with 2,000 rules and wide expression maps evaluates and checks", () => {
    const wide = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`e${i}`, x("DoesNotExist")]),
    );
    const rules = Array.from({ length: 2_000 }, (_, i) =>
      rule(`r${i}`, {
        vars: { [`v${i}`]: "1" },
        matchFeatures: [
          term("x.y", wide),
          term("rule.matched", i === 0 ? {} : { [`v${i - 1}`]: x("Exists") }),
        ],
      }),
    );
    const s = spec(set(rules));
    assert.equal(checkSpec(s).length, 1, "only the rule.matched term of the first rule is flagged");
    const r = evaluate(s, features({ flags: { "x.y": ["z"] } }));
    assert.deepEqual(
      r.sets[0]?.rules?.[0]?.isMatch,
      false,
      "rule.matched does not exist in the first rule",
    );
    assert.equal(
      r.sets[0]?.rules?.filter((x) => x.isMatch).length,
      0,
      "so no later rule sees its variable",
    );
  });
});
