import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "kompat-lint-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

test("a clean spec: exit 0 and a summary", async () => {
  const ok = file("ok.yaml", "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: always\n");
  const r = await runCli(["spec", "lint", ok]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /0 errors, 0 warnings in 1 file/);
});

test("errors with file:line:col and a hint; exit 1", async () => {
  const bad = file(
    "bad.yaml",
    [
      "version: v1alpha1",
      "compatibilities:",
      "- rules:",
      "  - name: r",
      "    matchFeatures:",
      "    - feature: kernel.version",
      "      matchExpressions:",
      '        major: {op: Gt, value: ["5", "6"]}',
      "",
    ].join("\n"),
  );
  const r = await runCli(["spec", "lint", bad]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`bad\\.yaml:8:\\d+: error: `));
  assert.match(r.stdout, /hint: /);
  assert.match(r.stdout, /1 error/);
});

test("warnings alone exit 0; -o json lists them", async () => {
  const warn = file(
    "warn.yaml",
    "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: system.osrelease\n      matchExpressions:\n        VERSION_ID: {op: In, value: [5.10]}\n",
  );
  const r = await runCli(["spec", "lint", "-o", "json", warn]);
  assert.equal(r.code, 0, r.stdout);
  const diags = JSON.parse(r.stdout) as Array<{
    severity: string;
    code: string;
    line: number;
    message: string;
  }>;
  const d = diags.find((x) => x.code === "unquoted-scalar");
  assert.ok(d, r.stdout);
  assert.equal(d.severity, "warning");
  assert.equal(d.line, 8);
  assert.match(d.message, /5\.1\b/);
});

test("an unreadable file exits 2", async () => {
  const r = await runCli(["spec", "lint", join(tmp, "missing.yaml")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read spec .*missing\.yaml: no such file/);
});
