import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseTemplate, TemplateError } from "../../../src/lib/gotemplate/index.js";
import { parseFails, run } from "./helpers.js";

describe("gotemplate lexing", () => {
  it("copies text and trims around {{- and -}}", () => {
    assert.equal(run("a  {{- 1 -}}  b"), "a1b");
    assert.equal(run("a \n\t{{- 1 }} \n b"), "a1 \n b");
    assert.equal(run("a {{ 1 -}}\n\n  b"), "a 1b");
    // A dash without a space is a negative number, not a trim marker.
    assert.equal(run("a {{-3}} b"), "a -3 b");
    assert.equal(run("x }} y"), "x }} y");
  });

  it("drops comments, with trim markers too", () => {
    assert.equal(run("a {{/* note */}} b"), "a  b");
    assert.equal(run("a {{- /* multi\nline */ -}} b"), "ab");
    parseFails("{{/* a */ 1}}", "template: 1:1: comment ends before closing delimiter");
    parseFails("x {{/* open", "template: 1:3: unclosed comment");
  });

  it("reads strings, raw strings and characters", () => {
    assert.equal(run('{{ "tab\\there\\n" }}'), "tab\there\n");
    assert.equal(run('{{ "\\u00e9\\U0001F600\\x41\\101\\\\\\"" }}'), 'é😀AA\\"');
    assert.equal(run("{{ `raw \\n {{ stays` }}"), "raw \\n {{ stays");
    assert.equal(run("{{ `two\nlines` }}"), "two\nlines");
    assert.equal(run("{{ 'a' }} {{ '\\n' }} {{ '\\u00e9' }}"), "97 10 233");
    parseFails('{{ "open }}', "template: 1:4: unterminated quoted string");
    parseFails("{{ `open }}", "template: 1:4: unterminated raw quoted string");
    parseFails("{{ 'a }}", "template: 1:4: unterminated character constant");
    parseFails('{{ "\\q" }}', 'template: 1:4: invalid syntax in "\\q"');
    parseFails("{{ 'ab' }}", "template: 1:4: malformed character constant: 'ab'");
  });

  it("reads numbers in every Go form", () => {
    assert.equal(run("{{ 42 }} {{ -7 }} {{ +3 }} {{ 1_000_000 }}"), "42 -7 3 1000000");
    assert.equal(
      run("{{ 0x1F }} {{ 0X1f }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 0x_ff }}"),
      "31 31 15 15 5 255",
    );
    assert.equal(
      run("{{ 1.5 }} {{ .25 }} {{ 1e3 }} {{ 2.5e-3 }} {{ 0x1p-2 }} {{ 1e6 }}"),
      "1.5 0.25 1000 0.0025 0.25 1e+06",
    );
    parseFails("{{ 1abc }}", 'template: 1:4: bad number syntax: "1a"');
    parseFails("{{ 0x1G }}", 'template: 1:4: bad number syntax: "0x1G"');
    parseFails("{{ 9223372036854775808 }}", "template: 1:4: 9223372036854775808 overflows int");
    parseFails("{{ 1__0 }}", 'template: 1:4: illegal number syntax: "1__0"');
    parseFails("{{ 3i }}", /complex numbers are not supported/);
  });

  it("reports bad characters and unclosed actions with line:col", () => {
    parseFails("line1\n  {{ .x ", "template: 2:9: unclosed action");
    parseFails("{{ .a# }}", "template: 1:6: bad character U+0023 '#'");
    parseFails("{{ 1 ) }}", "template: 1:6: unexpected right paren");
    parseFails("{{ (1 }}", "template: 1:7: unclosed left paren");
    parseFails("{{ a := 1 }}", 'template: 1:4: function "a" not defined');
    parseFails("{{ $x : 1 }}", "template: 1:7: expected :=");
    parseFails("{{ \u0001 }}", "template: 1:4: unrecognized character in action: U+0001");
  });

  it("allows newlines inside actions", () => {
    assert.equal(run('{{ printf\n  "%s-%s"\n  "a"\n  "b" }}'), "a-b");
  });
});

