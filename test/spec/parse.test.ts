// parseSpec: the model it builds and every structural error/warning, with positions.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic, parseSpec, type Diagnostic } from "../../src/spec/index.js";

function lines(text: string): string[] {
  return parseSpec(text).diagnostics.map(
    (d) => `${d.line}:${d.col} ${d.severity} ${d.code}: ${d.message}`,
  );
}

function only(text: string, code: string): Diagnostic {
  const ds = parseSpec(text).diagnostics.filter((d) => d.code === code);
  assert.equal(
    ds.length,
    1,
    `one ${code} expected in ${JSON.stringify(parseSpec(text).diagnostics)}`,
  );
  return ds[0] as Diagnostic;
}

/** A valid spec with one term; `expr` is the flow mapping of one expression. */
function oneExpr(expr: string, feature = "cpu.model", element = "vendor_id"): string {
  return [
    "version: v1alpha1",
    "compatibilities:",
    "- rules:",
    "  - name: r",
    "    matchFeatures:",
    `    - feature: ${feature}`,
    "      matchExpressions:",
    `        ${element}: ${expr}`,
    "",
  ].join("\n");
}

const EXAMPLE = `version: v1alpha1
compatibilities:
- description: "My image requirements"
  weight: 10
  tag: gpu
  rules:
  - name: "kernel and cpu"
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions:
        vfio_pci: {op: Exists}
    - feature: cpu.model
      matchExpressions:
        vendor_id: {op: In, value: ["Intel", "AMD"]}
  - name: "one of available nics"
    vars: {nic: "true"}
    varsTemplate: "{{ range .pci.device }}x={{ .vendor }}{{ end }}"
    matchAny:
    - matchFeatures:
      - feature: pci.device
        matchExpressions:
          vendor: {op: In, value: ["0eee"]}
          class: {op: In, value: ["0200"]}
      - feature: cpu.cpuid
        matchName: {op: InRegexp, value: ["^AVX"]}
`;

describe("parseSpec: happy path", () => {
  it("builds the normalised model with no diagnostics", () => {
    const p = parseSpec(EXAMPLE, { file: "spec.yaml" });
    assert.deepEqual(p.diagnostics, []);
    assert.equal(p.file, "spec.yaml");
    const s = p.spec;
    assert.ok(s);
    assert.equal(s.version, "v1alpha1");
    const set = s.compatibilities[0];
    assert.equal(set?.weight, 10);
    assert.equal(set?.tag, "gpu");
    assert.equal(set?.description, "My image requirements");
    const [r0, r1] = set?.rules ?? [];
    assert.equal(r0?.name, "kernel and cpu");
    assert.deepEqual(r0?.matchFeatures?.[0]?.matchExpressions?.vfio_pci, {
      op: "Exists",
      value: [],
      type: "",
    });
    assert.deepEqual(r0?.matchFeatures?.[1]?.matchExpressions?.vendor_id, {
      op: "In",
      value: ["Intel", "AMD"],
      type: "",
    });
    assert.equal(r0?.matchAny, undefined);
    assert.deepEqual({ ...r1?.vars }, { nic: "true" });
    assert.equal(r1?.varsTemplate, "{{ range .pci.device }}x={{ .vendor }}{{ end }}");
    assert.equal(r1?.matchAny?.length, 1);
    assert.equal(r1?.matchAny?.[0]?.matchFeatures[1]?.matchName?.op, "InRegexp");
  });

  it("uses null-prototype maps for untrusted keys", () => {
    const p = parseSpec(oneExpr("{op: Exists}", "cpu.model", "__proto__"));
    const me = p.spec?.compatibilities[0]?.rules[0]?.matchFeatures?.[0]?.matchExpressions;
    assert.ok(me);
    assert.equal(Object.getPrototypeOf(me), null);
    assert.deepEqual(Object.keys(me), ["__proto__"]);
    const vars = parseSpec(
      "version: v1alpha1\ncompatibilities: [{rules: [{name: r, vars: {constructor: x}}]}]",
    ).spec?.compatibilities[0]?.rules[0]?.vars;
    assert.equal(Object.getPrototypeOf(vars), null);
  });

  it("reads JSON", () => {
    const json = JSON.stringify({
      version: "v1alpha1",
      compatibilities: [
        {
          rules: [
            {
              name: "r",
              matchFeatures: [
                {
                  feature: "kernel.version",
                  matchExpressions: { major: { op: "Gt", value: ["5"] } },
                },
              ],
            },
          ],
        },
      ],
    });
    const p = parseSpec(json);
    assert.deepEqual(p.diagnostics, []);
    assert.deepEqual(
      p.spec?.compatibilities[0]?.rules[0]?.matchFeatures?.[0]?.matchExpressions?.major?.value,
      ["5"],
    );
  });

  it("keeps an empty matchExpressions map and drops null fields", () => {
    const p = parseSpec(
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    vars: ~\n    matchAny: null\n    matchFeatures:\n    - {feature: pci.device, matchExpressions: {}, matchName: ~}\n",
    );
    assert.deepEqual(p.diagnostics, []);
    const rule = p.spec?.compatibilities[0]?.rules[0];
    assert.equal(rule?.name, "r");
    assert.deepEqual(Object.keys(rule ?? {}).sort(), ["matchFeatures", "name"]);
    assert.deepEqual(Object.keys(rule?.matchFeatures?.[0] ?? {}).sort(), [
      "feature",
      "matchExpressions",
    ]);
    assert.deepEqual({ ...rule?.matchFeatures?.[0]?.matchExpressions }, {});
  });

  it("accepts a weight written as an integral float, as Go does", () => {
    const p = parseSpec("version: v1alpha1\ncompatibilities: [{weight: 5.0, rules: [{name: r}]}]");
    assert.equal(p.spec?.compatibilities[0]?.weight, 5);
    assert.deepEqual(p.diagnostics, []);
  });

  it("expands anchors, aliases and merge keys", () => {
    const p = parseSpec(`version: v1alpha1
compatibilities:
- rules:
  - name: base
    matchFeatures:
    - &avx {feature: cpu.cpuid, matchExpressions: {AVX2: {op: Exists}}}
  - name: again
    matchFeatures: [*avx]
  - <<: {name: merged, vars: {a: "1"}}
    vars: {b: "2"}
`);
    assert.deepEqual(p.diagnostics, []);
    const rules = p.spec?.compatibilities[0]?.rules ?? [];
    assert.equal(rules[1]?.matchFeatures?.[0]?.feature, "cpu.cpuid");
    assert.equal(rules[2]?.name, "merged");
    assert.deepEqual({ ...rules[2]?.vars }, { b: "2" });
  });
});

