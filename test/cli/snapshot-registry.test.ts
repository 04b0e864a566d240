// The start-up snapshot holds the registry code evaluated and warmed against an in-memory
// registry (src/cli/warmup-registry.ts): a run from the blob must talk to a real registry
// exactly as the plain bundle does, with a cold cache, a warm one and none, over HTTP and
// over TLS with --ca-file.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BIN, REPO } from "../helpers/cli.js";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { Raw } from "../oci/raw.js";

const skip = haveDistribution() ? false : "docker-registry is not installed";
const tmp = mkdtempSync(join(tmpdir(), "kompat-snapshot-registry-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const SPEC = join(REPO, "examples/compat-spec.yaml");
const FEATURES = join(REPO, "examples/node-features.json");

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(BIN, args, {
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, KOMPAT_TRACE_START: "1", ...env },
    encoding: "utf8",
  });
  // Which way it started goes first on stderr; the rest must be the same both ways.
  const [how = "", ...rest] = r.stderr.split("\n");
  return { how, result: { code: r.status, stdout: r.stdout, stderr: rest.join("\n") } };
}

async function sameBothWays(reg: Distribution, extra: string[]): Promise<void> {
  const image = `${reg.host}/snap/app:1`;
  await new Raw(reg.url, reg.ca ? { ca: reg.ca } : {}).pushSingle(
    "snap/app",
    "1",
    "linux",
    "amd64",
  );
  const attach = run(["attach", "--image", image, "--spec", SPEC, "--no-cache", ...extra], {});
  assert.equal(attach.result.code, 0, attach.result.stderr);
  const args = ["validate-node", "--image", image, "--features", FEATURES, "-v", ...extra];
  for (const what of ["cold cache", "warm cache", "no cache"]) {
    const [blob, plain] = [{}, { KOMPAT_NO_SNAPSHOT: "1" }].map((env, i) => {
      const cache = join(tmp, `${reg.host.replace(":", "-")}-${i}`);
      return run(what === "no cache" ? [...args, "--no-cache"] : args, {
        ...env,
        XDG_CACHE_HOME: cache,
      });
    });
    assert.match(blob?.how ?? "", /start: snapshot /, "the blob was not used");
    assert.match(plain?.how ?? "", /start: bundle/);
    assert.deepEqual(blob?.result, plain?.result, what);
    assert.equal(blob?.result.code, 0, blob?.result.stderr);
    const requests = (blob?.result.stderr.match(/^ {2}(GET|HEAD) /gm) ?? []).length;
    assert.equal(requests, what === "warm cache" ? 2 : 5, `${what}: ${blob?.result.stderr}`);
  }
}

test(
  "validate-node --image from the blob and from the bundle: same requests, same report",
  { skip },
  async () => {
    assert.ok(existsSync(join(REPO, "dist/snapshot/kompat.blob")), "no blob built");
    const reg = await startDistribution({});
    try {
      await sameBothWays(reg, ["--plain-http"]);
    } finally {
      await reg.stop();
    }
  },
);

test("the same over TLS with --ca-file", { skip }, async () => {
  const reg = await startDistribution({ tls: true });
  try {
    await sameBothWays(reg, ["--ca-file", reg.caFile as string]);
  } finally {
    await reg.stop();
  }
});
