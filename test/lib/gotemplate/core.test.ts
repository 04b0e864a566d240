import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  executeTemplate,
  parseTemplate,
  TemplateError,
} from "../../../src/lib/gotemplate/index.js";

function run(source: string, data: unknown = {}): string {
  return executeTemplate(parseTemplate(source), data);
}

function fails(source: string, data: unknown, message: string | RegExp): TemplateError {
  let caught: unknown;
  try {
    run(source, data);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TemplateError, `expected a TemplateError, got ${String(caught)}`);
  if (typeof message === "string") assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  return caught;
}

describe("gotemplate core", () => {
  it("runs the compat-spec example", () => {
    const out = run('{{ range .pci.device }}gpu-{{ .device }}=true{{ "\\n" }}{{ end }}', {
      pci: { device: [{ device: "2330", vendor: "10de" }] },
    });
    assert.equal(out, "gpu-2330=true\n");
  });

  it("reports a missing map key with position and construct", () => {
    const e = fails(
      "{{ range .pci.device }}\n{{ .vendor }}{{ end }}",
      { pci: { device: [{ device: "2330" }] } },
      'template: 2:4: executing "range": map has no entry for key "vendor"',
    );
    assert.equal(e.line, 2);
    assert.equal(e.col, 4);
    assert.equal(e.construct, "range");
  });

  it("rejects unknown functions at parse time with Go's wording", () => {
    assert.throws(() => parseTemplate("ab\n  {{ foo 1 }}"), {
      name: "TemplateError",
      message: 'template: 2:6: function "foo" not defined',
    });
  });

  it("evaluates if / else if / else and with", () => {
    assert.equal(run("{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}", { a: "", b: 1 }), "B");
    assert.equal(run("{{ with .a }}{{ . }}{{ else }}none{{ end }}", { a: "x" }), "x");
    assert.equal(
      run("{{ with .a }}{{ . }}{{ else with .b }}b={{ . }}{{ end }}", { a: [], b: "y" }),
      "b=y",
    );
  });

  it("ranges over slices, sorted maps and integers", () => {
    assert.equal(run("{{ range $i, $e := . }}{{ $i }}:{{ $e }} {{ end }}", ["a", "b"]), "0:a 1:b ");
    assert.equal(
      run("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", { z: "1", a: "2" }),
      "a=2;z=1;",
    );
    assert.equal(run("{{ range 3 }}{{ . }}{{ end }}"), "012");
    assert.equal(run("{{ range .l }}x{{ else }}empty{{ end }}", { l: [] }), "empty");
  });
});
