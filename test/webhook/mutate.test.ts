// The webhook end to end: real-shaped AdmissionReviews over HTTPS, images and their specs on
// the real Distribution registry (attached by kompat attach), NodeFeatureRules applied to
// the API server fake and read back by the real kubectl, the returned JSON Patch applied
// with fast-json-patch and the patched Pod validated against Kubernetes' schema.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import jsonpatch from "fast-json-patch";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { testTls, type TlsFiles } from "../helpers/tls.js";
import { fakeCluster, type Env } from "../k8s/fixtures.js";
import { validateObject } from "../k8s/models.js";
import { Cluster } from "../../src/k8s/client.js";
import { SpecSource } from "../../src/webhook/specs.js";
import type { RunningWebhook } from "../../src/webhook/server.js";
import {
  admit as admitPod,
  post,
  pushImage,
  replicaSetPod,
  startTestWebhook,
  type ReviewResponse,
} from "./helpers.js";

const exec = promisify(execFile);
const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";
const LABEL = /^kompat\.feature\.node\.kubernetes\.io\/[0-9a-f]{12}-set[12]$/;

interface Term {
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
interface PatchedPod {
  spec: {
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: Term[] };
        preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number }>;
      };
      podAntiAffinity?: unknown;
    };
  };
}

function patched(pod: Record<string, unknown>, r: ReviewResponse): PatchedPod {
  assert.equal(r.patchType, "JSONPatch");
  const ops = JSON.parse(
    Buffer.from(r.patch ?? "", "base64").toString("utf8"),
  ) as jsonpatch.Operation[];
  const out = jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument;
  validateObject(out);
  return out as unknown as PatchedPod;
}