describe("parseSpec: locate()", () => {
  const p = parseSpec(EXAMPLE);
  it("finds scalars at their value, collections at their key", () => {
    assert.deepEqual(p.locate(["version"]), { line: 1, col: 10 });
    assert.deepEqual(p.locate(["compatibilities"]), { line: 2, col: 1 });
    assert.deepEqual(p.locate(["compatibilities", 0]), { line: 3, col: 3 });
    assert.deepEqual(p.locate(["compatibilities", 0, "rules", 1, "name"]), { line: 15, col: 11 });
    const vendor = [
      "compatibilities",
      0,
      "rules",
      0,
      "matchFeatures",
      1,
      "matchExpressions",
      "vendor_id",
    ];
    assert.deepEqual(p.locate(vendor), { line: 14, col: 9 });
    assert.deepEqual(p.locate([...vendor, "op"]), { line: 14, col: 25 });
    assert.deepEqual(p.locate([...vendor, "value"]), { line: 14, col: 29 });
    assert.deepEqual(p.locate([...vendor, "value", 1]), { line: 14, col: 46 });
    assert.deepEqual(p.locate(["compatibilities", 0, "rules", 1, "vars", "nic"]), {
      line: 16,
      col: 17,
    });
  });
  it("falls back to the nearest written ancestor", () => {
    assert.deepEqual(p.locate(["compatibilities", 0, "rules", 1, "matchFeatures"]), {
      line: 15,
      col: 5,
    });
    assert.deepEqual(p.locate(["nothing"]), { line: 1, col: 1 });
  });
});

