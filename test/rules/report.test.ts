// The report keeps NFD's --output-json shape (compat-spec §7); kompat's fields are additions.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluate } from "../../src/rules/index.js";
import type { SetReport } from "../../src/rules/report.js";
import { features, oneTerm, rule, serverA, set, spec, term, x } from "./fixtures.js";

const KOMPAT_ONLY = new Set(["host", "index", "vars", "error"]);

/** The JSON with kompat's additions removed: what NFD would print. */
function asNfd(sets: SetReport[]): string {
  return JSON.stringify(sets, function (this: unknown, key, value: unknown) {
    if (KOMPAT_ONLY.has(key)) return undefined;
    // isMatch of a set and of a matchAny element are kompat's; a rule's and an expression's are NFD's.
    if (key === "isMatch" && this !== null && typeof this === "object") {
      const holder = this as Record<string, unknown>;
      if ("index" in holder || !("name" in holder)) return undefined;
    }
    return value;
  });
}

const documented = spec(
  set(
    [
      rule("kernel and cpu", {
        matchFeatures: [
          term("kernel.loadedmodule", { "vfio-pci": x("Exists") }),
          term("cpu.model", { vendor_id: x("In", ["Intel", "AMD"]) }),
        ],
      }),
      rule("one of available nics", {
        matchAny: [
          {
            matchFeatures: [
              term("pci.device", { vendor: x("In", ["0eee"]), class: x("In", ["0200"]) }),
            ],
          },
          {
            matchFeatures: [
              term("pci.device", { vendor: x("In", ["0fff"]), class: x("In", ["0200"]) }),
            ],
          },
        ],
      }),
    ],
    { description: "My image requirements" },
  ),
);

