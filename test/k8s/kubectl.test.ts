// The fake API server checked against the real kubectl (the machine's dispatcher runs the
// kubectl matching the server's /version, so two minors are tried): kubectl writes
// NodeFeature objects with server-side apply, kompat reads them; kompat applies its
// NodeFeatureRule, kubectl reads it back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { runCli } from "../helpers/cli.js";
import {
  addNode,
  exampleFeatures,
  fakeCluster,
  incompatible,
  nodeFeature,
  SPEC,
  type Env,
} from "./fixtures.js";

const exec = promisify(execFile);

async function kubectl(
  c: Env,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec("kubectl", args, { env: c.env as NodeJS.ProcessEnv, timeout: 60_000 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

for (const minor of [27, 33]) {
  test(`kubectl 1.${minor}: apply --server-side NodeFeatures, kompat validates them; label --apply, kubectl reads it back`, async () => {
    const c = await fakeCluster({ minor });
    try {
      addNode(c.api, "gpu-7");
      addNode(c.api, "old-1");
      const file = join(c.dir, "nodefeatures.json");
      const list = {
        apiVersion: "v1",
        kind: "List",
        items: [
          {
            apiVersion: "nfd.k8s-sigs.io/v1alpha1",
            kind: "NodeFeature",
            ...nodeFeature("gpu-7", exampleFeatures()),
          },
          {
            apiVersion: "nfd.k8s-sigs.io/v1alpha1",
            kind: "NodeFeature",
            ...nodeFeature("old-1", incompatible()),
          },
        ],
      };
      writeFileSync(file, JSON.stringify(list));
      // --validate=false: the fake serves no OpenAPI documents.
      const applied = await kubectl(c, "apply", "--server-side", "--validate=false", "-f", file);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /nodefeature\.nfd\.k8s-sigs\.io\/gpu-7 serverside-applied/);
      const patches = c.api.requests((q) => q.method === "PATCH");
      assert.equal(patches.length, 2);
      assert.ok(
        patches.every(
          (q) => q.user === "alice" && q.contentType === "application/apply-patch+yaml",
        ),
      );

      const v = await runCli(["cluster", "validate", "--spec", SPEC, "--summary"], { env: c.env });
      assert.equal(v.code, 1, v.stderr);
      assert.match(v.stdout, /^gpu-7: compatible: best set 1/m);
      assert.match(v.stdout, /^old-1: incompatible/m);

      const l = await runCli(["cluster", "label", "--spec", SPEC, "--apply"], { env: c.env });
      assert.equal(l.code, 0, l.stderr);
      const name =
        /nodefeaturerule\.nfd\.k8s-sigs\.io\/(kompat-[0-9a-f]{64}) serverside-applied/.exec(
          l.stdout,
        )?.[1];
      assert.ok(name, l.stdout);
      const apply = c.api.requests(
        (q) => q.method === "PATCH" && q.path.includes("nodefeaturerules"),
      );
      assert.equal(apply[0]?.query.fieldManager, "kompat");
      const got = await kubectl(c, "get", "nodefeaturerules", "-o", "json");
      assert.equal(got.code, 0, got.stderr);
      const items = (
        JSON.parse(got.stdout) as { items: Array<{ metadata: { name: string }; spec: unknown }> }
      ).items;
      assert.deepEqual(
        items.map((i) => i.metadata.name),
        [name],
      );
      const printed = await runCli(["cluster", "label", "--spec", SPEC, "-o", "json"], {
        env: c.env,
      });
      const expected = JSON.parse(printed.stdout) as { spec: unknown };
      assert.deepEqual(items[0]?.spec, expected.spec);
      const one = await kubectl(c, "get", "nfr", name, "-o", "json");
      assert.equal(one.code, 0, one.stderr);
      assert.equal((JSON.parse(one.stdout) as { metadata: { name: string } }).metadata.name, name);
    } finally {
      await c.cleanup();
    }
  });
}
