// The spec from --image: a real Distribution registry holds the image and the attached
// spec; cluster validate says where the spec came from, cluster label names its rule
// from the subject digest.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { runCli } from "../helpers/cli.js";
import { Raw } from "../oci/raw.js";
import { fakeCluster, fill, SPEC, type Env } from "./fixtures.js";

const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";

describe("cluster commands with --image", { skip }, () => {
  let reg: Distribution;
  let raw: Raw;
  let c: Env;
  let digest: string;
  before(async () => {
    reg = await startDistribution();
    raw = new Raw(reg.url);
    const { manifests } = await raw.pushImage("team/app", "v1", ["linux/amd64"]);
    digest = manifests[0]?.digest ?? "";
    c = await fakeCluster();
    fill(c.api, { gpu: 1, bad: 1 });
    c.env.XDG_CACHE_HOME = join(c.dir, "cache");
  });
  after(async () => {
    await raw?.close();
    await reg?.stop();
    await c?.cleanup();
  });

  it("validate -o json names image, subject and artifact; label names the rule from the subject digest", async () => {
    const image = `${reg.host}/team/app:v1`;
    const att = await runCli(
      ["attach", "--image", image, "--spec", SPEC, "--plain-http", "--platform", "linux/amd64"],
      { env: c.env },
    );
    assert.equal(att.code, 0, att.stderr);
    const args = ["--image", image, "--plain-http", "--platform", "linux/amd64"];
    const v = await runCli(["cluster", "validate", ...args, "-o", "json", "--summary"], {
      env: c.env,
    });
    assert.equal(v.code, 1, v.stderr);
    const out = JSON.parse(v.stdout) as Record<string, unknown>;
    assert.equal(out.image, image);
    assert.equal(out.subjectDigest, digest);
    assert.equal(out.subject, `${reg.host}/team/app@${digest}`);
    assert.match(String(out.artifactDigest), /^sha256:[0-9a-f]{64}$/);
    const l = await runCli(["cluster", "label", ...args, "-o", "json"], { env: c.env });
    assert.equal(l.code, 0, l.stderr);
    const rule = JSON.parse(l.stdout) as {
      metadata: { name: string; annotations: Record<string, string> };
    };
    assert.equal(rule.metadata.name, `kompat-${digest.slice(7)}`);
    assert.equal(
      rule.metadata.annotations["kompat.feature.node.kubernetes.io/subject"],
      out.subject,
    );
    assert.match(l.stdout, new RegExp(`${digest.slice(7, 19)}-set1`));
  });
});