describe("parseSpec: document-level errors", () => {
  it("refuses text that is not YAML, at the place of the problem", () => {
    const [d] = parseSpec("version: v1alpha1\ncompatibilities: [\n  - rules: {").diagnostics;
    assert.equal(d?.code, "yaml-syntax");
    assert.equal(d?.severity, "error");
    assert.deepEqual([d?.line, d?.col], [3, 3]);
    assert.equal(
      d?.message,
      "YAML syntax error: block collections are not allowed within flow collections",
    );
    if (!d) return;
    assert.match(d.message, /^YAML syntax error: /);
    assert.ok(!d.message.includes("\n"), "one line");
    assert.equal(parseSpec("version: v1alpha1\ncompatibilities: [\n  - rules: {").spec, null);
  });

  it("refuses an empty document", () => {
    assert.deepEqual(lines(""), ["1:1 error empty-spec: the spec is empty"]);
    assert.deepEqual(lines("# nothing\n"), ["1:1 error empty-spec: the spec is empty"]);
    assert.equal(parseSpec("").spec, null);
  });

  it("refuses a document that is not a mapping", () => {
    assert.deepEqual(lines("- a\n"), [
      "1:1 error wrong-type: the spec must be a mapping with version and compatibilities, not a list",
    ]);
    assert.deepEqual(lines("hello\n"), [
      "1:1 error wrong-type: the spec must be a mapping with version and compatibilities, not a string",
    ]);
  });

  it("refuses several documents", () => {
    const text =
      "version: v1alpha1\ncompatibilities: [{rules: [{name: r}]}]\n---\nversion: v1alpha1\n";
    assert.deepEqual(lines(text), [
      "3:1 error multiple-documents: the spec holds more than one YAML document",
    ]);
  });

  it("refuses duplicate keys", () => {
    const text = "version: v1alpha1\ncompatibilities: [{rules: [{name: a, name: b}]}]\n";
    assert.deepEqual(lines(text), [
      "2:38 error duplicate-key: this key is given twice in the same mapping",
    ]);
  });

  it("refuses an unknown version and a missing one", () => {
    assert.deepEqual(lines("version: v9\ncompatibilities: [{rules: [{name: always}]}]\n"), [
      '1:10 error unsupported-version: unsupported spec version "v9"; kompat reads v1alpha1',
    ]);
    assert.deepEqual(lines("compatibilities: [{rules: [{name: always}]}]\n"), [
      '1:1 error missing-field: the spec needs "version"',
    ]);
    assert.deepEqual(lines("version:\ncompatibilities: [{rules: [{name: always}]}]\n"), [
      '1:1 error missing-field: the spec needs "version"',
    ]);
  });

  it("refuses a spec without compatibility sets", () => {
    assert.deepEqual(lines("version: v1alpha1\n"), [
      '1:1 error missing-field: the spec needs "compatibilities"',
    ]);
    assert.deepEqual(lines("version: v1alpha1\ncompatibilities: []\n"), [
      "2:18 error no-compatibilities: compatibilities is empty: the spec says nothing about the host",
    ]);
  });
});