describe("gotemplate parsing", () => {
  it("names unknown and non-hermetic functions", () => {
    parseFails("{{ foo }}", 'template: 1:4: function "foo" not defined');
    parseFails("x\n{{ .a | bar 1 }}", 'template: 2:9: function "bar" not defined');
    parseFails('{{ env "HOME" }}', 'template: 1:4: function "env" not defined');
    parseFails('{{ expandenv "$HOME" }}', 'template: 1:4: function "expandenv" not defined');
    parseFails('{{ getHostByName "x" }}', 'template: 1:4: function "getHostByName" not defined');
  });

  it("checks variables are declared in scope", () => {
    parseFails("{{ $x }}", 'template: 1:4: undefined variable "$x"');
    parseFails(
      "{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}",
      'template: 1:36: undefined variable "$x"',
    );
    parseFails(
      '{{ define "t" }}{{ $x }}{{ end }}{{ $x := 1 }}',
      'template: 1:20: undefined variable "$x"',
    );
    assert.equal(run("{{ $x := 1 }}{{ if 1 }}{{ $x }}{{ end }}"), "1");
  });

  it("rejects misplaced and unbalanced control words", () => {
    parseFails("{{ end }}", "template: 1:4: unexpected {{end}}");
    parseFails("{{ else }}", "template: 1:4: unexpected {{else}}");
    parseFails("{{ if 1 }}x", "template: 1:12: unexpected EOF");
    parseFails(
      "{{ if 1 }}a{{ else }}b{{ else }}c{{ end }}",
      "template: 1:26: expected end; found {{else}}",
    );
    parseFails("{{ break }}", "template: 1:4: {{break}} outside {{range}}");
    parseFails(
      "{{ range . }}{{ continue 1 }}{{ end }}",
      "template: 1:26: unexpected <1> in {{continue}}",
    );
    parseFails(
      "{{ range . }}{{ else }}{{ break }}{{ end }}",
      "template: 1:27: {{break}} outside {{range}}",
    );
    parseFails(
      '{{ range . }}{{ define "x" }}{{ end }}{{ end }}',
      /definitions must be at top level/,
    );
    parseFails("{{ if }}{{ end }}", "template: 1:7: missing value for if");
    parseFails("{{ }}", "template: 1:4: missing value for command");
    parseFails("{{ with 1 }}{{ else if 2 }}{{ end }}", 'template: 1:21: unexpected "if" in input');
  });

  it("checks pipelines and declarations", () => {
    parseFails('{{ "a" | 1 }}', "template: 1:10: non executable command in pipeline stage 2");
    parseFails("{{ 1 | . }}", "template: 1:8: non executable command in pipeline stage 2");
    parseFails("{{ $a, $b := 1 }}", "template: 1:4: too many declarations in command");
    parseFails(
      "{{ range $a, $b, $c := . }}{{ end }}",
      "template: 1:14: too many declarations in range",
    );
    parseFails("{{ range $a, 1 }}{{ end }}", "template: 1:14: range can only initialize variables");
    parseFails('{{ "x".y }}', 'template: 1:4: unexpected . after term "\\"x\\""');
    parseFails("{{ template .x }}", "template: 1:13: unexpected <.x> in template clause");
    parseFails('{{ block "b" }}{{ end }}', "template: 1:14: missing value for block clause");
  });

  it("bounds nesting depth", () => {
    const deep = "{{ if 1 }}".repeat(150) + "{{ end }}".repeat(150);
    parseFails(deep, /nesting deeper than 100 levels/);
    parseFails(
      "{{ " + "(".repeat(200) + "1" + ")".repeat(200) + " }}",
      /nesting deeper than 100 levels/,
    );
  });

  it("rejects sources over the limit (1 MiB unless the caller sets one)", () => {
    parseFails(
      "x".repeat(1024 * 1024 + 1),
      "template: source is 1048577 bytes, more than the 1048576 allowed",
    );
    assert.equal(parseTemplate("x".repeat(1024 * 1024)).source.length, 1048576);
    assert.throws(() => parseTemplate("é", { maxSourceBytes: 1 }), {
      message: "template: source is 2 bytes, more than the 1 allowed",
    });
    assert.equal(parseTemplate("x", { maxSourceBytes: 1 }).source, "x");
  });

  it("lists defined templates and keeps positions on errors", () => {
    const t = parseTemplate('{{ define "a" }}A{{ end }}{{ block "b" . }}B{{ end }}');
    assert.deepEqual([...t.definedTemplates].sort(), ["a", "b"]);
    try {
      parseTemplate("ok\nok {{ nope }}");
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.line, 2);
      assert.equal(e.col, 7);
    }
  });
});
