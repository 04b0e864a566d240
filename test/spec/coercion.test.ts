// How unquoted YAML scalars become Go strings in NFD (go-yaml v2 + sigs.k8s.io/yaml).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolvePlain } from "../../src/spec/yaml11.js";
import { formatFloat32G } from "../../src/lib/go/floatfmt.js";
import { parseSpec } from "../../src/spec/index.js";

// [written, YAML 1.1 kind, Go string NFD gets (null: stays unset)]
const TABLE: Array<[string, string, string | null]> = [
  ["5.10", "float", "5.1"],
  ["1.10", "float", "1.1"],
  ["22.04", "float", "22.04"],
  ["6.8", "float", "6.8"],
  ["10.0", "float", "10"],
  ["3.14159265358979", "float", "3.1415927"],
  ["1e3", "float", "1000"],
  ["1.5e3", "float", "1500"],
  ["123456.0", "float", "123456"],
  ["1234567.0", "float", "1.234567e+06"],
  ["16777217.0", "float", "1.6777216e+07"],
  ["0.0001", "float", "0.0001"],
  ["0.00001", "float", "1e-05"],
  [".5", "float", "0.5"],
  ["-2.5", "float", "-2.5"],
  ["1e39", "float", "+Inf"],
  [".inf", "float", "+Inf"],
  ["-.Inf", "float", "-Inf"],
  [".NaN", "float", "NaN"],
  ["08", "float", "8"],
  ["18446744073709551616", "float", "1.8446744e+19"],
  ["5", "int", "5"],
  ["+5", "int", "5"],
  ["-0", "int", "0"],
  ["0x10", "int", "16"],
  ["0X1f", "int", "31"],
  ["010", "int", "8"],
  ["0o10", "int", "8"],
  ["0b11", "int", "3"],
  ["1_000", "int", "1000"],
  ["9223372036854775807", "int", "9223372036854775807"],
  ["9223372036854775808", "int", "9223372036854775808"],
  ["-9223372036854775808", "int", "-9223372036854775808"],
  ["yes", "bool", "true"],
  ["Yes", "bool", "true"],
  ["YES", "bool", "true"],
  ["y", "bool", "true"],
  ["Y", "bool", "true"],
  ["on", "bool", "true"],
  ["true", "bool", "true"],
  ["no", "bool", "false"],
  ["n", "bool", "false"],
  ["Off", "bool", "false"],
  ["FALSE", "bool", "false"],
  ["~", "null", null],
  ["null", "null", null],
  ["NULL", "null", null],
  ["", "null", null],
  ["2024-01-02", "timestamp", "2024-01-02"],
  ["2001-12-14t21:59:43.10-05:00", "timestamp", "2001-12-14t21:59:43.10-05:00"],
  // strings
  ["yEs", "string", "yEs"],
  ["NUll", "string", "NUll"],
  ["1e400", "string", "1e400"],
  ["0x", "string", "0x"],
  ["0xG", "string", "0xG"],
  ["12:30", "string", "12:30"],
  ["6.8.0", "string", "6.8.0"],
  ["v1", "string", "v1"],
  ["-", "string", "-"],
  ["0eee", "string", "0eee"],
  ["0200e", "string", "0200e"],
  [".x", "string", ".x"],
  ["Intel", "string", "Intel"],
];

describe("YAML 1.1 scalars as NFD reads them into string fields", () => {
  for (const [src, kind, text] of TABLE) {
    it(`${JSON.stringify(src)} is ${kind} -> ${JSON.stringify(text)}`, () => {
      const r = resolvePlain(src);
      assert.equal(r.kind, kind);
      assert.equal(r.text, text);
    });
  }

  it("0200 (a PCI class) is an octal int: the string NFD compares is 128", () => {
    assert.deepEqual([resolvePlain("0200").kind, resolvePlain("0200").text], ["int", "128"]);
  });

  it("formats float32 like Go's FormatFloat(f, 'g', -1, 32)", () => {
    assert.equal(formatFloat32G(0), "0");
    assert.equal(formatFloat32G(-0), "-0");
    assert.equal(formatFloat32G(100000), "100000");
    assert.equal(formatFloat32G(1e6), "1e+06");
    assert.equal(formatFloat32G(3.4028235e38), "3.4028235e+38");
    assert.equal(formatFloat32G(1e-45), "1e-45");
    assert.equal(formatFloat32G(0.1), "0.1");
  });
});

describe("coercion through parseSpec", () => {
  const spec = (value: string, extra = "") =>
    `version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        x: {op: In, value: ${value}}\n${extra}`;

  it("coerces unquoted items and keeps quoted and block ones", () => {
    const p = parseSpec(spec(`[5.10, "5.10", '0x10', 0x10, yes, ~, !!str 1.0, Intel]`));
    const e = p.spec?.compatibilities[0]?.rules[0]?.matchFeatures?.[0]?.matchExpressions?.x;
    assert.deepEqual(e?.value, ["5.1", "5.10", "0x10", "16", "true", "", "1.0", "Intel"]);
  });

  it("coerces string fields elsewhere too (name, tag, vars values, op)", () => {
    const p = parseSpec(
      "version: v1alpha1\ncompatibilities:\n- tag: 1.10\n  description: on\n  rules:\n  - name: 010\n    vars: {a: yes, b: 5.0, c: ~}\n",
    );
    const set = p.spec?.compatibilities[0];
    assert.equal(set?.tag, "1.1");
    assert.equal(set?.description, "true");
    assert.equal(set?.rules[0]?.name, "8");
    assert.deepEqual({ ...set?.rules[0]?.vars }, { a: "true", b: "5", c: "" });
  });

  it("turns element-name keys into strings as sigs.k8s.io/yaml does", () => {
    const p = parseSpec(
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions: {1.10: {op: Exists}, on: {op: Exists}, 0x10: {op: Exists}}\n",
    );
    const me = p.spec?.compatibilities[0]?.rules[0]?.matchFeatures?.[0]?.matchExpressions ?? {};
    assert.deepEqual(Object.keys(me).sort(), ["1.1", "16", "true"]);
  });

  it("refuses a null key (sigs.k8s.io/yaml cannot make it a JSON key)", () => {
    const p = parseSpec(
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    vars: {~: x}\n",
    );
    const d = p.diagnostics.find((x) => x.severity === "error");
    assert.equal(d?.code, "wrong-type");
    assert.match(d?.message ?? "", /`~` cannot be a Go map key/);
    assert.deepEqual([d?.line, d?.col], [5, 12]);
  });
});
