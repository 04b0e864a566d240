// The warm-up the start-up snapshot runs while it is built (src/cli/warmup.ts): its spec
// must load clean and every command it runs must succeed, or the blob would be built
// without the compiled code it is there for. The registry warm-up runs against a stand-in
// for node:http; afterwards node's own must be back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSpec } from "../../src/rules/index.js";
import { specFeatures } from "../../src/spec/features.js";
import { WARM_UP_SPEC, warmUp } from "../../src/cli/warmup.js";
import { warmUpRegistry } from "../../src/cli/warmup-registry.js";
import { withHttpModule, type HttpModule } from "../../src/oci/exchange.js";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runCli } from "../helpers/cli.js";

const FEATURES = "examples/node-features.json";

test("the warm-up spec loads without a diagnostic and names features of many sources", () => {
  const parsed = loadSpec(WARM_UP_SPEC);
  assert.deepEqual(parsed.diagnostics, []);
  assert.ok(parsed.spec);
  const domains = new Set([...specFeatures(parsed.spec)].map((f) => f.split(".")[0]));
  for (const d of ["cpu", "kernel", "pci", "system", "memory", "rule"])
    assert.ok(domains.has(d), d);
});

test("the warm-up runs to the end on this machine", async () => {
  await warmUp();
});

test("the registry warm-up runs validate-node --image through the registry code, cold, warm and over https", async () => {
  // Its own parent directory: other tests build blobs (and so warm up) at the same time.
  const parent = mkdtempSync(join(tmpdir(), "kompat-warmup-test-"));
  const runs: Array<{ argv: string[]; code: number; stderr: string }> = [];
  await warmUpRegistry(
    WARM_UP_SPEC,
    readFileSync(join(REPO, FEATURES), "utf8"),
    async (argv, input, env) => {
      const r = await runCli([...argv, "-v"], { stdin: input, env });
      runs.push({ argv, code: r.code, stderr: r.stderr });
    },
    parent,
  );
  for (const r of runs) assert.ok(r.code === 0 || r.code === 1, `${r.argv.join(" ")}: ${r.stderr}`);
  const all = runs.map((r) => r.stderr).join("");
  // Without a referrers API: the fallback tag; then remembered, and the tag checked by HEAD.
  assert.match(all, /no referrers API \(404\); using the referrers tag/);
  assert.match(all, /GET http:\/\/warm\.invalid\/v2\/warm\/app\/manifests\/sha256-/);
  assert.match(all, /remembered to have no referrers API/);
  assert.match(all, /HEAD http:\/\/warm\.invalid\/v2\/warm\/app\/manifests\/1\n/);
  assert.match(all, /GET https:\/\/warm\.invalid\/v2\/warm\/app\/blobs\/sha256:/);
  // With one: the API's index.
  assert.match(all, /GET http:\/\/warm\.invalid\/v2\/warm\/app\/referrers\/sha256:[0-9a-f]{64}\?/);
  // Its cache is gone.
  try {
    assert.deepEqual(readdirSync(parent), []);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("after the registry warm-up, requests go through node's own http again", async () => {
  await assert.rejects(
    withHttpModule({} as HttpModule, () => Promise.reject(new Error("inside"))),
    /inside/,
  );
  // A socket that answers 404 to whatever comes: only node's http reaches it.
  const seen: string[] = [];
  const server = createServer((socket) => {
    socket.once("data", (b) => {
      seen.push(b.toString("latin1").split("\r\n")[0] ?? "");
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  try {
    const r = await runCli([
      "fetch-spec",
      "--image",
      `127.0.0.1:${port}/x:y`,
      "--plain-http",
      "--no-cache",
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not found/);
    assert.deepEqual(seen, ["GET /v2/x/manifests/y HTTP/1.1"]);
  } finally {
    await new Promise((ok) => server.close(ok));
  }
});
