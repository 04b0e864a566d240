// validate-node --image on a multi-platform image with --features: the index's fallback
// to a platform entry uses the snapshot's platform, never the machine running kompat.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { snapshotPlatform } from "../../src/features/snapshot-platform.js";
import { parseSnapshots } from "../../src/features/snapshot.js";
import { runCli } from "../helpers/cli.js";
import { env, Layout, specFile } from "../oci/layout-fixture.js";
import { tempDir } from "../oci/util.js";

const ARM = `{"flags": {"cpu.cpuid": {"elements": {"ASIMD": {}, "FP": {}}}}}`;
const X86 = `{"flags": {"cpu.cpuid": {"elements": {"X86_64_V2": {}, "AVX": {}}}}}`;
const NONE = `{"attributes": {"kernel.version": {"elements": {"major": "6"}}}}`;

/** An index of amd64 and arm64 whose arm64 entry alone carries a spec (tag "arm"). */
async function armOnlyImage(): Promise<string> {
  const dir = tempDir("kompat-layout-");
  new Layout(dir).image("v1", ["linux/amd64", "linux/arm64"]);
  const spec = specFile(`version: v1alpha1
compatibilities:
- tag: arm
  rules:
  - name: neon
    matchFeatures:
    - feature: cpu.cpuid
      matchExpressions:
        ASIMD: {op: Exists}
`);
  const att = await runCli(
    ["attach", "--image", `oci-layout:${dir}:v1`, "--platform", "linux/arm64", "--spec", spec],
    { env: env() },
  );
  assert.equal(att.code, 0, att.stderr);
  return dir;
}

function features(text: string): string {
  const p = join(tempDir(), "features.json");
  writeFileSync(p, text);
  return p;
}

describe("the platform of a saved snapshot", () => {
  it("is read from kernel.config, cpu.cpuid or the kernel release", () => {
    const of = (text: string) => {
      const [node] = parseSnapshots(text);
      assert.ok(node);
      return snapshotPlatform(node.features);
    };
    assert.deepEqual(of(ARM), { os: "linux", architecture: "arm64" });
    assert.deepEqual(of(X86), { os: "linux", architecture: "amd64" });
    assert.equal(of(NONE), undefined);
    assert.deepEqual(
      of(`{"attributes": {"kernel.config": {"elements": {"ARM64": "y", "X86_64": "n"}}}}`),
      { os: "linux", architecture: "arm64" },
    );
    assert.deepEqual(
      of(`{"attributes": {"kernel.version": {"elements": {"full": "6.5.6-300.fc39.aarch64"}}}}`),
      { os: "linux", architecture: "arm64" },
    );
  });

  it("picks the index entry whose spec is checked, whatever this machine is", async () => {
    const dir = await armOnlyImage();
    const image = `oci-layout:${dir}:v1`;
    const arm = await runCli(["validate-node", "--image", image, "--features", features(ARM)], {
      env: env(),
    });
    assert.equal(arm.code, 0, arm.stderr);
    assert.match(arm.stderr, /used the one attached to its linux\/arm64 manifest/);
    const x86 = await runCli(["validate-node", "--image", image, "--features", features(X86)], {
      env: env(),
    });
    assert.equal(x86.code, 2);
    assert.match(x86.stderr, /no compatibility artifact .*\(nor its linux\/amd64 entry\)/);
  });

  it("when the snapshot does not tell, or the nodes disagree, --platform is asked for", async () => {
    const image = `oci-layout:${await armOnlyImage()}:v1`;
    const none = await runCli(["validate-node", "--image", image, "--features", features(NONE)], {
      env: env(),
    });
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^kompat: the image index has no compatibility artifact of its own, and the snapshot of node node in .*features\.json does not tell its platform \(no kernel\.config, cpu\.cpuid or kernel\.version naming one\): give --platform OS\/ARCH\n$/,
    );
    const mixed = features(`{"a": ${ARM}, "b": ${X86}, "c": ${ARM}}`);
    const both = await runCli(["validate-node", "--image", image, "--features", mixed], {
      env: env(),
    });
    assert.equal(both.code, 2);
    assert.match(
      both.stderr,
      /nodes in .*features\.json are of several platforms \(linux\/arm64: a, c; linux\/amd64: b\): give --platform OS\/ARCH or --node NAME\n$/,
    );
    const one = await runCli(
      ["validate-node", "--image", image, "--features", mixed, "--node", "c"],
      { env: env() },
    );
    assert.equal(one.code, 0, one.stderr);
    const given = await runCli(
      [
        "validate-node",
        "--image",
        image,
        "--features",
        features(NONE),
        "--platform",
        "linux/arm64",
      ],
      { env: env() },
    );
    assert.equal(given.code, 1, given.stderr); // the arm spec, and no ASIMD: incompatible
  });
});