describe("parseSpec: structure", () => {
  it("requires rules in a set, and warns when the list is empty", () => {
    assert.deepEqual(lines("version: v1alpha1\ncompatibilities:\n- tag: a\n"), [
      '3:3 error missing-field: a compatibility set needs "rules"',
    ]);
    assert.deepEqual(lines("version: v1alpha1\ncompatibilities:\n- rules: []\n"), [
      "3:10 warning empty-rules: this compatibility set has no rules, so it matches every node",
    ]);
  });

  it("requires a rule name", () => {
    assert.deepEqual(lines("version: v1alpha1\ncompatibilities:\n- rules:\n  - vars: {a: b}\n"), [
      '4:5 error missing-field: a rule needs "name"',
    ]);
    assert.deepEqual(lines('version: v1alpha1\ncompatibilities:\n- rules:\n  - name: ""\n'), [
      "4:11 error missing-field: a rule needs a non-empty name",
    ]);
  });

  it("requires a feature in each term", () => {
    const t =
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - matchExpressions: {a: {op: Exists}}\n";
    assert.deepEqual(lines(t), ['6:7 error missing-field: a feature term needs "feature"']);
  });

  it("requires op in each expression", () => {
    assert.deepEqual(lines(oneExpr('{value: ["x"]}')), [
      '8:20 error missing-field: an expression needs "op"',
    ]);
  });

  it("accepts the empty op", () => {
    const p = parseSpec(oneExpr('{op: ""}'));
    assert.deepEqual(p.diagnostics, []);
    assert.equal(
      p.spec?.compatibilities[0]?.rules[0]?.matchFeatures?.[0]?.matchExpressions?.vendor_id?.op,
      "",
    );
  });

  it("refuses an unknown op with a suggestion", () => {
    const d = only(oneExpr("{op: Equals, value: [Intel]}"), "unknown-op");
    assert.equal(d.message, 'unknown op "Equals"');
    assert.deepEqual([d.line, d.col], [8, 25]);
    assert.deepEqual(d.path, [
      "compatibilities",
      0,
      "rules",
      0,
      "matchFeatures",
      0,
      "matchExpressions",
      "vendor_id",
      "op",
    ]);
    assert.match(d.hint ?? "", /^ops are In, NotIn/);
    assert.match(
      only(oneExpr("{op: exists}"), "unknown-op").hint ?? "",
      /^did you mean "Exists"\?/,
    );
    assert.match(
      only(oneExpr("{op: Inn, value: [a]}"), "unknown-op").hint ?? "",
      /^did you mean "In"\?/,
    );
    assert.match(
      only(oneExpr("{op: GtLe, value: [a]}"), "unknown-op").hint ?? "",
      /^did you mean "(GtLt|GeLe)"\?/,
    );
  });

  it("refuses an unknown type", () => {
    const d = only(oneExpr("{op: Gt, value: ['1'], type: semver}"), "unknown-type");
    assert.equal(d.message, 'unknown type "semver"');
    assert.deepEqual([d.line, d.col], [8, 49]);
  });

  it("refuses an expression that is null", () => {
    const d = only(oneExpr(""), "wrong-type");
    assert.equal(d.message, '"vendor_id" has no expression');
    assert.deepEqual([d.line, d.col], [8, 9]);
  });

  it("drops invalid expressions from the model but keeps the rest", () => {
    const p = parseSpec(oneExpr("{op: Nope}"));
    assert.ok(p.spec);
    assert.deepEqual(
      { ...p.spec.compatibilities[0]?.rules[0]?.matchFeatures?.[0]?.matchExpressions },
      {},
    );
  });

  it("requires matchAny items to be {matchFeatures: [...]}", () => {
    const base = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchAny:\n";
    assert.deepEqual(lines(`${base}    - feature: cpu.model\n`), [
      '6:7 error unknown-field: unknown field "feature" in a matchAny item',
      '6:7 error missing-field: a matchAny item needs "matchFeatures"',
    ]);
    const d = only(`${base}    - feature: cpu.model\n`, "unknown-field");
    assert.match(d.hint ?? "", /"feature" belongs in a feature term/);
    assert.deepEqual(lines(`${base}    - [a]\n`), [
      "6:7 error wrong-type: item 0 of matchAny must be a mapping (a matchAny item), not a list",
    ]);
  });
});

describe("parseSpec: unknown and case-variant fields", () => {
  it("refuses a typo with did-you-mean", () => {
    const t = oneExpr("{op: Exists}").replace("matchExpressions:", "matchExpression:");
    const d = only(t, "unknown-field");
    assert.equal(d.message, 'unknown field "matchExpression" in a feature term');
    assert.match(d.hint ?? "", /^did you mean "matchExpressions"\?/);
    assert.deepEqual([d.line, d.col], [7, 7]);
    assert.deepEqual(d.path, [
      "compatibilities",
      0,
      "rules",
      0,
      "matchFeatures",
      0,
      "matchExpression",
    ]);
  });

  it("says where a misplaced field belongs", () => {
    const t =
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchExpressions: {a: {op: Exists}}\n";
    const d = only(t, "unknown-field");
    assert.equal(d.message, 'unknown field "matchExpressions" in a rule');
    assert.match(d.hint ?? "", /belongs in a feature term/);
  });

  it("accepts a field that matches only case-insensitively, with a warning", () => {
    const t =
      "Version: v1alpha1\ncompatibilities:\n- Rules:\n  - NAME: r\n    MatchFeatures:\n    - feature: cpu.model\n";
    assert.deepEqual(lines(t), [
      '1:1 warning field-case: field "Version" is read as "version" (field names match case-insensitively)',
      '3:3 warning field-case: field "Rules" is read as "rules" (field names match case-insensitively)',
      '4:5 warning field-case: field "NAME" is read as "name" (field names match case-insensitively)',
      '5:5 warning field-case: field "MatchFeatures" is read as "matchFeatures" (field names match case-insensitively)',
    ]);
    const p = parseSpec(t);
    assert.equal(p.spec?.compatibilities[0]?.rules[0]?.matchFeatures?.[0]?.feature, "cpu.model");
  });

  it("folds like Go (Kelvin sign and long s)", () => {
    const t = "version: v1alpha1\ncompatibilities: [{rule\u017f: [{name: r}]}]\n";
    assert.equal(parseSpec(t).spec?.compatibilities[0]?.rules[0]?.name, "r");
  });

  it("refuses one field given under two spellings", () => {
    const t = "version: v1alpha1\ncompatibilities: [{rules: [{name: a, Name: b}]}]\n";
    const d = only(t, "duplicate-field");
    assert.equal(d.message, 'field "name" is given twice (as "name" and "Name")');
    assert.deepEqual([d.line, d.col], [2, 38]);
  });
});