describe("report shape", () => {
  it("is NFD's JSON for the documented example once kompat's fields are removed", () => {
    const nfd =
      '[{"rules":[{"name":"kernel and cpu","isMatch":false,"matchedExpressions":[' +
      '{"feature":"cpu.model","name":"vendor_id","expression":{"op":"In","value":["Intel","AMD"]},"matcherType":"matchExpression","isMatch":true},' +
      '{"feature":"kernel.loadedmodule","name":"vfio-pci","expression":{"op":"Exists"},"matcherType":"matchExpression","isMatch":false}]},' +
      '{"name":"one of available nics","isMatch":false,"matchedAny":[' +
      '{"matchedExpressions":[{"feature":"pci.device","name":"class","expression":{"op":"In","value":["0200"]},"matcherType":"matchExpression","isMatch":true},' +
      '{"feature":"pci.device","name":"vendor","expression":{"op":"In","value":["0eee"]},"matcherType":"matchExpression","isMatch":false}]},' +
      '{"matchedExpressions":[{"feature":"pci.device","name":"class","expression":{"op":"In","value":["0200"]},"matcherType":"matchExpression","isMatch":true},' +
      '{"feature":"pci.device","name":"vendor","expression":{"op":"In","value":["0fff"]},"matcherType":"matchExpression","isMatch":false}]}]}],' +
      '"description":"My image requirements"}]';
    assert.equal(asNfd(evaluate(documented, serverA()).sets), nfd);
  });

  it("adds kompat's fields after NFD's", () => {
    const r = evaluate(documented, serverA());
    const s = r.sets[0];
    assert.ok(s);
    assert.deepEqual(Object.keys(s), ["rules", "description", "isMatch", "index"]);
    const rule0 = s.rules?.[0];
    assert.deepEqual(Object.keys(rule0 ?? {}), ["name", "isMatch", "matchedExpressions"]);
    assert.deepEqual(Object.keys(rule0?.matchedExpressions?.[0] ?? {}), [
      "feature",
      "name",
      "expression",
      "matcherType",
      "isMatch",
      "host",
    ]);
    assert.deepEqual(Object.keys(s.rules?.[1]?.matchedAny?.[0] ?? {}), [
      "matchedExpressions",
      "isMatch",
    ]);
    assert.deepEqual(r.compatible, false);
    assert.deepEqual(r.best, null);
  });

  it("omits empty description/weight/tag, prints rules: null for a set without rules", () => {
    const s = spec(
      set([]),
      set([rule("a")], { weight: 0, tag: "", description: "" }),
      set([rule("b")], { weight: 3, tag: "t", description: "d" }),
    );
    assert.equal(
      asNfd(evaluate(s, serverA()).sets),
      '[{"rules":null},{"rules":[{"name":"a","isMatch":true}]},{"rules":[{"name":"b","isMatch":true}],"description":"d","weight":3,"tag":"t"}]',
    );
  });

  it("a set without rules matches (every one of its rules matches)", () => {
    const r = evaluate(spec(set([])), serverA());
    assert.equal(r.sets[0]?.isMatch, true);
    assert.equal(r.compatible, true);
  });

  it("omits value and type of an expression when empty, keeps type: version", () => {
    const r = evaluate(
      oneTerm(term("kernel.version", { full: x("Ge", ["6.8"], "version"), major: x("Exists") })),
      serverA(),
    );
    const exprs = r.sets[0]?.rules?.[0]?.matchedExpressions?.map((e) =>
      JSON.stringify(e.expression),
    );
    assert.deepEqual(exprs, ['{"op":"Ge","value":["6.8"],"type":"version"}', '{"op":"Exists"}']);
  });

  it("sorts by feature as written (Go byte order), then name, then the expression's text", () => {
    const s = oneTerm(term("memory.numa", { node_count: x("Gt", ["1"]), is_numa: x("IsTrue") }));
    const mf = s.compatibilities[0]?.rules[0]?.matchFeatures;
    mf?.push(term("cpu.model", { vendor_id: x("In", ["Intel"]) }));
    mf?.push(term("cpu.model", { vendor_id: x("Exists") }));
    mf?.push(term("cpu.model", { vendor_id: x("In", ["AMD"]) }));
    mf?.push(term("Kernel.LoadedModule", { kvm: x("Exists") }, x("InRegexp", ["^kvm"])));
    const got = evaluate(s, serverA()).sets[0]?.rules?.[0]?.matchedExpressions?.map((e) => [
      e.feature,
      e.name,
      e.expression.op,
      e.expression.value?.join(",") ?? "",
      e.matcherType,
    ]);
    assert.deepEqual(got, [
      ["Kernel.LoadedModule", "", "InRegexp", "^kvm", "matchName"],
      ["Kernel.LoadedModule", "kvm", "Exists", "", "matchExpression"],
      ["cpu.model", "vendor_id", "Exists", "", "matchExpression"],
      ["cpu.model", "vendor_id", "In", "AMD", "matchExpression"],
      ["cpu.model", "vendor_id", "In", "Intel", "matchExpression"],
      ["memory.numa", "is_numa", "IsTrue", "", "matchExpression"],
      ["memory.numa", "node_count", "Gt", "1", "matchExpression"],
    ]);
  });

  it("sorts names by code point, not UTF-16 unit", () => {
    const f = features({ attributes: { "x.y": { "\u{1F600}": "1", "\uFF21": "2" } } });
    const s = oneTerm(term("x.y", { "\u{1F600}": x("Exists"), "\uFF21": x("Exists") }));
    const names = evaluate(s, f).sets[0]?.rules?.[0]?.matchedExpressions?.map((e) => e.name);
    assert.deepEqual(names, ["\uFF21", "\u{1F600}"]);
  });

  it("lists every expression of a missing feature as not matching", () => {
    const r = evaluate(
      oneTerm(term("foo.bar", { a: x("Exists"), b: x("DoesNotExist") }, x("Exists"))),
      serverA(),
    );
    const got = r.sets[0]?.rules?.[0]?.matchedExpressions?.map((e) => [
      e.name,
      e.matcherType,
      e.isMatch,
      e.host?.state,
    ]);
    assert.deepEqual(got, [
      ["", "matchName", false, "missing-feature"],
      ["a", "matchExpression", false, "missing-feature"],
      ["b", "matchExpression", false, "missing-feature"],
    ]);
  });

  it("a rule without matchFeatures has no matchedExpressions; matchAny lists each element", () => {
    const s = spec(
      set([
        rule("any", {
          matchAny: [
            { matchFeatures: [term("foo.bar")] },
            { matchFeatures: [term("memory.numa", { is_numa: x("IsTrue") })] },
          ],
        }),
      ]),
    );
    const r = evaluate(s, serverA()).sets[0]?.rules?.[0];
    assert.equal(r?.matchedExpressions, undefined);
    assert.deepEqual(
      r?.matchedAny?.map((m) => [
        m.isMatch,
        m.matchedExpressions === null ? null : m.matchedExpressions.length,
      ]),
      [
        [false, null],
        [true, 1],
      ],
    );
    assert.equal(r?.isMatch, true);
    assert.match(
      asNfd(evaluate(s, serverA()).sets),
      /"matchedAny":\[\{"matchedExpressions":null\},\{"matchedExpressions":\[/,
    );
  });

  it("is deterministic and JSON-serialisable", () => {
    const a = JSON.stringify(evaluate(documented, serverA()));
    const b = JSON.stringify(evaluate(documented, serverA()));
    assert.equal(a, b);
  });
});
