// Hostile local inputs: devices, endless stdin, binary files, huge files of the wrong
// shape. kompat runs as a child under a kill timeout and a heap cap (helpers/bounded.ts):
// an unbounded read or parse is killed or aborts, and the assertions then fail.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runBounded } from "../helpers/bounded.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "kompat-inputs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SPEC = `version: v1alpha1
compatibilities:
- rules:
  - name: r
    matchFeatures:
    - feature: kernel.version
      matchExpressions:
        major: {op: Exists}
`;

function file(name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

/** Only printable ASCII and newlines: nothing of the input's raw bytes. */
function assertPlain(text: string): void {
  assert.match(text, /^[\x20-\x7e\n]*$/, `raw bytes in: ${JSON.stringify(text)}`);
}

/** A fleet of `n` snapshots, about 3 KB each, in JSON. */
function fleet(n: number, last: string): string {
  const node = (i: number) =>
    JSON.stringify({
      apiVersion: "nfd.k8s-sigs.io/v1alpha1",
      kind: "NodeFeature",
      metadata: { name: `node-${i}` },
      spec: {
        features: {
          attributes: {
            "kernel.version": { elements: { major: "6", minor: "8", full: "6.8.0" } },
            "cpu.model": {
              elements: Object.fromEntries(
                Array.from({ length: 100 }, (_, k) => [`attr${k}`, `value-${k}`]),
              ),
            },
          },
        },
      },
    });
  const items = Array.from({ length: n - 1 }, (_, i) => node(i));
  return `{"kind": "NodeFeatureList", "items": [\n${items.join(",\n")},\n${last}\n]}\n`;
}

describe("hostile local inputs", () => {
  const spec = file("spec.yaml", SPEC);

  it("spec lint /dev/zero stops at the first read: not a text file", async () => {
    const res = await runBounded(["spec", "lint", "/dev/zero"], { killAfterMs: 30_000 });
    assert.equal(res.signal, null, "killed by the harness");
    assert.equal(res.code, 2, res.stderr);
    assert.equal(
      res.stderr,
      "kompat: spec /dev/zero: not a text file (expected JSON or YAML; it holds NUL bytes)\n",
    );
  });

  for (const dev of ["/dev/zero", "/dev/urandom"])
    it(`--features ${dev} is refused as not text, without reading on`, async () => {
      const res = await runBounded(["validate-node", "--spec", spec, "--features", dev], {
        killAfterMs: 30_000,
      });
      assert.equal(res.signal, null, "killed by the harness");
      assert.equal(res.code, 2, res.stderr);
      assert.match(
        res.stderr,
        new RegExp(
          `^kompat: features ${dev}: not a text file \\(expected JSON or YAML; it holds (NUL bytes|bytes that are not UTF-8)\\)\\n$`,
        ),
      );
    });

  it("endless text on stdin is read up to the limit and refused", async () => {
    const res = await runBounded(["spec", "lint", "-"], {
      stdinForever: "# a comment line that never ends\n".repeat(1000),
      heapMb: 256,
      killAfterMs: 60_000,
    });
    assert.equal(res.signal, null, "killed by the harness: stdin read without end");
    assert.equal(res.code, 2, res.stderr);
    assert.equal(res.stderr, "kompat: spec on stdin: larger than 4194304 bytes\n");
    // What the child took: the limit, plus what pipes and stream buffers hold.
    assert.ok(res.stdinBytes < 64 << 20, `${res.stdinBytes} bytes accepted`);
  });

  it("a binary --features file is named as such, its bytes never printed", async () => {
    const bin = new Uint8Array(4096).map((_, i) => (i * 37 + 11) & 0xff);
    const withNul = await runCli([
      "validate-node",
      "--spec",
      spec,
      "--features",
      file("a.bin", bin),
    ]);
    assert.equal(withNul.code, 2);
    assert.match(
      withNul.stderr,
      /^kompat: features .*a\.bin: not a text file \(expected JSON or YAML; it holds NUL bytes\)\n$/,
    );
    // No NUL, but escape sequences and bytes that are not UTF-8.
    const esc = Buffer.concat([
      Buffer.from("{\x1b[2J\x1b]0;pwned\x07"),
      Buffer.from([0xff, 0xfe, 0xc3]),
    ]);
    const noNul = await runCli(["validate-node", "--spec", spec, "--features", file("b.bin", esc)]);
    assert.equal(noNul.code, 2);
    assert.match(
      noNul.stderr,
      /not a text file \(expected JSON or YAML; it holds bytes that are not UTF-8\)\n$/,
    );
    assertPlain(withNul.stderr + noNul.stderr);
  });

  it("a directory, a missing file, a socket-free path: each said in words", async () => {
    const d = await runCli(["spec", "lint", dir]);
    assert.equal(d.code, 2);
    assert.equal(d.stderr, `kompat: spec ${dir}: is a directory\n`);
    const m = await runCli(["spec", "lint", join(dir, "nope.yaml")]);
    assert.equal(
      m.stderr,
      `kompat: cannot read spec ${join(dir, "nope.yaml")}: no such file or directory\n`,
    );
    const nd = await runCli(["spec", "lint", join(spec, "x")]);
    assert.equal(
      nd.stderr,
      `kompat: cannot read spec ${join(spec, "x")}: a part of the path is not a directory\n`,
    );
  });

  it("a 30 MB fleet of the wrong shape is located in one pass, under a 768 MiB heap", async () => {
    const bad = `{"metadata": {"name": "last"}, "spec": {"features": {"attributes": {"kernel.version": {"elements": 5}}}}}`;
    const path = file("fleet-bad.json", fleet(10_000, bad));
    const res = await runBounded(["validate-node", "--spec", spec, "--features", path], {
      heapMb: 768,
      killAfterMs: 120_000,
    });
    assert.equal(res.signal, null, "killed by the harness");
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      res.stderr,
      new RegExp(
        `^kompat: invalid features: ${path}:10001:100: attribute elements must be a map of name → string \\(at items\\.9999\\.spec\\.features\\.attributes\\.kernel\\.version\\.elements\\)\\n$`,
      ),
    );
  });

  it("YAML (or JSON that is not JSON) over 4 MiB is refused without a YAML parse", async () => {
    const yaml = file(
      "big.yaml",
      `flags:\n${"  # padding line of a big yaml file\n".repeat(300_000)}`,
    );
    const y = await runBounded(["validate-node", "--spec", spec, "--features", yaml], {
      heapMb: 256,
    });
    assert.equal(y.code, 2, y.stderr);
    assert.match(
      y.stderr,
      /big\.yaml: a YAML snapshot larger than 4194304 bytes \(4 MiB\) is refused; give it as JSON/,
    );
    const broken = file("broken.json", fleet(2_000, `{"flags": {},}`));
    const j = await runBounded(["validate-node", "--spec", spec, "--features", broken], {
      heapMb: 256,
    });
    assert.equal(j.code, 2, j.stderr);
    assert.match(j.stderr, /broken\.json:2001:14: invalid JSON: /);
  });

  it("--ca-file /dev/zero stops at its limit; its message in words", async () => {
    const res = await runBounded(
      ["fetch-spec", "--image", "127.0.0.1:9/app:v1", "--ca-file", "/dev/zero"],
      { killAfterMs: 30_000 },
    );
    assert.equal(res.signal, null, "killed by the harness");
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      res.stderr,
      /^kompat: cannot read --ca-file \/dev\/zero: larger than 4194304 bytes\n$/,
    );
  });

  it("two nodes of one name are an error naming the name and both places", async () => {
    const text = `[\n {"metadata": {"name": "n1"}, "spec": {"features": {}}},\n {"metadata": {"name": "n2"}, "spec": {"features": {}}},\n {"metadata": {"name": "n1"}, "spec": {"features": {}}}\n]\n`;
    const res = await runCli([
      "validate-node",
      "--spec",
      spec,
      "--features",
      file("dup.json", text),
      "--node",
      "n1",
    ]);
    assert.equal(res.code, 2);
    assert.match(
      res.stderr,
      /^kompat: invalid features: .*dup\.json: node name "n1" is given twice: at 0 \(line 2\) and at 2 \(line 4\)\n$/,
    );
    const yaml = `items:\n- metadata: {name: a}\n  spec: {features: {}}\n- metadata: {name: a}\n  spec: {features: {}}\n`;
    const y = await runCli(["validate-node", "--spec", spec, "--features", file("dup.yaml", yaml)]);
    assert.match(
      y.stderr,
      /node name "a" is given twice: at items\.0 \(line 2\) and at items\.1 \(line 4\)\n$/,
    );
  });
});