describe("parseSpec: wrong types", () => {
  const set = (s: string) => `version: v1alpha1\ncompatibilities:\n- ${s}\n`;
  it("names the path and the expected type", () => {
    assert.deepEqual(lines(set("rules: {name: r}")), [
      '3:10 error wrong-type: "rules" must be a list, not a mapping',
    ]);
    assert.deepEqual(
      lines(set('rules: []\n  weight: "5"')).filter((l) => l.includes("error")),
      ['4:11 error wrong-type: "weight" must be an integer, not a string'],
    );
    assert.deepEqual(
      lines(set("rules: []\n  weight: 1.5")).filter((l) => l.includes("error")),
      ['4:11 error wrong-type: "weight" must be an integer, not a number'],
    );
    assert.deepEqual(lines(set("rules: [{name: r, vars: [a]}]")), [
      '3:27 error wrong-type: "vars" must be a mapping of names to strings, not a list',
    ]);
    assert.deepEqual(lines(set("rules: [{name: {a: b}}]")), [
      '3:18 error wrong-type: "name" must be a string, not a mapping',
    ]);
    assert.deepEqual(lines(set("rules: [{name: r, vars: {a: [x]}}]")), [
      '3:31 error wrong-type: vars "a" must be a string, not a list',
    ]);
    assert.deepEqual(lines(oneExpr('{op: In, value: "x"}')), [
      '8:36 error wrong-type: "value" must be a list, not a string',
    ]);
    assert.deepEqual(lines(oneExpr("{op: In, value: [[x]]}")), [
      "8:37 error wrong-type: value item 0 must be a string, not a list",
    ]);
    assert.deepEqual(lines(oneExpr("[vfio]")), [
      '8:20 error wrong-type: "vendor_id" must be a mapping (an expression), not a list',
    ]);
    const term =
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: pci.device\n      matchExpressions: [vendor]\n";
    assert.deepEqual(lines(term), [
      '7:25 error wrong-type: "matchExpressions" must be a mapping of element names to expressions, not a list',
    ]);
  });

  it("shows how to write a single value as a list", () => {
    assert.equal(only(oneExpr('{op: In, value: "x"}'), "wrong-type").hint, 'write value: ["x"]');
  });

  it("refuses a weight that does not fit a Go int", () => {
    assert.equal(
      only(set("rules: []\n  weight: 18446744073709551615"), "wrong-type").message,
      '"weight" must be an integer, not a number',
    );
  });
});

