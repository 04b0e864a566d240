// checkSpec/loadSpec: every spec error NFD would only find while evaluating, found before
// any host is seen, with its place in the file.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkSpec, loadSpec } from "../../src/rules/index.js";
import type { Diagnostic } from "../../src/spec/diagnostic.js";
import { formatDiagnostic } from "../../src/spec/diagnostic.js";
import { oneTerm, rule, set, spec, term, x } from "./fixtures.js";
import type { MatchExpression } from "../../src/spec/model.js";

function check(e: MatchExpression): Diagnostic[] {
  return checkSpec(oneTerm(term("cpu.model", { vendor_id: e })));
}

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.severity}:${d.code}`);
}

const BASE = [
  "compatibilities",
  0,
  "rules",
  0,
  "matchFeatures",
  0,
  "matchExpressions",
  "vendor_id",
];

describe("checkSpec: expressions", () => {
  it("accepts valid expressions of every op", () => {
    const ok: MatchExpression[] = [
      x("In", ["a"]),
      x("NotIn", ["a", "b"]),
      x("InRegexp", ["^a", "(?i)b"]),
      x("Exists"),
      x("DoesNotExist"),
      x("Gt", ["-5"]),
      x("Ge", ["+5"]),
      x("Lt", ["9223372036854775807"]),
      x("Le", ["0"]),
      x("GtLt", ["1", "3"]),
      x("GeLe", ["1", "2"]),
      x("GeLe", ["6.8", "6.8.0"], "version"),
      x("Gt", ["v6.8"], "version"),
      x("IsTrue"),
      x("IsFalse"),
      x(""),
    ];
    for (const e of ok) assert.deepEqual(check(e), [], JSON.stringify(e));
  });

  it("unknown op", () => {
    const d = check(x("Equals", ["Intel"]));
    assert.deepEqual(codes(d), ["error:unknown-op"]);
    assert.deepEqual(d[0]?.path, [...BASE, "op"]);
    assert.match(d[0]?.message ?? "", /unknown op "Equals"/);
  });

  it("a value on ops that take none", () => {
    for (const op of ["Exists", "DoesNotExist", "", "IsTrue", "IsFalse"]) {
      const d = check(x(op, ["x"]));
      assert.deepEqual(codes(d), ["error:unexpected-value"], op);
      assert.deepEqual(d[0]?.path, [...BASE, "value"]);
      assert.match(d[0]?.hint ?? "", /remove/);
    }
  });

  it("arity of In/NotIn/InRegexp, Gt/Ge/Lt/Le, GtLt/GeLe", () => {
    for (const op of ["In", "NotIn", "InRegexp"])
      assert.deepEqual(codes(check(x(op))), ["error:op-arity"], op);
    for (const op of ["Gt", "Ge", "Lt", "Le"]) {
      assert.deepEqual(codes(check(x(op))), ["error:op-arity"], op);
      const two = check(x(op, ["5", "6"]));
      assert.deepEqual(codes(two), ["error:op-arity"], op);
      assert.match(two[0]?.message ?? "", /exactly one value \(have 2\)/);
      assert.match(two[0]?.hint ?? "", /GtLt or GeLe/);
    }
    for (const op of ["GtLt", "GeLe"]) {
      assert.deepEqual(codes(check(x(op, ["1"]))), ["error:op-arity"], op);
      assert.deepEqual(codes(check(x(op, ["1", "2", "3"]))), ["error:op-arity"], op);
    }
  });

  it("values that are not Go integers", () => {
    for (const bad of ["five", "0x10", " 5", "5.0", "9223372036854775808"]) {
      const d = check(x("Gt", [bad]));
      assert.deepEqual(codes(d), ["error:not-a-number"], bad);
      assert.deepEqual(d[0]?.path, [...BASE, "value", 0]);
    }
    const v = check(x("GeLe", ["1", "6.8"]));
    assert.deepEqual(v[0]?.path, [...BASE, "value", 1]);
    assert.match(v[0]?.hint ?? "", /type: version/);
  });

  it("reversed numeric bounds", () => {
    for (const vals of [
      ["7", "5"],
      ["5", "5"],
    ]) {
      assert.deepEqual(codes(check(x("GtLt", vals))), ["error:reversed-bounds"]);
      assert.deepEqual(codes(check(x("GeLe", vals))), ["error:reversed-bounds"]);
    }
  });

  it("invalid RE2 regexps, each located", () => {
    const d = check(x("InRegexp", ["ok", "(["]));
    assert.deepEqual(codes(d), ["error:invalid-regexp"]);
    assert.deepEqual(d[0]?.path, [...BASE, "value", 1]);
    assert.match(d[0]?.message ?? "", /missing closing \]/);
    assert.deepEqual(codes(check(x("InRegexp", ["(?<!a)b"]))), ["error:invalid-regexp"]);
  });

  it("a bad type", () => {
    const d = check(x("Gt", ["5"], "semver"));
    assert.deepEqual(codes(d), ["error:unknown-type"]);
    assert.deepEqual(d[0]?.path, [...BASE, "type"]);
  });

  it("versions kompat cannot read are errors", () => {
    assert.deepEqual(codes(check(x("Gt", ["V1.2"], "version"))), ["error:not-a-version"]);
    assert.deepEqual(codes(check(x("Gt", ["1.2.3.4"], "version"))), ["error:not-a-version"]);
    assert.deepEqual(codes(check(x("Gt", ["latest"], "version"))), ["error:not-a-version"]);
  });

  it("warns: version bounds that never match, type on an op that ignores it", () => {
    assert.deepEqual(codes(check(x("GtLt", ["2.0", "1.0"], "version"))), [
      "warning:version-bounds-never-match",
    ]);
    assert.deepEqual(codes(check(x("GtLt", ["1.0", "1"], "version"))), [
      "warning:version-bounds-never-match",
    ]);
    assert.deepEqual(
      codes(check(x("GeLe", ["1.0", "1"], "version"))),
      [],
      "GeLe on equal bounds matches that version",
    );
    assert.deepEqual(codes(check(x("In", ["1.0"], "version"))), ["warning:type-ignored"]);
  });

  it("warns on versions NFD rejects but kompat accepts, explaining", () => {
    const d = check(x("Ge", ["5.14.0-427.13.1.el9_4.x86_64"], "version"));
    assert.deepEqual(codes(d), ["warning:version-nfd-incompatible"]);
    assert.match(
      d[0]?.message ?? "",
      /NFD cannot parse .* contains "_".*kompat ignores everything after the first "-"/,
    );
    assert.match(d[0]?.hint ?? "", /"5\.14\.0"/);
  });

  it("checks matchName and matchAny terms the same way", () => {
    const s = spec(
      set([
        rule("r", {
          matchAny: [{ matchFeatures: [term("cpu.cpuid", undefined, x("InRegexp", ["("]))] }],
          matchFeatures: [term("cpu.cpuid", undefined, x("Exists", ["AVX"]))],
        }),
      ]),
    );
    const d = checkSpec(s);
    assert.deepEqual(
      d.map((e) => [e.code, e.path.join("/")]),
      [
        ["unexpected-value", "compatibilities/0/rules/0/matchFeatures/0/matchName/value"],
        [
          "invalid-regexp",
          "compatibilities/0/rules/0/matchAny/0/matchFeatures/0/matchName/value/0",
        ],
      ],
    );
  });
});

describe("checkSpec: rules", () => {
  it("varsTemplate syntax errors, with the template's line and column", () => {
    const d = checkSpec(spec(set([rule("r", { varsTemplate: "a=1\n{{ range }}" })])));
    assert.deepEqual(codes(d), ["error:invalid-template"]);
    assert.deepEqual(d[0]?.path, ["compatibilities", 0, "rules", 0, "varsTemplate"]);
    assert.match(d[0]?.message ?? "", /template line 2, col \d+/);
  });
  it("unknown template functions (env is not available)", () => {
    const d = checkSpec(spec(set([rule("r", { varsTemplate: '{{ env "HOME" }}' })])));
    assert.deepEqual(codes(d), ["error:invalid-template"]);
  });
  it("varsTemplate over 64 KiB", () => {
    const d = checkSpec(spec(set([rule("r", { varsTemplate: "a=b\n".repeat(16 * 1024 + 1) })])));
    assert.deepEqual(codes(d), ["error:template-too-large"]);
  });
  it("counts the varsTemplate limit in UTF-8 bytes, 65536 allowed", () => {
    const at = (t: string) => checkSpec(spec(set([rule("r", { varsTemplate: t })])));
    assert.deepEqual(codes(at("é".repeat(32 * 1024))), []);
    const over = at("é".repeat(32 * 1024) + "x");
    assert.deepEqual(codes(over), ["error:template-too-large"]);
    assert.equal(
      over[0]?.message,
      "varsTemplate is 65537 bytes; NFD refuses templates over 65536 bytes",
    );
  });
  it("vars keys that are empty or contain '='", () => {
    const d = checkSpec(spec(set([rule("r", { vars: { "": "x", "a=b": "y", ok: "z" } })])));
    assert.deepEqual(
      d.map((e) => [e.code, e.path.at(-1)]),
      [
        ["invalid-var-name", ""],
        ["invalid-var-name", "a=b"],
      ],
    );
  });
  it("warns on a rule.matched variable no earlier rule publishes", () => {
    const s = spec(
      set([
        rule("a", { vars: { has_gpu: "true" } }),
        rule("b", {
          matchFeatures: [
            term("rule.matched", {
              has_gpu: x("IsTrue"),
              has_gpuu: x("IsTrue"),
              gone: x("DoesNotExist"),
            }),
          ],
        }),
      ]),
      set([
        rule("c"),
        rule("d", { matchFeatures: [term("rule.matched", { has_gpu: x("Exists") })] }),
      ]),
    );
    assert.deepEqual(
      checkSpec(s).map((d) => [d.code, d.path.join("/")]),
      [
        [
          "backref-never-published",
          "compatibilities/0/rules/1/matchFeatures/0/matchExpressions/has_gpuu",
        ],
        [
          "backref-never-published",
          "compatibilities/1/rules/1/matchFeatures/0/matchExpressions/has_gpu",
        ],
      ],
    );
    const templated = spec(
      set([
        rule("a", { varsTemplate: "x=1" }),
        rule("b", { matchFeatures: [term("rule.matched", { x: x("Exists") })] }),
      ]),
    );
    assert.deepEqual(checkSpec(templated), [], "a template may publish any name");
  });

  it("warns on value ops against flags (dashed module names are the spec layer's)", () => {
    const s = oneTerm(
      term("kernel.loadedmodule", {
        "vfio-pci": x("Exists"),
        kvm: x("In", ["kvm"]),
        nvidia: x("NotIn", ["x"]),
      }),
    );
    s.compatibilities[0]?.rules[0]?.matchFeatures?.push(
      term("cpu.cpuid", { AVX2: x("IsTrue"), AVX10_VERSION: x("Ge", ["1"]) }),
      term("kernel.enabledmodule", { "ext-4": x("Exists") }),
    );
    const d = checkSpec(s);
    assert.deepEqual(
      d.map((e) => [e.code, e.path.slice(5).join("/")]),
      [
        ["value-op-on-flag", "0/matchExpressions/kvm/op"],
        ["value-op-on-flag", "0/matchExpressions/nvidia/op"],
        ["value-op-on-flag", "1/matchExpressions/AVX2/op"],
      ],
    );
    assert.match(d[1]?.hint ?? "", /DoesNotExist/);
  });

  it("warns on rule.matched in the first rule of a set", () => {
    const d = checkSpec(
      spec(set([rule("r", { matchFeatures: [term("Rule.Matched", { x: x("Exists") })] })])),
    );
    assert.deepEqual(codes(d), ["warning:backref-in-first-rule"]);
  });
});

const YAML_SPEC = `version: v1alpha1
compatibilities:
- rules:
  - name: kernel
    matchFeatures:
    - feature: kernel.version
      matchExpressions:
        major: {op: Gt, value: ["5", "6"]}
        full: {op: Ge, value: ["5.14.0-1.el9_4"], type: version}
  - name: ok
