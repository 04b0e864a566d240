import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  executeTemplate,
  parseTemplate,
  TemplateError,
} from "../../../src/lib/gotemplate/index.js";
import { fails, parseFails, run } from "./helpers.js";

// Each case must end with a TemplateError (never a RangeError, a hang or an out-of-memory crash).
describe("gotemplate against hostile templates", () => {
  it("stops nested loops at the step budget", () => {
    fails(
      "{{ range 1000 }}{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}{{ end }}",
      {},
      /execution stopped after 1000000 steps/,
    );
    fails("{{ range 50 }}x{{ end }}", {}, /execution stopped after 20 steps/, { maxSteps: 20 });
    assert.equal(run("{{ range 50 }}x{{ end }}", {}, { maxSteps: 500 }).length, 50);
  });

  it("charges functions for the size of their inputs", () => {
    fails(
      "{{ $l := until 100000 }}{{ range $l }}{{ if has . $l }}{{ end }}{{ end }}",
      {},
      /execution stopped/,
    );
    fails(
      '{{ $s := repeat 1000000 "x" }}{{ range 1000000 }}{{ if regexMatch "y" $s }}{{ end }}{{ end }}',
      {},
      /execution stopped/,
    );
    // Ordinary indexing into a list stays cheap.
    assert.equal(
      run("{{ $l := until 2000 }}{{ range $i, $e := $l }}{{ $x := index $l $i }}{{ end }}ok"),
      "ok",
    );
  });

  it("caps the output", () => {
    const e = fails("{{ range 200000 }}0123456789{{ end }}", {}, /output exceeds 1048576 bytes/);
    assert.equal(e.construct, "range");
    fails(
      "{{ range 10 }}abc{{ end }}",
      {},
      'template: 1:10: executing "range": output exceeds 20 bytes',
      { maxOutput: 20 },
    );
  });

  it("stops runaway recursion through template", () => {
    fails(
      '{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" }}',
      {},
      /executing "a": nesting exceeds \d+ levels/,
    );
    fails(
      '{{ define "a" }}x{{ template "a" . }}{{ template "a" . }}{{ end }}{{ template "a" }}',
      {},
      /TemplateError|nesting exceeds|execution stopped|output exceeds/,
    );
    fails(
      '{{ define "a" }}{{ range . }}{{ template "a" $ }}{{ end }}{{ end }}{{ template "a" (list 1 2) }}',
      {},
      /nesting exceeds|execution stopped/,
    );
  });

  it("refuses functions that would build huge values", () => {
    fails(
      '{{ repeat 100000000 "x" }}',
      {},
      /error calling repeat: result of 100000000 bytes exceeds the 1048576-byte limit/,
    );
    fails('{{ indent 100000000 "a" }}', {}, /error calling indent: result of/);
    fails("{{ until 100000000 }}", {}, /error calling until: list of 100000000 elements exceeds/);
    fails(
      '{{ printf "%100000000d" 1 }}',
      {},
      /error calling printf: width or precision 100000000 is too large/,
    );
    fails(
      '{{ $s := "xxxxxxxx" }}{{ range 40 }}{{ $s = cat $s $s }}{{ end }}',
      {},
      /error calling cat: result larger than 1048576|execution stopped/,
    );
    fails(
      "{{ $l := list }}{{ range 100000 }}{{ $l = append $l 1 }}{{ end }}",
      {},
      /execution stopped/,
    );
  });

  it("bounds cyclic and deep values", () => {
    fails(
      '{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ $d }}',
      {},
      /value nested deeper than 100 levels/,
    );
    fails(
      '{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ mustToJson $d }}',
      {},
      /error calling mustToJson: json: value nested deeper/,
    );
    fails(
      `{{ fromJson "${"[".repeat(500)}${"]".repeat(500)}" }}`,
      {},
      /error calling fromJson: JSON nested deeper than 100 levels/,
    );
    let deep: unknown = "leaf";
    for (let i = 0; i < 200; i++) deep = { d: deep };
    assert.throws(() => run("{{ . }}", deep), /data nested deeper than 100 levels/);
  });

  it("parses pathological sources quickly and safely", () => {
    parseFails(
      "{{ " + "(".repeat(20000) + " }}",
      /nesting deeper than 100 levels|unclosed left paren/,
    );
    parseFails("{{ if 1 }}".repeat(6000), /nesting deeper than 100 levels/);
    parseFails("{{".repeat(30000), /unexpected|unclosed action|bad/);
    const many = "{{ 1 }}".repeat(9000);
    assert.equal(executeTemplate(parseTemplate(many), {}).length, 9000);
  });

  it("keeps regular expressions linear (RE2)", () => {
    const evil = "a".repeat(5000) + "!";
    assert.equal(run(`{{ regexMatch "^(a+)+$" .s }}`, { s: evil }), "false");
  });

  it("only ever throws TemplateError", () => {
    const sources = [
      "{{ . | printf }}",
      "{{ call .f }}",
      "{{ index . 99999999999999999 }}",
      "{{ slice (list 1 2) 5 1 }}",
      '{{ substr 0 -1 "" }}{{ trunc -99 "" }}{{ abbrev 9999 "" }}',
      "{{ seq 1 0 100000000 }}",
      '{{ splitn "," -5 "a,b" }}',
      "{{ range $i, $e := . }}{{ $i }}{{ end }}",
    ];
    for (const src of sources) {
      try {
        run(src, { f: () => ({ toString: null }) });
      } catch (e) {
        assert.ok(e instanceof TemplateError, `${src}: ${String(e)}`);
      }
    }
  });
});
