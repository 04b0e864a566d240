// vars and varsTemplate (compat-spec §5): data shape, element order, merge order, output lines.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluate } from "../../src/rules/index.js";
import type { RuleReport } from "../../src/rules/report.js";
import type { Features } from "../../src/features/nodefeatures.js";
import type { GroupRule } from "../../src/spec/model.js";
import { features, rule, serverA, serverB, set, spec, term, x } from "./fixtures.js";

function first(r: GroupRule, f: Features): RuleReport {
  const out = evaluate(spec(set([r])), f).sets[0]?.rules?.[0];
  assert.ok(out);
  return out;
}

function vars(r: RuleReport): Record<string, string> | undefined {
  return r.vars === undefined ? undefined : { ...r.vars };
}

describe("varsTemplate", () => {
  it("ranges over matched instances: the whole attribute map of each", () => {
    const r = first(
      rule("display", {
        varsTemplate: "{{ range .pci.device }}vendor-{{ .vendor }}=present\n{{ end }}",
        matchFeatures: [term("pci.device", { class: x("InRegexp", ["^0[23]"]) })],
      }),
      serverA(),
    );
    assert.equal(r.isMatch, true);
    assert.deepEqual(vars(r), { "vendor-10de": "present", "vendor-8086": "present" });
  });

  it("a later rule sees template output through rule.matched", () => {
    const s = spec(
      set([
        rule("display controllers", {
          varsTemplate: "{{ range .pci.device }}vendor-{{ .vendor }}=present\n{{ end }}",
          matchFeatures: [term("pci.device", { class: x("InRegexp", ["^03"]) })],
        }),
        rule("nvidia display", {
          matchFeatures: [term("rule.matched", { "vendor-10de": x("In", ["present"]) })],
        }),
      ]),
    );
    const got = (f: Features) => evaluate(s, f).sets[0]?.rules?.map((r) => r.isMatch);
    assert.deepEqual(got(serverA()), [true, true]);
    assert.deepEqual(got(serverB()), [false, false]);
  });

  it("keys the data by the feature as written and sorts flag/attribute matches by name", () => {
    const r = first(
      rule("r", {
        varsTemplate:
          '{{ range $i, $e := .Cpu.CPUID }}e{{ $i }}={{ $e.Name }}{{ if eq $e.Name "AVX10_VERSION" }}:{{ $e.Value }}{{ end }}\n{{ end }}',
        matchFeatures: [
          term("Cpu.CPUID", {
            X86_64_V3: x("Exists"),
            AVX10_VERSION: x("In", ["1"]),
            AVX: x("Exists"),
          }),
        ],
      }),
      serverA(),
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(vars(r), { e0: "AVX", e1: "AVX10_VERSION:1", e2: "X86_64_V3" });
  });

  it("DoesNotExist and the empty op on flags add the absent name", () => {
    const r = first(
      rule("r", {
        varsTemplate: "{{ range .kernel.loadedmodule }}{{ .Name }}=x\n{{ end }}",
        matchFeatures: [term("kernel.loadedmodule", { nvidia: x("DoesNotExist"), zz: x("") })],
      }),
      serverB(),
    );
    assert.deepEqual(vars(r), { nvidia: "x", zz: "x" });
  });

  it("matchName matches follow the expression matches", () => {
    const r = first(
      rule("r", {
        varsTemplate: '{{ range $i, $e := .cpu.cpuid }}n{{ $i }}={{ $e.Name }}{{ "\\n" }}{{ end }}',
        matchFeatures: [term("cpu.cpuid", { SSE42: x("Exists") }, x("InRegexp", ["^AVX5"]))],
      }),
      serverA(),
    );
    assert.deepEqual(vars(r), { n0: "SSE42", n1: "AVX512F", n2: "AVX512VL" });
  });

  it("two terms on one feature append their elements", () => {
    const r = first(
      rule("r", {
        varsTemplate: "n={{ len .memory.numa }}",
        matchFeatures: [
          term("memory.numa", { is_numa: x("IsTrue") }),
          term("memory.numa", { node_count: x("Gt", ["1"]) }),
        ],
      }),
      serverA(),
    );
    assert.deepEqual(vars(r), { n: "2" });
  });

  it("runs for each matching matchAny element, then matchFeatures; static vars win", () => {
    const r = first(
      rule("r", {
        vars: { fixed: "static", both: "static" },
        varsTemplate:
          "{{ range .cpu.model }}src={{ .Value }}\n{{ .Value }}=1\nboth=template\n{{ end }}",
        matchAny: [
          { matchFeatures: [term("cpu.model", { vendor_id: x("Exists") })] },
          { matchFeatures: [term("cpu.model", { vendor_id: x("In", ["Nobody"]) })] },
          { matchFeatures: [term("cpu.model", { family: x("Exists") })] },
        ],
        matchFeatures: [term("cpu.model", { id: x("Exists") })],
      }),
      serverA(),
    );
    assert.deepEqual(vars(r), {
      "143": "1",
      "6": "1",
      Intel: "1",
      both: "static",
      fixed: "static",
      src: "143",
    });
  });

  it("trims lines, skips empty ones and splits at the first '='", () => {
    const r = first(
      rule("r", {
        varsTemplate: "  a = b=c  \n\n\t\nempty=\n",
        matchFeatures: [term("memory.numa")],
      }),
      serverA(),
    );
    assert.deepEqual(vars(r), { "a ": " b=c", empty: "" });
  });

  it("a line without '=' is an error of the rule, which then fails and publishes nothing", () => {
    const s = spec(
      set([
        rule("bad", {
          vars: { v: "1" },
          varsTemplate: "ok=1\nnot a pair\n",
          matchFeatures: [term("memory.numa")],
        }),
        rule("sees v", { matchFeatures: [term("rule.matched", { v: x("Exists") })] }),
        rule("other rules go on", { matchFeatures: [term("memory.numa")] }),
      ]),
    );
    const rules = evaluate(s, serverA()).sets[0]?.rules;
    assert.equal(rules?.[0]?.isMatch, false);
    assert.match(rules?.[0]?.error ?? "", /"not a pair" has no "="/);
    assert.equal(rules?.[0]?.vars, undefined);
    assert.deepEqual(
      rules?.slice(1).map((r) => r.isMatch),
      [false, true],
    );
  });

  it("a missing key is an error (missingkey=error)", () => {
    const r = first(
      rule("r", { varsTemplate: "{{ .nope.nothing }}", matchFeatures: [term("memory.numa")] }),
      serverA(),
    );
    assert.equal(r.isMatch, false);
    assert.match(r.error ?? "", /varsTemplate/);
  });

  it("a template that does not parse fails the rule with the reason", () => {
    const r = first(
      rule("r", { varsTemplate: "{{ range }}", matchFeatures: [term("memory.numa")] }),
      serverA(),
    );
    assert.equal(r.isMatch, false);
    assert.match(r.error ?? "", /^varsTemplate: /);
  });

  it("does not run when the rule does not match", () => {
    const r = first(
      rule("r", { varsTemplate: "{{ .nope.nothing }}", matchFeatures: [term("foo.bar")] }),
      serverA(),
    );
    assert.equal(r.isMatch, false);
    assert.equal(r.error, undefined);
  });

  it("a rule without matchers publishes only its static vars", () => {
    const r = first(rule("r", { vars: { a: "1" }, varsTemplate: "b=2" }), serverA());
    assert.deepEqual(vars(r), { a: "1" });
  });

  it("a feature name without a dot is keyed by its lower-cased name and an empty name", () => {
    const f = features({ attributes: { plain: { k: "v" } } });
    const r = first(
      rule("r", {
        varsTemplate: '{{ range (index .plain "") }}{{ .Name }}={{ .Value }}{{ end }}',
        matchFeatures: [term("PLAIN", { k: x("Exists") })],
      }),
      f,
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(vars(r), { k: "v" });
  });

  it("reports vars sorted by key", () => {
    const r = first(rule("r", { vars: { b: "2", a: "1", c: "3" } }), serverA());
    assert.deepEqual(Object.keys(r.vars ?? {}), ["a", "b", "c"]);
  });
});