`;

describe("loadSpec", () => {
  it("locates semantic diagnostics in the file", () => {
    const p = loadSpec(YAML_SPEC, { file: "spec.yaml" });
    assert.ok(p.spec);
    const d = p.diagnostics.map((e) => [e.severity, e.code, e.file, e.line]);
    assert.deepEqual(d, [
      ["error", "op-arity", "spec.yaml", 8],
      ["warning", "version-nfd-incompatible", "spec.yaml", 9],
    ]);
    assert.match(
      formatDiagnostic(p.diagnostics[0] as Diagnostic),
      /^spec\.yaml:8:\d+: error: kernel\.version major: op Gt needs exactly one value/,
    );
  });

  it("refuses each invalid spec of the conformance list", () => {
    const bad = [
      "{op: Equals, value: [Intel]}",
      "{op: Exists, value: [x]}",
      "{op: Gt, value: ['5', '6']}",
      "{op: Gt, value: [five]}",
      "{op: GtLt, value: ['7', '5']}",
      "{op: In, value: []}",
      "{op: InRegexp, value: ['([']}",
      "{op: IsTrue, value: ['true']}",
    ];
    for (const e of bad) {
      const text = `version: v1alpha1\ncompatibilities: [{rules: [{name: r, matchFeatures: [{feature: cpu.model, matchExpressions: {vendor_id: ${e}}}]}]}]\n`;
      const p = loadSpec(text);
      assert.ok(
        p.diagnostics.some((d) => d.severity === "error" && d.line === 2),
        `${e}: ${JSON.stringify(p.diagnostics)}`,
      );
    }
  });

  it("passes the parser's errors through (not YAML, wrong version, no sets)", () => {
    assert.ok(loadSpec("version: v1alpha1\n").diagnostics.some((d) => d.severity === "error"));
    assert.ok(
      loadSpec("version: v1alpha1\ncompatibilities: [\n  - rules: {").diagnostics.some(
        (d) => d.severity === "error",
      ),
    );
    assert.ok(
      loadSpec("version: v9\ncompatibilities: [{rules: [{name: a}]}]\n").diagnostics.some(
        (d) => d.severity === "error",
      ),
    );
  });
});
