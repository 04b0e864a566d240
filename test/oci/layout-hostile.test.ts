// Hostile OCI layouts: links out of the layout, FIFOs, a blob linked to /dev/zero. Each
// run is a child process under a kill timeout and a heap cap (test/helpers/bounded.ts),
// so a hang or an endless read fails the test instead of stalling the suite.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  readdirSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runBounded } from "../helpers/bounded.js";
import { runCli } from "../helpers/cli.js";
import { ContentError } from "../../src/oci/errors.js";
import { LayoutStore } from "../../src/oci/layout.js";
import { env, Layout, specFile } from "./layout-fixture.js";
import { sha256 } from "./raw.js";
import { tempDir } from "./util.js";

/** A snapshot with no features but this: an x86-64 node. */
function featuresFile(): string {
  const p = join(tempDir(), "node.json");
  writeFileSync(p, `{"flags": {"cpu.cpuid": {"elements": {"X86_64_V1": {}}}}}`);
  return p;
}

/** A layout with one image, tagged v1, and a spec attached to it. */
async function attachedLayout(): Promise<{ dir: string; lay: Layout; artifact: string }> {
  const dir = tempDir("kompat-layout-");
  const lay = new Layout(dir);
  lay.image("v1", ["linux/amd64"]);
  const att = await runCli(["attach", "--image", `oci-layout:${dir}:v1`, "--spec", specFile()], {
    env: env(),
  });
  assert.equal(att.code, 0, att.stderr);
  const m = /sha256:[0-9a-f]{64}/.exec(att.stdout + att.stderr);
  assert.ok(m, att.stdout + att.stderr);
  return { dir, lay, artifact: m[0] };
}

function validate(
  dir: string,
): Promise<ReturnType<typeof runBounded> extends Promise<infer R> ? R : never> {
  return runBounded(
    ["validate-node", "--image", `oci-layout:${dir}:v1`, "--features", featuresFile()],
    { env: env(), killAfterMs: 30_000 },
  );
}

describe("hostile OCI layouts", () => {
  it("attach refuses to write through a blobs/sha256 link that leaves the layout", async () => {
    const dir = tempDir("kompat-layout-");
    const lay = new Layout(dir);
    lay.image("v1", ["linux/amd64"]);
    const outside = tempDir("kompat-outside-");
    // The layout's blobs move out and a link takes their place.
    renameSync(join(dir, "blobs", "sha256"), join(outside, "sha256"));
    symlinkSync(join(outside, "sha256"), join(dir, "blobs", "sha256"));
    const before = readdirSync(join(outside, "sha256")).length;
    const res = await runCli(["attach", "--image", `oci-layout:${dir}:v1`, "--spec", specFile()], {
      env: env(),
    });
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      res.stderr,
      /kompat: oci-layout:.*: blobs\/sha256\/[0-9a-f]{64} leads outside the layout \(to .*kompat-outside-.*\); refused\n/,
    );
    assert.equal(readdirSync(join(outside, "sha256")).length, before, "nothing written outside");
  });

  it("no write of the layout store lands outside it, even where nothing is read first", async () => {
    const dir = tempDir("kompat-layout-");
    const outside = tempDir("kompat-outside-");
    mkdirSync(join(dir, "blobs"));
    symlinkSync(outside, join(dir, "blobs", "sha256"));
    const store = new LayoutStore(dir);
    const bytes = new TextEncoder().encode("{}");
    const desc = { mediaType: "application/json", digest: sha256(bytes), size: bytes.length };
    await assert.rejects(store.pushBlob(desc, bytes), (e: Error) => {
      assert.ok(e instanceof ContentError);
      assert.match(
        e.message,
        /: blobs\/sha256 leads outside the layout \(to .*kompat-outside-.*\); refused$/,
      );
      return true;
    });
    assert.deepEqual(readdirSync(outside), []);
  });

  it("a FIFO as index.json is refused at once, not waited on", async () => {
    const { dir } = await attachedLayout();
    unlinkSync(join(dir, "index.json"));
    execFileSync("mkfifo", [join(dir, "index.json")]);
    const res = await validate(dir);
    assert.equal(res.signal, null, "killed by the harness: the read blocked");
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      res.stderr,
      /kompat: oci-layout:.*: cannot read .*index\.json: is a named pipe \(FIFO\), not a regular file\n/,
    );
  });

  it("a FIFO as the artifact's manifest blob is refused at once", async () => {
    const { dir, artifact } = await attachedLayout();
    const blob = join(dir, "blobs", "sha256", artifact.slice(7));
    unlinkSync(blob);
    execFileSync("mkfifo", [blob]);
    const res = await validate(dir);
    assert.equal(res.signal, null, "killed by the harness: the read blocked");
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      res.stderr,
      /cannot read .*[0-9a-f]{64}: is a named pipe \(FIFO\), not a regular file\n/,
    );
  });

  it("a manifest blob linked to /dev/zero is refused without reading it", async () => {
    const { dir, artifact } = await attachedLayout();
    const blob = join(dir, "blobs", "sha256", artifact.slice(7));
    unlinkSync(blob);
    symlinkSync("/dev/zero", blob);
    const res = await validate(dir);
    assert.equal(res.signal, null, "killed by the harness: the read did not stop");
    assert.equal(res.code, 2, res.stderr);
    assert.match(
      res.stderr,
      /kompat: oci-layout:.*: blobs\/sha256\/[0-9a-f]{64} leads outside the layout \(to \/dev\/zero\); refused\n/,
    );
  });

  it("a link inside the layout is followed; one whose target is missing is a missing blob", async () => {
    const { dir, artifact } = await attachedLayout();
    const blob = join(dir, "blobs", "sha256", artifact.slice(7));
    renameSync(blob, join(dir, "moved"));
    symlinkSync(join(dir, "moved"), blob);
    const ok = await validate(dir);
    assert.equal(ok.code, 1, ok.stderr); // `{}` lacks the spec's features: incompatible
    unlinkSync(join(dir, "moved"));
    const gone = await validate(dir);
    assert.equal(gone.code, 2);
    // A listed manifest that is absent is skipped as a referrer (layout.ts): none is left.
    assert.match(gone.stderr, /no compatibility artifact .* \(nor its linux\/amd64 entry\)/);
  });

  it("a layout that cannot be written says why in words, not as an internal error", async () => {
    const dir = tempDir("kompat-layout-");
    const lay = new Layout(dir);
    lay.image("v1", ["linux/amd64"]);
    // Where the new artifact's blob must go, a file stands in the way of the directory.
    renameSync(join(dir, "blobs"), join(dir, "blobs-real"));
    writeFileSync(join(dir, "blobs"), "");
    const res = await runCli(["attach", "--image", `oci-layout:${dir}:v1`, "--spec", specFile()], {
      env: env(),
    });
    assert.equal(res.code, 2);
    assert.doesNotMatch(res.stderr, /internal error|ENOTDIR|EEXIST/);
    assert.match(
      res.stderr,
      /kompat: oci-layout:.*: (not an OCI image layout|cannot (read|write) .*: a part of the path is not a directory|blob .* is missing)/,
    );
  });
});
