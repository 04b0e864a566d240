// cluster validate against the fake API server: verdicts, paging, merging, selectors,
// output shapes and every error with its own message.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";
import {
  addNode,
  fakeCluster,
  fill,
  nodeFeature,
  NODEFEATURES,
  SPEC,
  exampleFeatures,
  withoutNvidia,
} from "./fixtures.js";

const validate = (env: Record<string, string | undefined>, ...args: string[]) =>
  runCli(["cluster", "validate", "--spec", SPEC, ...args], { env });

test("every node: verdict, best set, failing expressions grouped with a count", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 2, cpu: 3, bad: 4, bare: 1 });
    const r = await validate(c.env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^gpu-1: compatible: best set 1 "GPU nodes/m);
    assert.match(r.stdout, /^cpu-2: compatible: best set 2 "CPU fallback/m);
    assert.match(r.stdout, /^bad-3: incompatible: none of 2 compatibility sets matched$/m);
    assert.match(r.stdout, /^bare-1: no features: no NodeFeature object names this node/m);
    // The 4 bad nodes' missing module reads as one line with the count.
    assert.match(r.stdout, /Why 4 nodes are incompatible:/);
    assert.match(
      r.stdout,
      /✗ 4 nodes {2}set 1 .*rule "driver and kernel": kernel\.loadedmodule nvidia Exists {2}host: element missing \(4\)/,
    );
    assert.match(
      r.stdout,
      /set 2 .*system\.osrelease ID In \[ubuntu, debian\] {2}host: "alpine" \(4\)/,
    );
    assert.match(r.stdout, /5 of 10 nodes compatible; 1 without features\n$/);
  } finally {
    await c.cleanup();
  }
});

test("all compatible: exit 0; -l selects nodes by label on the server", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 2, bad: 2 });
    const r = await validate(c.env, "-l", "pool=gpu", "--summary");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, [
      'gpu-1: compatible: best set 1 "GPU nodes: NVIDIA data-centre GPU, driver loaded, modern kernel" (tag gpu, weight 90)',
      'gpu-2: compatible: best set 1 "GPU nodes: NVIDIA data-centre GPU, driver loaded, modern kernel" (tag gpu, weight 90)',
      "2 of 2 nodes compatible", ""].join("\n")); // prettier-ignore
    const nodeLists = c.api.requests((q) => q.path === "/api/v1/nodes");
    assert.equal(nodeLists[0]?.query.labelSelector, "pool=gpu");
  } finally {
    await c.cleanup();
  }
});

test("pages of --chunk-size are followed; an expired continue token (410) restarts the list cleanly", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 5, cpu: 4 });
    c.api.expireContinues = 2;
    c.api.expireResource = "nodefeatures";
    const r = await validate(c.env, "--chunk-size", "2", "--summary", "-o", "json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { nodes: Array<{ node: string }> };
    const names = out.nodes.map((n) => n.node).sort();
    assert.deepEqual(names, [
      "cpu-1",
      "cpu-2",
      "cpu-3",
      "cpu-4",
      "gpu-1",
      "gpu-2",
      "gpu-3",
      "gpu-4",
      "gpu-5",
    ]);
    const nf = c.api.requests((q) => q.path.endsWith("/nodefeatures"));
    assert.ok(nf.every((q) => q.query.limit === "2"));
    // One 410 in the metadata pass, one in the full pass: both restarted.
    assert.equal(nf.filter((q) => q.status === 410).length, 2);
    // All namespaces, by the node-name label; the first pass asks for metadata only.
    assert.equal(nf[0]?.path, "/apis/nfd.k8s-sigs.io/v1alpha1/nodefeatures");
    assert.equal(nf[0]?.query.labelSelector, "nfd.node.kubernetes.io/node-name");
    assert.match(nf[0]?.accept ?? "", /as=PartialObjectMetadataList/);
  } finally {
    await c.cleanup();
  }
});

test("several NodeFeatures of a node are merged in nfd-master's order", async () => {
  const c = await fakeCluster();
  try {
    addNode(c.api, "n1");
    const base = withoutNvidia(); // CPU set only…
    c.api.put(NODEFEATURES, nodeFeature("n1", base, "node-feature-discovery", "n1"));
    // …until another agent publishes the module (object "a-extra" in another namespace).
    c.api.put(
      NODEFEATURES,
      nodeFeature(
        "n1",
        { flags: { "kernel.loadedmodule": { elements: { nvidia: {} } } } },
        "gpu-operator",
        "a-extra",
      ),
    );
    // An object sorted after it that overrides an attribute: later wins.
    const late = { attributes: { "kernel.version": { elements: { full: "4.19.0" } } } };
    c.api.put(NODEFEATURES, nodeFeature("n1", late, "zz-other", "zz-late"));
    let r = await validate(c.env, "--node", "n1", "-o", "json");
    let sets = JSON.parse(r.stdout) as Array<{ isMatch: boolean }>;
    assert.equal(sets[0]?.isMatch, false, "kernel 4.19 from the last object wins");
    // Without the override, the module of the extra object makes the GPU set match.
    c.api.put(
      NODEFEATURES,
      nodeFeature(
        "n1",
        { attributes: { "kernel.version": { elements: { full: "6.8.0" } } } },
        "zz-other",
        "zz-late",
      ),
    );
    r = await validate(c.env, "--node", "n1", "-o", "json");
    assert.equal(r.code, 0, r.stderr);
    sets = JSON.parse(r.stdout) as Array<{ isMatch: boolean }>;
    assert.equal(sets[0]?.isMatch, true);
    const nf = c.api.requests((q) => q.path.endsWith("/nodefeatures"));
    assert.equal(nf[nf.length - 1]?.query.labelSelector, "nfd.node.kubernetes.io/node-name=n1");
  } finally {
    await c.cleanup();
  }
});

