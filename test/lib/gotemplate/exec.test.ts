import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { executeTemplate, parseTemplate } from "../../../src/lib/gotemplate/index.js";
import { fails, run } from "./helpers.js";

const PCI = { pci: { device: [{ device: "2330", vendor: "10de" }] } };

describe("gotemplate execution: data access", () => {
  it("runs the compat-spec §5 example", () => {
    assert.equal(
      run('{{ range .pci.device }}gpu-{{ .device }}=true{{ "\\n" }}{{ end }}', PCI),
      "gpu-2330=true\n",
    );
  });

  it("reads field chains from dot, variables and parenthesised pipelines", () => {
    const data = { a: { b: { c: "deep" } }, l: [{ x: "first" }] };
    assert.equal(run("{{ .a.b.c }}", data), "deep");
    assert.equal(run("{{ $v := .a }}{{ $v.b.c }}", data), "deep");
    assert.equal(run("{{ (index .l 0).x }}", data), "first");
    assert.equal(run("{{ $.a.b.c }}{{ with .a }}{{ $.l }}{{ end }}", data), "deep[map[x:first]]");
    assert.equal(run("{{ . }}", { b: "2", a: "1" }), "map[a:1 b:2]");
  });

  it("fails on missing keys as missingkey=error does", () => {
    fails(
      "{{ .nope }}",
      {},
      'template: 1:4: executing "template": map has no entry for key "nope"',
    );
    fails(
      "{{ range .pci.device }}\n  {{ .class }}{{ end }}",
      PCI,
      'template: 2:6: executing "range": map has no entry for key "class"',
    );
    fails(
      "{{ if .x.y }}{{ end }}",
      { x: {} },
      'template: 1:7: executing "if": map has no entry for key "y"',
    );
    fails(
      "{{ with .w }}{{ end }}",
      {},
      'template: 1:9: executing "with": map has no entry for key "w"',
    );
    const e = fails(
      "{{ .a.b }}",
      { a: "str" },
      'template: 1:4: executing "template": can\'t evaluate field b in type string',
    );
    assert.equal(e.construct, "template");
  });

  it("treats nil like Go", () => {
    assert.equal(run("{{ .x }}", { x: null }), "<no value>");
    assert.equal(run("{{ print .x }}", { x: null }), "<nil>");
    fails(
      "{{ .x.y }}",
      { x: null },
      'template: 1:4: executing "template": nil pointer evaluating interface {}.y',
    );
    fails(
      '{{ template "t" }}{{ define "t" }}{{ .k }}{{ end }}',
      {},
      'template: 1:38: executing "t": nil data; no entry for key "k"',
    );
    assert.equal(executeTemplate(parseTemplate("{{ . }}"), null), "<no value>");
    fails("{{ nil }}", {}, 'template: 1:4: executing "template": nil is not a command');
  });

  it("converts JS data to Go values", () => {
    const data = { i: 3, f: 2.5, b: true, big: 10n, m: new Map([["k", "v"]]), u: undefined };
    assert.equal(
      run("{{ .i }} {{ .f }} {{ .b }} {{ .big }} {{ .m.k }} {{ .u }}", data),
      "3 2.5 true 10 v <no value>",
    );
    assert.equal(run('{{ printf "%T %T" .i .f }}', data), "int float64");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => run("{{ . }}", cyclic), /data contains a cycle/);
  });

  it("does not change the caller's data", () => {
    const data = { d: { a: 1 } };
    assert.equal(run('{{ $_ := set .d "b" "2" }}{{ .d }}', data), "map[a:1 b:2]");
    assert.deepEqual(data, { d: { a: 1 } });
  });

  it("treats objects of strings as Go's map[string]string, like NFD's matched elements", () => {
    const data = { e: { vendor: "10de" }, g: { n: 1 } };
    assert.equal(
      run('{{ index .e "class" }}|{{ eq (index .e "class") "" }}|{{ printf "%T" .e }}', data),
      "|true|map[string]string",
    );
    assert.equal(
      run('{{ index .g "x" }}|{{ printf "%T" .g }}', data),
      "<no value>|map[string]interface {}",
    );
    fails(
      '{{ get .e "vendor" }}',
      data,
      /wrong type for value; expected map\[string\]interface \{\}; got map\[string\]string/,
    );
    assert.equal(run('{{ hasKey .g "n" }}', data), "true");
  });
});

