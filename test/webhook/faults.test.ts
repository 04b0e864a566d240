// The webhook when things go wrong: registry down (with and without a cached answer),
// registry stalled past the deadline, the API server refusing the NodeFeatureRule, bad and
// oversized reviews, a certificate rotated while serving. Each outcome asserted; none timed.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { startTestServer, type TestServer } from "../helpers/testserver.js";
import { makeTls, testTls, type TlsFiles } from "../helpers/tls.js";
import { fakeCluster, type Env } from "../k8s/fixtures.js";
import { Cluster } from "../../src/k8s/client.js";
import { SpecSource, type SpecSourceOptions } from "../../src/webhook/specs.js";
import type { RunningWebhook, WebhookOptions } from "../../src/webhook/server.js";
import {
  admit as admitPod,
  PLATFORM,
  post,
  pushImage,
  replicaSetPod,
  startTestWebhook,
} from "./helpers.js";

const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";

describe("webhook serve: faults", { skip }, () => {
  let tls: TlsFiles;
  let c: Env;
  let cluster: Cluster;
  const hooks: RunningWebhook[] = [];

  before(async () => {
    tls = await testTls();
    c = await fakeCluster();
    c.env.XDG_CACHE_HOME = join(c.dir, "cache");
    cluster = await Cluster.connect({ kubeconfig: c.kubeconfig, env: c.env });
  });
  after(async () => {
    for (const h of hooks) await h.close();
    await c?.cleanup();
  });

  const start = async (o: Partial<WebhookOptions>, specs: Partial<SpecSourceOptions> = {}) => {
    const source = new SpecSource({
      client: { env: c.env, plainHttp: true, noCache: true, timeoutMs: 30_000, retries: 0 },
      ...specs,
    });
    const h = await startTestWebhook(cluster, tls, source, o);
    hooks.push(h);
    return { h, source };
  };
  const admit = (h: RunningWebhook, image: string) =>
    admitPod(h, tls.ca, replicaSetPod([{ name: "app", image }]));

  describe("the registry stops", () => {
    let reg: Distribution;
    let image: string;
    before(async () => {
      reg = await startDistribution();
      image = await pushImage(reg.url, "team/app", "v1", c.env);
    });
    after(() => reg?.stop());

    it("a cached spec is served stale with a warning; an image never seen is admitted unchanged, or denied with --fail-closed", async () => {
      // A TTL of 0: every admission asks the registry again.
      const { h, source } = await start({}, { tagTtlMs: 0 });
      const { h: closed } = await start({ failClosed: true });
      const first = await admit(h, image);
      assert.equal(first.patchType, "JSONPatch");
      await reg.stop();
      const again = await admit(h, image);
      assert.equal(again.patch, first.patch, "the same affinity from the stale entry");
      assert.match(
        again.warnings?.[0] ?? "",
        new RegExp(
          `^kompat: ${image.replace(/[.]/g, "\\.")}: registry unreachable \\(.+\\); cached spec used$`,
        ),
      );
      assert.equal(source.cache.staleServed, 1);

      const unseen = `${reg.host}/team/other:v1`;
      const open = await admit(h, unseen);
      assert.equal(open.allowed, true);
      assert.equal(open.patch, undefined);
      assert.match(
        open.warnings?.[0] ?? "",
        new RegExp(
          `^kompat: ${unseen.replace(/[.]/g, "\\.")}: .*(refused|ECONNREFUSED|connect).*; admitted without its node affinity$`,
          "i",
        ),
      );
      const denied = await admit(closed, unseen);
      assert.equal(denied.allowed, false);
      assert.equal(denied.status?.code, 403);
      assert.match(denied.status?.message ?? "", /\(--fail-closed\)$/);
      assert.ok(denied.status?.message.includes(unseen));
    });
  });

  describe("the registry stalls past the deadline", () => {
    let slow: TestServer;
    before(async () => {
      slow = await startTestServer();
      slow.pushImage("team/slow", "v1", [PLATFORM]);
      slow.addFault({ path: "/manifests/", action: { kind: "stall" } });
    });
    after(() => slow?.stop());

    it("answers at the deadline: admitted unchanged with a warning (or denied), one registry fetch for concurrent admissions", async () => {
      const image = `${slow.host}/team/slow:v1`;
      const { h, source } = await start({ deadlineMs: 300 });
      const [a, b] = await Promise.all([admit(h, image), admit(h, image)]);
      for (const r of [a, b]) {
        assert.equal(r.allowed, true);
        assert.equal(r.patch, undefined);
        assert.deepEqual(r.warnings, [
          `kompat: ${image}: no answer within the 300ms deadline; admitted without its node affinity`,
        ]);
      }
      assert.equal(source.fetches, 1, "both admissions share one fetch");
      const { h: closed } = await start({ deadlineMs: 300, failClosed: true });
      const d = await admit(closed, image);
      assert.equal(d.allowed, false);
      assert.equal(
        d.status?.message,
        `kompat: ${image}: no answer within the 300ms deadline (--fail-closed)`,
      );
      const m = await post(h.url, tls.ca, "/metrics", undefined);
      assert.match(m.body, /^kompat_webhook_admissions_total\{outcome="degraded"\} 2$/m);
    });
  });

  describe("the API server refuses the NodeFeatureRule (403)", () => {
    let reg: Distribution;
    let image: string;
    before(async () => {
      reg = await startDistribution();
      image = await pushImage(reg.url, "team/app", "v1", c.env);
      c.api.deny.add("patch nodefeaturerules");
    });
    after(async () => {
      c.api.deny.delete("patch nodefeaturerules");
      await reg?.stop();
    });

    it("admits without affinity (no label would ever match) and says why; the next admission tries again", async () => {
      const { h } = await start({});
      const r = await admit(h, image);
      assert.equal(r.allowed, true);
      assert.equal(r.patch, undefined);
      assert.match(
        r.warnings?.[0] ?? "",
        /forbidden: User "alice" cannot patch resource "nodefeaturerules".*; admitted without its node affinity$/,
      );
      c.api.deny.delete("patch nodefeaturerules");
      const ok = await admit(h, image);
      assert.equal(ok.patchType, "JSONPatch");
      assert.equal(ok.warnings, undefined);
    });
  });

  describe("bad requests", () => {
    it("answers 400/405/413 with a message and keeps serving", async () => {
      const { h } = await start({});
      const send = (body: string | Buffer, path = "/mutate", method?: string) =>
        post(h.url, tls.ca, path, body, method);
      const notJson = await send("{not json");
      assert.equal(notJson.status, 400);
      assert.match(notJson.body, /"error":"the body is not JSON: /);
      const wrong = await send(
        JSON.stringify({
          apiVersion: "admission.k8s.io/v1beta1",
          kind: "AdmissionReview",
          request: { uid: "x" },
        }),
      );
      assert.equal(wrong.status, 400);
      assert.match(
        wrong.body,
        /expected apiVersion admission\.k8s\.io\/v1, kind AdmissionReview \(got admission\.k8s\.io\/v1beta1, AdmissionReview\)/,
      );
      const noUid = await send(
        JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: {} }),
      );
      assert.equal(noUid.status, 400);
      assert.match(noUid.body, /request\.uid: missing/);
      const noSpec = await send(
        JSON.stringify({
          apiVersion: "admission.k8s.io/v1",
          kind: "AdmissionReview",
          request: { uid: "u", operation: "CREATE", object: { kind: "Pod" } },
        }),
      );
      assert.equal(noSpec.status, 400);
      assert.match(noSpec.body, /request\.object: not a Pod \(no spec\)/);
      const array = await send("[1,2]");
      assert.equal(array.status, 400);
      assert.match(array.body, /the body is not a JSON object/);
      const big = await send(Buffer.alloc(5 << 20, 0x20));
      assert.equal(big.status, 413);
      assert.match(big.body, /the review is larger than 4194304 bytes/);
      const get = await post(h.url, tls.ca, "/mutate", undefined, "GET");
      assert.equal(get.status, 405);
      assert.equal((await post(h.url, tls.ca, "/healthz", undefined)).status, 200);
      const m = await post(h.url, tls.ca, "/metrics", undefined);
      assert.match(m.body, /^kompat_webhook_admissions_total\{outcome="bad_request"\} 6$/m);
    });
  });

  describe("certificate rotation", () => {
    it("a new certificate written over the files is served to new connections", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kompat-webhook-tls-"));
      const next = await makeTls();
      try {
        const certFile = join(dir, "tls.crt");
        const keyFile = join(dir, "tls.key");
        copyFileSync(tls.certFile, certFile);
        copyFileSync(tls.keyFile, keyFile);
        const { h } = await start({ certFile, keyFile, certPollMs: 20 });
        const old = await post(h.url, tls.ca, "/healthz", undefined);
        assert.equal(old.status, 200);
        copyFileSync(next.keyFile, keyFile);
        copyFileSync(next.certFile, certFile);
        // The poll picks the change up; wait for it (the test's own timeout bounds this).
        for (;;) {
          const r = await post(h.url, next.ca, "/healthz", undefined).catch(() => undefined);
          if (r?.status === 200) {
            assert.notEqual(r.fingerprint, old.fingerprint);
            break;
          }
          await new Promise((ok) => setTimeout(ok, 20));
        }
        await assert.rejects(
          post(h.url, tls.ca, "/healthz", undefined),
          /self[- ]signed|unable to verify|certificate/i,
        );
      } finally {
        await next.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