describe("parseSpec: warnings", () => {
  it("warns on every unquoted non-string scalar in a value list", () => {
    const ds = parseSpec(
      oneExpr("{op: In, value: [5.10, yes, 0200, ~, 7, '8', Intel]}"),
    ).diagnostics;
    assert.deepEqual(
      ds.map((d) => [d.severity, d.code, d.col, d.message]),
      [
        ["warning", "unquoted-scalar", 37, '`5.10` is read as "5.1"; quote it'],
        ["warning", "unquoted-scalar", 43, '`yes` is read as "true"; quote it'],
        ["warning", "unquoted-scalar", 48, '`0200` is read as "128"; quote it'],
        ["warning", "unquoted-scalar", 54, '`~` is read as ""; quote it'],
        [
          "warning",
          "unquoted-scalar",
          57,
          '`7` is a number in YAML 1.1, read as the string "7"; quote it',
        ],
      ],
    );
    assert.equal(ds[0]?.hint, 'write "5.10" to keep the text as written');
  });

  it("elsewhere, warns when Go's reading changes the text", () => {
    const t = [
      "version: v1alpha1",
      "compatibilities:",
      "- tag: 1.10",
      "  description: yes",
      "  rules:",
      "  - name: 010",
      "    vars: {a: true, b: 5.0, 0x1: c}",
      "    matchFeatures:",
      "    - feature: cpu.model",
      "      matchExpressions: {1.10: {op: Exists}, 7: {op: Exists}}",
      "",
    ].join("\n");
    assert.deepEqual(
      parseSpec(t).diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`),
      [
        '3:8 unquoted-scalar `1.10` is read as "1.1"; quote it',
        '4:16 unquoted-scalar `yes` is read as "true"; quote it',
        '6:11 unquoted-scalar `010` is read as "8"; quote it',
        '7:24 unquoted-scalar `5.0` is read as "5"; quote it',
        '7:29 unquoted-scalar `0x1` is read as "1"; quote it',
        '10:26 unquoted-scalar `1.10` is read as "1.1"; quote it',
      ],
    );
  });

  it("warns on a dash in a kernel module name", () => {
    const d = only(oneExpr("{op: Exists}", "kernel.loadedmodule", "vfio-pci"), "module-dash");
    assert.equal(d.severity, "warning");
    assert.equal(
      d.message,
      'kernel module "vfio-pci" never matches: /proc/modules lists it as "vfio_pci"',
    );
    assert.equal(d.hint, "write vfio_pci");
    assert.deepEqual([d.line, d.col], [8, 9]);
    assert.equal(
      only(oneExpr("{op: Exists}", "Kernel.LoadedModule", "a-b"), "module-dash").hint,
      "write a_b",
    );
    // Built-in modules keep their dashes in kernel.enabledmodule (modules.builtin).
    for (const feature of ["kernel.enabledmodule", "pci.device"]) {
      assert.deepEqual(parseSpec(oneExpr("{op: Exists}", feature, "a-b")).diagnostics, [], feature);
    }
  });

  it("warns on a feature no source provides, with the closest name", () => {
    const d = only(oneExpr("{op: Exists}", "cpu.cpuids"), "unknown-feature");
    assert.equal(
      d.message,
      'no NFD source provides the feature "cpu.cpuids"; the term will never match',
    );
    assert.equal(d.hint, 'did you mean "cpu.cpuid"?');
    assert.deepEqual([d.line, d.col], [6, 16]);
    assert.match(
      only(oneExpr("{op: Exists}", "foo.bar"), "unknown-feature").hint ?? "",
      /^features are <domain>\.<name>/,
    );
    assert.deepEqual(parseSpec(oneExpr("{op: Exists}", "Rule.Matched")).diagnostics, []);
  });

  it("warns on a weight outside 1..100", () => {
    const t = (w: string) =>
      `version: v1alpha1\ncompatibilities:\n- weight: ${w}\n  rules: [{name: r}]\n`;
    const d = only(t("101"), "weight-range");
    assert.equal(
      d.message,
      "weight 101 is outside 1..100, the range of Kubernetes node-affinity weights",
    );
    assert.deepEqual([d.line, d.col], [3, 11]);
    assert.equal(only(t("0"), "weight-range").severity, "warning");
    assert.deepEqual(parseSpec(t("100")).diagnostics, []);
  });
});

describe("parseSpec: every diagnostic is complete", () => {
  const bad = [
    "",
    "a: [",
    "- 1",
    "version: v2\ncompatibilities: []\nextra: 1",
    oneExpr("{op: Nope, value: [5.1], type: x, extra: 1}", "kernel.loadedmodule", "a-b"),
    "version: v1alpha1\ncompatibilities:\n- weight: x\n  rules: [{matchAny: [{}], vars: 1}]\n",
  ];
  for (const text of bad) {
    it(JSON.stringify(text.slice(0, 40)), () => {
      const p = parseSpec(text, { file: "f.yaml" });
      assert.ok(p.diagnostics.length > 0);
      for (const d of p.diagnostics) {
        assert.ok(d.code && d.hint && d.line && d.col && Array.isArray(d.path), JSON.stringify(d));
        assert.equal(d.file, "f.yaml");
        assert.ok(!d.hint.includes("\n") && !d.message.includes("\n"));
        assert.match(formatDiagnostic(d), /^f\.yaml:\d+:\d+: (error|warning): /);
      }
    });
  }
});
