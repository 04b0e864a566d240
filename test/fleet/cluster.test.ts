// audit over a cluster: the images its Pods run (from the API server fake, with imageIDs,
// init containers, a Pod not started yet) on the real registry (Distribution, specs attached
// by kompat), × a fleet file or the cluster's own NodeFeatures; the errors with messages.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runningImage } from "../../src/k8s/pods.js";
import { haveDistribution } from "../helpers/registry.js";
import { runCli } from "../helpers/cli.js";
import { PODS } from "../helpers/apiserver.js";
import { addNode, fakeCluster, nodeFeature, NODEFEATURES, type Env } from "../k8s/fixtures.js";
import type { RawFeatures } from "../k8s/fixtures.js";
import {
  CPU_NODE,
  GPU_NEW,
  GPU_OLD,
  features,
  fleetFile,
  userEnv,
  type NodeType,
} from "./helpers.js";
import { startFleet, type Fleet } from "./registry-setup.js";

const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";
const IMAGE_ID = `sha256:${"ab".repeat(32)}`;

interface AuditJson {
  images: Array<{ ref: string; subject: string | null; state?: string }>;
  groups: Array<{ id: string; nodes: string[] }>;
  cells: Array<{ image: string; group: string; state: string; bestSet: { tag?: string } | null }>;
}

type Status = { name: string; imageID: string };
function pod(
  ns: string,
  name: string,
  containers: Array<[string, string]>,
  opts: {
    init?: Array<[string, string]>;
    status?: Status[];
    initStatus?: Status[];
    labels?: Record<string, string>;
  } = {},
): Record<string, unknown> {
  const c = (l: Array<[string, string]>) => l.map(([n, image]) => ({ name: n, image }));
  return {
    metadata: { name, namespace: ns, labels: opts.labels ?? {} },
    spec: { containers: c(containers), ...(opts.init ? { initContainers: c(opts.init) } : {}) },
    ...(opts.status || opts.initStatus
      ? {
          status: {
            ...(opts.status ? { containerStatuses: opts.status } : {}),
            ...(opts.initStatus ? { initContainerStatuses: opts.initStatus } : {}),
          },
        }
      : {}),
  };
}

describe("runningImage: the digest a container runs, from the imageID forms runtimes write", () => {
  const d = `sha256:${"1f".repeat(32)}`;
  it("pins the Pod's image to a repository digest; keeps it for an image ID or nothing", () => {
    assert.deepEqual(runningImage("reg.io/app:1", `docker-pullable://reg.io/app@${d}`), {
      ref: `reg.io/app:1@${d}`,
    });
    assert.deepEqual(runningImage("nginx:1.25", `docker.io/library/nginx@${d}`), {
      ref: `nginx:1.25@${d}`,
    });
    assert.deepEqual(runningImage(`reg.io/app:1@${IMAGE_ID}`, `reg.io/app@${d}`), {
      ref: `reg.io/app:1@${d}`,
    });
    // Pulled through a mirror: what runs is the mirror's digest.
    assert.deepEqual(runningImage("reg.io/app:1", `mirror.io/app@${d}`), {
      ref: `mirror.io/app@${d}`,
    });
    // An image ID is the config's digest, not a manifest: the tag is the best reference.
    assert.deepEqual(runningImage("reg.io/app:1", IMAGE_ID), { ref: "reg.io/app:1" });
    assert.deepEqual(runningImage("reg.io/app:1", `docker://${IMAGE_ID}`), { ref: "reg.io/app:1" });
    assert.deepEqual(runningImage("reg.io/app:1", ""), { ref: "reg.io/app:1" });
    assert.deepEqual(runningImage("reg.io/App:1", ""), {
      problem: 'invalid reference "reg.io/App:1": repository name must be lowercase',
    });
  });
});

