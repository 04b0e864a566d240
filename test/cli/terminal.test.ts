// Output that cannot attack the terminal: escape sequences in hostile data (a host tree, a
// spec, a registry's error body) are printed escaped in text output; JSON stays exact.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/testserver.js";
import { printable, quoted, shortened } from "../../src/lib/text/untrusted.js";

// OSC 0 (set the window title), CSI (colour), a C1 CSI, and a right-to-left override.
const HOSTILE = "\x1b]0;pwned\x07\x1b[31mred\u009b2J\u202eevil";
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "kompat-terminal-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("printable", () => {
  it("escapes controls, C1 and bidi characters, and nothing else", () => {
    assert.equal(printable(HOSTILE), "\\x1b]0;pwned\\x07\\x1b[31mred\\x9b2J\\u202eevil");
    assert.equal(printable("a\nb\tc\rd", { lines: true }), "a\nb\tc\\rd");
    assert.equal(printable("a\nb"), "a\\nb");
    assert.equal(printable("ünïcode ✓ \\d+"), "ünïcode ✓ \\d+");
  });

  it("shortens long data with an ellipsis and its length", () => {
    assert.equal(shortened("x".repeat(3000)), `${"x".repeat(80)}… (3,000 characters)`);
    assert.equal(shortened("short"), "short");
    assert.equal(quoted(`\x1b${"y".repeat(100)}`), `"\\u001b${"y".repeat(79)}"… (101 characters)`);
  });
});

describe("hostile data in text output", () => {
  it("-v: a kernel release with escape sequences, in discovery problems", async () => {
    const root = join(dir, "host");
    mkdirSync(join(root, "proc/sys/kernel"), { recursive: true });
    mkdirSync(join(root, "sys"));
    writeFileSync(join(root, "proc/sys/kernel/osrelease"), `6.1.0${HOSTILE}\n`);
    const spec = file(
      "kconfig.yaml",
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: kc\n    matchFeatures:\n    - feature: kernel.config\n      matchExpressions: {NUMA: {op: Exists}}\n",
    );
    const r = await runCli(["validate-node", "--spec", spec, "--host-root", root, "-v"]);
    assert.match(r.stderr, /kernel\.config: none of the 11 files NFD searches exists/);
    // The release is named once, quoted: its escapes are JSON's, never raw bytes.
    assert.ok(r.stderr.includes('release "6.1.0\\u001b]0;pwned\\u0007'), r.stderr);
    assert.doesNotMatch(r.stderr, RAW);
  });

  it("spec lint: an op string with escape sequences", async () => {
    const op = JSON.stringify(`Gt${HOSTILE}`);
    const spec = file(
      "badop.yaml",
      `version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: kernel.version\n      matchExpressions: {major: {op: ${op}, value: ["5"]}}\n`,
    );
    const r = await runCli(["spec", "lint", spec]);
    assert.equal(r.code, 1);
    assert.ok(r.stdout.includes('error: unknown op "Gt\\u001b]0;pwned\\u0007'), r.stdout);
    assert.doesNotMatch(r.stdout, RAW);
  });

  it("the text report: In [...] values, host values and rule names", async () => {
    const spec = file(
      "in.yaml",
      `version: v1alpha1\ncompatibilities:\n- description: ${JSON.stringify(HOSTILE)}\n  rules:\n  - name: ${JSON.stringify(HOSTILE)}\n    matchFeatures:\n    - feature: system.osrelease\n      matchExpressions: {ID: {op: In, value: [${JSON.stringify(HOSTILE)}]}}\n`,
    );
    const features = file(
      "node.json",
      JSON.stringify({ attributes: { "system.osrelease": { elements: { ID: HOSTILE } } } }),
    );
    const r = await runCli(["validate-node", "--spec", spec, "--features", features]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.includes("In [\\x1b]0;pwned\\x07\\x1b[31mred\\x9b2J\\u202eevil]"), r.stdout);
    assert.doesNotMatch(r.stdout, RAW);
    // JSON output stays exact.
    const json = await runCli([
      "validate-node",
      "--spec",
      spec,
      "--features",
      features,
      "-o",
      "json",
    ]);
    const sets = JSON.parse(json.stdout) as Array<{ rules: Array<{ name: string }> }>;
    assert.equal(sets[0]?.rules[0]?.name, HOSTILE);
  });

  describe("a registry's error body", () => {
    let reg: TestServer;
    before(async () => {
      reg = await startTestServer();
      reg.pushImage("app", "v1", ["linux/amd64"]);
    });
    after(async () => reg.stop());

    it("is printed escaped by the top-level error handler", async () => {
      const body = JSON.stringify({ errors: [{ code: "DENIED", message: `no ${HOSTILE}` }] });
      reg.addFault({
        method: "GET",
        path: /\/manifests\//,
        action: {
          kind: "status",
          status: 403,
          body,
          headers: { "content-type": "application/json" },
        },
      });
      const r = await runCli([
        "validate-node",
        "--image",
        `${reg.host}/app:v1`,
        "--plain-http",
        "--no-cache",
      ]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^kompat: /);
      // The C1 CSI and the bidi override pass the registry client's own clean-up.
      assert.ok(r.stderr.includes("registry says DENIED: no "), r.stderr);
      assert.ok(r.stderr.includes("\\x9b2J\\u202eevil"), r.stderr);
      assert.doesNotMatch(r.stderr, RAW);
    });
  });
});

describe("messages quote long untrusted data once, briefly", () => {
  it("a 3,000-character op in a lint message", async () => {
    const spec = file(
      "longop.yaml",
      `version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: kernel.version\n      matchExpressions: {major: {op: ${"G".repeat(3000)}}}\n`,
    );
    const r = await runCli(["spec", "lint", spec]);
    const line = r.stdout.split("\n").find((l) => l.includes("unknown op")) ?? "";
    assert.ok(line.includes(`"${"G".repeat(80)}"… (3,000 characters)`), line);
    assert.ok(line.length < 400, `${line.length} characters`);
  });

  it("a 3,000-character host value in the report", async () => {
    const spec = file(
      "gt.yaml",
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: kernel.version\n      matchExpressions: {major: {op: Gt, value: ['5']}}\n",
    );
    const features = file(
      "long.json",
      JSON.stringify({
        attributes: { "kernel.version": { elements: { major: "9".repeat(2999) + "x" } } },
      }),
    );
    const r = await runCli(["validate-node", "--spec", spec, "--features", features]);
    assert.equal(r.code, 1);
    const line = r.stdout.split("\n").find((l) => l.includes("is not an integer")) ?? "";
    assert.match(line, /host value "9{80}"… \(3,000 characters\) is not an integer/);
    // The value itself is shown once, shortened as well.
    assert.ok(line.length < 600, `${line.length} characters`);
  });
});