describe("webhook serve: admissions", { skip }, () => {
  let reg: Distribution;
  let c: Env;
  let tls: TlsFiles;
  let hook: RunningWebhook;
  let cluster: Cluster;
  const logs: Array<Record<string, unknown>> = [];
  let gpuApp: string;
  let other: string;
  let plain: string;
  let batch: string;

  before(async () => {
    tls = await testTls();
    reg = await startDistribution();
    c = await fakeCluster();
    c.env.XDG_CACHE_HOME = join(c.dir, "cache");
    gpuApp = await pushImage(reg.url, "shop/app", "v1", c.env);
    other = await pushImage(reg.url, "shop/sidecar", "v2", c.env);
    plain = await pushImage(reg.url, "shop/plain", "v1", c.env, false);
    batch = await pushImage(reg.url, "shop/batch", "v1", c.env);
    cluster = await Cluster.connect({ kubeconfig: c.kubeconfig, env: c.env });
    const specs = new SpecSource({ client: { env: c.env, plainHttp: true, noCache: true } });
    hook = await startTestWebhook(cluster, tls, specs, { log: (e) => logs.push(e) });
  });
  after(async () => {
    await hook?.close();
    await reg?.stop();
    await c?.cleanup();
  });

  const admit = (pod: Record<string, unknown>) => admitPod(hook, tls.ca, pod);

  it("a ReplicaSet's pod with an init container, two images with specs and existing affinity: every existing term ANDs both images' sets", async () => {
    const existing = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "topology.kubernetes.io/zone", operator: "In", values: ["a"] },
              ],
            },
          ],
        },
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 50,
            podAffinityTerm: {
              topologyKey: "kubernetes.io/hostname",
              labelSelector: { matchLabels: { app: "web" } },
            },
          },
        ],
      },
    };
    const pod = replicaSetPod(
      [
        { name: "web", image: gpuApp },
        { name: "plain", image: plain },
      ],
      { initContainers: [{ name: "init", image: other }], affinity: existing },
    );
    const r = await admit(pod);
    assert.equal(r.allowed, true);
    assert.equal(r.warnings, undefined);
    const out = patched(pod, r);
    const na = out.spec.affinity?.nodeAffinity;
    const terms = na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    // 1 existing term × 2 sets of one image × 2 sets of the other.
    assert.equal(terms.length, 4);
    for (const t of terms) {
      const keys = (t.matchExpressions ?? []).map((e) => e.key);
      assert.equal(keys[0], "topology.kubernetes.io/zone");
      assert.equal(keys.length, 3);
      assert.ok(
        keys.slice(1).every((k) => LABEL.test(k)),
        keys.join(" "),
      );
      assert.notEqual(keys[1]?.slice(0, 40), keys[2]?.slice(0, 40), "one label of each image");
    }
    assert.equal(na?.preferredDuringSchedulingIgnoredDuringExecution?.length, 4);
    assert.ok(out.spec.affinity?.podAntiAffinity, "the pod's other affinity is kept");

    const k = await exec("kubectl", ["get", "nodefeaturerules", "-o", "json"], {
      env: c.env as NodeJS.ProcessEnv,
      timeout: 60_000,
    });
    const items = (
      JSON.parse(k.stdout) as {
        items: Array<{ metadata: { name: string; annotations: Record<string, string> } }>;
      }
    ).items;
    const images = items
      .map((i) => i.metadata.annotations["kompat.feature.node.kubernetes.io/image"])
      .sort();
    assert.deepEqual(images, [gpuApp, other].sort());
    for (const i of items) assert.match(i.metadata.name, /^kompat-[0-9a-f]{64}$/);
  });

  it("the same pod again: answered from the cache, no registry fetch, no second apply", async () => {
    const applies = () => c.api.log.filter((l) => l.method === "PATCH").length;
    const before = applies();
    const pod = replicaSetPod([{ name: "web", image: gpuApp }]);
    const r = await admit(pod);
    const out = patched(pod, r);
    assert.equal(
      out.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        ?.nodeSelectorTerms.length,
      2,
    );
    assert.equal(applies(), before);
    const m = await post(hook.url, tls.ca, "/metrics", undefined);
    assert.match(m.body, /^kompat_webhook_cache_hits_total [1-9]\d*$/m);
    assert.match(m.body, /^kompat_webhook_registry_fetches_total 3$/m);
    assert.match(m.body, /^kompat_webhook_admissions_total\{outcome="patched"\} 2$/m);
    assert.match(m.body, /^kompat_webhook_admission_duration_seconds_count 2$/m);
  });

  it("--tags by annotation keeps one set; the opt-out annotation and an image without a spec change nothing", async () => {
    const pod = replicaSetPod([{ name: "web", image: gpuApp }], {
      annotations: { "kompat.feature.node.kubernetes.io/tags": "cpu" },
    });
    const out = patched(pod, await admit(pod));
    const terms =
      out.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        ?.nodeSelectorTerms ?? [];
    assert.equal(terms.length, 1);
    assert.match(terms[0]?.matchExpressions?.[0]?.key ?? "", /-set2$/);

    const out2 = await admit(
      replicaSetPod([{ name: "web", image: gpuApp }], {
        annotations: { "kompat.feature.node.kubernetes.io/webhook": "disabled" },
      }),
    );
    assert.deepEqual(Object.keys(out2).sort(), ["allowed", "uid"]);
    const out3 = await admit(replicaSetPod([{ name: "plain", image: plain }]));
    assert.equal(out3.allowed, true);
    assert.equal(out3.patch, undefined);
    assert.equal(out3.warnings, undefined);
  });

  it("a new image's pods admitted at once share one apply; the pod's own affinity is part of what the patch is remembered by", async () => {
    const applies = () => c.api.log.filter((l) => l.method === "PATCH").length;
    const before = applies();
    const pod = replicaSetPod([{ name: "job", image: batch }]);
    const answers = await Promise.all(Array.from({ length: 8 }, () => admit(pod)));
    assert.equal(applies(), before + 1);
    const patches = new Set(answers.map((a) => a.patch));
    assert.equal(patches.size, 1);
    assert.equal(
      patched(pod, answers[0] ?? { uid: "", allowed: false }).spec.affinity?.nodeAffinity
        ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.length,
      2,
    );
    const zone = { key: "topology.kubernetes.io/zone", operator: "In", values: ["a"] };
    const own = replicaSetPod([{ name: "job", image: batch }], {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [zone] }],
          },
        },
      },
    });
    const terms =
      patched(own, await admit(own)).spec.affinity?.nodeAffinity
        ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    assert.equal(terms.length, 2);
    for (const t of terms) assert.deepEqual(t.matchExpressions?.[0], zone);
  });

  it("/healthz and /readyz answer 200 while the API server is there", async () => {
    assert.equal((await post(hook.url, tls.ca, "/healthz", undefined)).status, 200);
    const r = await post(hook.url, tls.ca, "/readyz", undefined);
    assert.equal(r.status, 200, r.body);
  });
});