test("-o json: validate-node's fleet shape with where the spec came from; yaml the same", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 1, cpu: 1, bare: 1 });
    const r = await validate(c.env, "-o", "json");
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      nodes: Array<Record<string, unknown>>;
    };
    assert.equal(out.image, null);
    assert.match(String(out.specDigest), /^sha256:[0-9a-f]{64}$/);
    const cpu = out.nodes.find((n) => n.node === "cpu-1") as Record<string, unknown>;
    assert.deepEqual(
      { ...cpu, report: Array.isArray(cpu.report) },
      {
        node: "cpu-1",
        compatible: true,
        featuresPublished: true,
        bestSet: 2,
        matchedSets: [2],
        report: true,
      },
    );
    const bare = out.nodes.find((n) => n.node === "bare-1");
    assert.deepEqual(bare, {
      node: "bare-1",
      compatible: false,
      featuresPublished: false,
      bestSet: null,
      matchedSets: [],
      report: null,
    });
    const y = await validate(c.env, "-o", "yaml", "--summary");
    const { parse } = await import("yaml");
    const yo = parse(y.stdout) as { nodes: unknown[] };
    assert.equal(yo.nodes.length, 3);
    assert.deepEqual(yo.nodes[0], {
      node: "cpu-1",
      compatible: true,
      featuresPublished: true,
      bestSet: 2,
      matchedSets: [2],
    });
  } finally {
    await c.cleanup();
  }
});

test("identical nodes are evaluated once, and the verdicts are still per node", async () => {
  const { validateCluster, Cluster } = await import("../../src/k8s/index.js");
  const { loadSpec } = await import("../../src/rules/index.js");
  const { readFileSync } = await import("node:fs");
  const c = await fakeCluster();
  try {
    // Same features but for system.name, which the spec does not read.
    for (let i = 0; i < 20; i++) {
      const f = exampleFeatures();
      f.attributes["system.name"] = { elements: { nodename: `n${i}` } };
      addNode(c.api, `n${i}`);
      c.api.put(NODEFEATURES, nodeFeature(`n${i}`, f));
    }
    const spec = loadSpec(readFileSync(SPEC, "utf8")).spec;
    assert.ok(spec);
    const cluster = await Cluster.connect({ env: c.env });
    const reports = new Set<unknown>();
    let n = 0;
    for await (const r of validateCluster(cluster, spec, {})) {
      n++;
      assert.equal(r.verdict?.compatible, true);
      reports.add(r.report);
    }
    assert.equal(n, 20);
    assert.equal(reports.size, 1, "one evaluation for the 20 identical nodes");
  } finally {
    await c.cleanup();
  }
});

test("errors: CRD missing, 403, unknown node, no node selected — each its own message, exit 2", async () => {
  const c = await fakeCluster({ nfd: false });
  try {
    fill(c.api, { bare: 1 });
    let r = await validate(c.env);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kompat: list nodefeatures\.nfd\.k8s-sigs\.io in all namespaces: the NodeFeature API \(nfd\.k8s-sigs\.io\/v1alpha1\) is not installed on the API server https:\/\/127\.0\.0\.1:\d+ \(context "alice"\); install Node Feature Discovery/,
    );
    c.api.nfd = true;
    c.api.deny.add("list nodefeatures");
    r = await validate(c.env);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kompat: list nodefeatures\.nfd\.k8s-sigs\.io in all namespaces: forbidden \(403\) for user "alice": nodefeatures\.nfd\.k8s-sigs\.io is forbidden: User "alice" cannot list resource "nodefeatures" in API group "nfd\.k8s-sigs\.io" at the cluster scope; a cluster administrator must grant "list" on nodefeatures\.nfd\.k8s-sigs\.io/,
    );
    c.api.deny.clear();
    c.api.deny.add("list nodes");
    r = await validate(c.env);
    assert.match(r.stderr, /^kompat: list nodes: forbidden \(403\)/);
    c.api.deny.clear();
    r = await validate(c.env, "--node", "nope");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kompat: --node nope: no such node on the API server/);
    r = await validate(c.env, "-l", "pool=none");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kompat: cluster validate: no node matches -l pool=none on/);
    r = await validate(c.env, "--node", "bare-1", "-o", "json");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /node bare-1: no features: no NodeFeature object names this node/);
  } finally {
    await c.cleanup();
  }
});