describe("audit --images-from-cluster, --cluster", { skip }, () => {
  let fleet: Fleet;
  let c: Env;
  const env = () => ({ ...userEnv(), KUBECONFIG: c.kubeconfig });
  const ref = (tag: string) => `${fleet.repo}:${tag}`;
  const audit = (...args: string[]) =>
    runCli(["audit", "--plain-http", "-o", "json", ...args], { env: env() });
  before(async () => {
    fleet = await startFleet();
    c = await fakeCluster();
    const { digests } = fleet;
    c.api.put(PODS, pod("web", "gpu-app", [["main", ref("cuda12")]], {
      init: [["setup", ref("cpu")]],
      status: [{ name: "main", imageID: `docker-pullable://${fleet.repo}@${digests.cuda12}` }],
      initStatus: [{ name: "setup", imageID: `${fleet.repo}@${digests.cpu}` }],
      labels: { app: "gpu" },
    })); // prettier-ignore
    // The same image in a second Pod: audited once.
    c.api.put(PODS, pod("web", "gpu-app-2", [["main", ref("cuda12")]], {
      status: [{ name: "main", imageID: `${fleet.repo}@${digests.cuda12}` }],
      labels: { app: "gpu" },
    })); // prettier-ignore
    // The tag moved since this Pod started: what runs is cuda11's manifest.
    c.api.put(PODS, pod("batch", "old-run", [["job", ref("cuda12")]], {
      status: [{ name: "job", imageID: `${fleet.repo}@${digests.cuda11}` }],
    })); // prettier-ignore
    // A runtime that reports an image ID only: the tag is audited.
    c.api.put(PODS, pod("batch", "legacy", [["job", ref("cuda11")]], {
      status: [{ name: "job", imageID: IMAGE_ID }],
    })); // prettier-ignore
    // Not scheduled yet: no status at all.
    c.api.put(PODS, pod("web", "pending", [["main", ref("nospec")]]));
  });
  after(async () => {
    await c?.cleanup();
    await fleet?.stop();
  });

  it("every container and init container, pinned to the running digest, deduplicated, paged", async () => {
    const nodes = fleetFile([["gpu-new-1", GPU_NEW], ["gpu-old-1", GPU_OLD], ["cpu-1", CPU_NODE]]); // prettier-ignore
    const r = await audit("--images-from-cluster", "--features", nodes, "--chunk-size", "2");
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as AuditJson;
    const { digests } = fleet;
    assert.deepEqual(
      out.images.map((i) => i.ref),
      [
        ref("cuda11"),
        `${ref("cuda12")}@${digests.cuda11}`,
        `${ref("cpu")}@${digests.cpu}`,
        `${ref("cuda12")}@${digests.cuda12}`,
        ref("nospec"),
      ],
    );
    const row = (i: string) =>
      out.cells.filter((x) => x.image === i).map((x) => `${x.state}:${x.bestSet?.tag ?? "-"}`);
    // cuda12 moved: the Pod runs cuda11's manifest, whose spec fits the old GPU nodes too.
    assert.deepEqual(row(`${ref("cuda12")}@${digests.cuda11}`), ["compatible:cuda11", "compatible:cuda11", "incompatible:-"]); // prettier-ignore
    assert.deepEqual(row(`${ref("cuda12")}@${digests.cuda12}`), ["compatible:cuda12", "incompatible:-", "incompatible:-"]); // prettier-ignore
    assert.deepEqual(row(ref("nospec")), ["no-spec:-", "no-spec:-", "no-spec:-"]);
    // 5 Pods in pages of 2: three list requests, every namespace.
    const lists = c.api.requests((q) => q.path === "/api/v1/pods");
    assert.equal(lists.length, 3);
    assert.equal(lists[0]?.query.limit, "2");
  });

  it("-n and -l narrow the Pods on the server", async () => {
    const nodes = fleetFile([["gpu-new-1", GPU_NEW]]);
    const r = await audit("--images-from-cluster", "-n", "web", "-l", "app=gpu", "--features", nodes); // prettier-ignore
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as AuditJson;
    assert.deepEqual(
      out.images.map((i) => i.ref),
      [`${ref("cpu")}@${fleet.digests.cpu}`, `${ref("cuda12")}@${fleet.digests.cuda12}`],
    );
    const q = c.api.requests((x) => x.path === "/api/v1/namespaces/web/pods").at(-1);
    assert.equal(q?.query.labelSelector, "app=gpu");
  });

  it("--cluster: the nodes from the cluster's NodeFeatures, grouped; a node without any noted", async () => {
    const put = (name: string, t: NodeType) => {
      addNode(c.api, name);
      c.api.put(NODEFEATURES, nodeFeature(name, features(name, t) as unknown as RawFeatures));
    };
    put("n-gpu-1", GPU_NEW);
    put("n-gpu-2", GPU_NEW);
    put("n-cpu-1", CPU_NODE);
    addNode(c.api, "n-bare");
    const r = await audit("--images", ref("cuda12"), "--images", ref("cpu"), "--cluster");
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as AuditJson;
    assert.deepEqual(out.groups, [
      { id: "G1", nodes: ["n-cpu-1"] },
      { id: "G2", nodes: ["n-gpu-1", "n-gpu-2"] },
    ]);
    assert.deepEqual(
      out.cells.map((x) => `${x.group}:${x.state}`),
      ["G1:incompatible", "G2:compatible", "G1:compatible", "G2:compatible"],
    );
    assert.match(r.stderr, /note: 1 node without a NodeFeature object left out .*: n-bare\n/);
  });

  it("errors name what failed and what to do: 403 on pods, no kubeconfig, no image, bad flags", async () => {
    const nodes = fleetFile([["gpu-new-1", GPU_NEW]]);
    c.api.deny.add("list pods");
    try {
      const r = await audit("--images-from-cluster", "--features", nodes);
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr,
        `kompat: list pods in all namespaces: forbidden (403) for user "alice": pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope; a cluster administrator must grant "list" on pods (see RBAC in kompat's docs/kubernetes.md)\n`,
      );
      assert.equal(r.stdout, "");
    } finally {
      c.api.deny.delete("list pods");
    }
    let r = await runCli(["audit", "--images-from-cluster", "--features", nodes], {
      env: userEnv(),
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kompat: no kubeconfig: --kubeconfig not given, KUBECONFIG not set/);
    r = await audit("--images-from-cluster", "-n", "empty", "--features", nodes);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kompat: audit: no Pod in namespace "empty" of the API server https:\/\/127\.0\.0\.1:\d+ \(context "alice"\) runs an image: nothing to audit\n$/); // prettier-ignore
    r = await audit("--images", ref("cpu"), "-l", "app=x", "--features", nodes);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /audit: -l selects Pods: it goes with --images-from-cluster/);
    r = await audit("--images", ref("cpu"), "--features", nodes, "--cluster");
    assert.match(r.stderr, /audit: give the nodes with one of --features FILE or --cluster/);
  });
});