describe("gotemplate execution: control structures", () => {
  it("uses Go truthiness", () => {
    const cases: [unknown, string][] = [
      ["", "F"],
      ["x", "T"],
      [0, "F"],
      [1, "T"],
      [0.0, "F"],
      [0.5, "T"],
      [false, "F"],
      [true, "T"],
      [null, "F"],
      [[], "F"],
      [[0], "T"],
      [{}, "F"],
      [{ a: 1 }, "T"],
    ];
    for (const [v, want] of cases)
      assert.equal(run("{{ if .v }}T{{ else }}F{{ end }}", { v }), want, JSON.stringify(v));
  });

  it("chains else if and else with", () => {
    const t =
      "{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else if eq .n 3 }}three{{ else }}many{{ end }}";
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => run(t, { n })),
      ["one", "two", "three", "many"],
    );
    assert.equal(
      run("{{ with .a }}A{{ else with .b }}B={{ . }}{{ else }}none{{ end }}", { a: "", b: "x" }),
      "B=x",
    );
    assert.equal(
      run("{{ with .a }}A{{ else with .b }}B{{ else }}none{{ end }}", { a: "", b: 0 }),
      "none",
    );
  });

  it("sets dot in with and range, keeps $ as the root", () => {
    assert.equal(
      run("{{ with .a }}{{ .b }}/{{ $.top }}{{ end }}", { a: { b: "in" }, top: "root" }),
      "in/root",
    );
    assert.equal(run("{{ range .l }}{{ . }}{{ $.s }}{{ end }}", { l: ["a", "b"], s: "," }), "a,b,");
  });

  it("ranges over slices, maps in key order, and integers", () => {
    assert.equal(run("{{ range $i, $e := . }}{{ $i }}={{ $e }} {{ end }}", ["x", "y"]), "0=x 1=y ");
    assert.equal(
      run("{{ range $k, $v := . }}{{ $k }}={{ $v }} {{ end }}", { b: "2", a: "1", c: "3" }),
      "a=1 b=2 c=3 ",
    );
    assert.equal(run("{{ range . }}{{ . }}{{ end }}", { b: "2", a: "1" }), "12");
    assert.equal(run("{{ range $e := . }}{{ $e }}{{ end }}", ["p", "q"]), "pq");
    assert.equal(
      run("{{ range 4 }}{{ . }}{{ end }}|{{ range $i := 2 }}{{ $i }}{{ end }}"),
      "0123|01",
    );
    assert.equal(run("{{ range 0 }}x{{ else }}none{{ end }}"), "none");
    assert.equal(run("{{ range .l }}x{{ else }}empty{{ end }}", { l: [] }), "empty");
    assert.equal(run("{{ range .m }}x{{ else }}empty{{ end }}", { m: {} }), "empty");
    assert.equal(run("{{ range .n }}x{{ else }}nil{{ end }}", { n: null }), "nil");
    fails(
      "{{ range .s }}{{ end }}",
      { s: "abc" },
      'template: 1:10: executing "range": range can\'t iterate over abc',
    );
    fails(
      "{{ range $i, $e := 3 }}{{ end }}",
      {},
      /can't use 3 to iterate over more than one variable/,
    );
  });

  it("supports break and continue, also inside if and with", () => {
    const t =
      "{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ with eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}";
    assert.equal(run(t, [1, 2, 3, 4, 5]), "13");
    assert.equal(
      run("{{ range $i, $_ := . }}{{ range . }}{{ break }}{{ end }}{{ $i }}{{ end }}", [[1], [2]]),
      "01",
    );
  });

  it("scopes variables as Go does", () => {
    assert.equal(run("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"), "2");
    assert.equal(run("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}"), "21");
    assert.equal(
      run('{{ $s := "" }}{{ range . }}{{ $s = printf "%s%s" $s . }}{{ end }}{{ $s }}', ["a", "b"]),
      "ab",
    );
    assert.equal(run("{{ $i := 0 }}{{ range $i = . }}{{ end }}{{ $i }}", ["a", "b"]), "b");
    assert.equal(
      run('{{ $k := "" }}{{ $v := "" }}{{ range $k, $v = . }}{{ end }}{{ $k }}{{ $v }}', {
        a: "1",
        b: "2",
      }),
      "b2",
    );
    assert.equal(run("{{ if $x := .a }}{{ $x }}{{ else }}no {{ $x }}{{ end }}", { a: "" }), "no ");
    assert.equal(run("{{ $x := 5 }}"), "");
  });

  it("runs define, template and block with their own $", () => {
    assert.equal(
      run(
        '{{ define "item" }}[{{ . }}|{{ $ }}]{{ end }}{{ template "item" "a" }}{{ template "item" 2 }}',
      ),
      "[a|a][2|2]",
    );
    assert.equal(run('{{ block "b" .x }}<{{ . }}>{{ end }}', { x: "v" }), "<v>");
    assert.equal(
      run(
        '{{ define "t" }}  {{ end }}{{ define "t" }}full{{ end }}{{ define "t" }} {{ end }}{{ template "t" }}',
      ),
      "full",
    );
    fails(
      '{{ define "t" }}a{{ end }}{{ define "t" }}b{{ end }}',
      {},
      'template: 1:37: multiple definition of template "t"',
    );
    fails(
      '{{ define "b" }}x{{ end }}{{ block "b" . }}y{{ end }}',
      {},
      /multiple definition of template "b"/,
    );
    const rec =
      '{{ define "down" }}{{ . }}{{ if gt . 0 }},{{ template "down" (sub . 1) }}{{ end }}{{ end }}{{ template "down" 3 }}';
    assert.equal(run(rec), "3,2,1,0");
    fails(
      '{{ template "missing" }}',
      {},
      'template: 1:4: executing "template": template "missing" not defined',
    );
    fails(
      '{{ define "t" }}{{ .nope }}{{ end }}{{ template "t" . }}',
      {},
      'template: 1:20: executing "t": map has no entry for key "nope"',
    );
  });

  it("reports function errors with the function as the construct", () => {
    const e = fails(
      "{{ index .l 3 }}",
      { l: [1] },
      'template: 1:4: executing "index": error calling index: index out of range: 3',
    );
    assert.equal(e.construct, "index");
    fails("{{ len 3 }}", {}, 'template: 1:4: executing "len": error calling len: len of type int');
  });

  it("checks argument counts and types as Go does", () => {
    fails(
      '{{ upper "a" "b" }}',
      {},
      'template: 1:4: executing "template": wrong number of args for upper: want 1 got 2',
    );
    fails(
      "{{ eq }}",
      {},
      'template: 1:4: executing "template": wrong number of args for eq: want at least 1 got 0',
    );
    fails("{{ printf 3 }}", {}, 'template: 1:11: executing "template": expected string; found 3');
    fails(
      '{{ repeat "3" "x" }}',
      {},
      'template: 1:11: executing "template": expected integer; found "3"',
    );
    fails(
      "{{ upper .n }}",
      { n: 1 },
      'template: 1:10: executing "template": wrong type for value; expected string; got int',
    );
    fails("{{ .n | upper }}", { n: 1 }, /wrong type for value; expected string; got int/);
    fails("{{ upper nil }}", {}, /cannot assign nil to string/);
    fails(
      "{{ .a 1 }}",
      { a: "x" },
      'template: 1:4: executing "template": a is not a method but has arguments',
    );
    fails("{{ 1 | .a }}", { a: "x" }, /a is not a method but has arguments/);
    fails('{{ "x" 1 }}', {}, /can't give argument to non-function "x"/);
    fails("{{ (1).x }}", {}, /can't evaluate field x in type int/);
  });

  it("passes the pipeline value as the last argument", () => {
    assert.equal(run('{{ "b" | printf "%s-%s" "a" }}'), "a-b");
    assert.equal(run("{{ 3 | add 1 | mul 2 }}"), "8");
    assert.equal(run('{{ .s | upper | printf "<%s>" }}', { s: "x" }), "<X>");
    assert.equal(run('{{ (printf "%d" 1) | len }}'), "1");
  });
});
