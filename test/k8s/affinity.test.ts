// cluster affinity: the nodeAffinity for the NodeFeatureRule's labels, and merged into
// workloads (every pod template kind, multi-document YAML, comments and order kept),
// validated against Kubernetes' OpenAPI schemas.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parse, parseAllDocuments } from "yaml";
import { runCli } from "../helpers/cli.js";
import { mergeNodeAffinity, type NodeAffinity } from "../../src/k8s/index.js";
import { validateObject } from "./models.js";
import { SPEC } from "./fixtures.js";

const WORKLOADS = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep me
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: zone, operator: In, values: [a]}]
            - matchExpressions: [{key: zone, operator: In, values: [b]}]
      containers: [{name: web, image: app:1.2}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: untouched}
data: {a: "1"}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: app:1.2}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: app:1.2}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  serviceName: s
  selector: {matchLabels: {app: s}}
  template: {metadata: {labels: {app: s}}, spec: {containers: [{name: c, image: app:1.2}]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: app:1.2}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: r}
spec:
  selector: {matchLabels: {app: r}}
  template: {metadata: {labels: {app: r}}, spec: {containers: [{name: c, image: app:1.2}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: app:1.2}]}}
`;

test("the affinity: required = any set's label, preferred = one term per set with its weight", async () => {
  const r = await runCli(["cluster", "affinity", "--spec", SPEC]);
  assert.equal(r.code, 0, r.stderr);
  const a = (parse(r.stdout) as { nodeAffinity: NodeAffinity }).nodeAffinity;
  const terms = a.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  assert.equal(terms.length, 2);
  assert.match(
    terms[0]?.matchExpressions?.[0]?.key ?? "",
    /^kompat\.feature\.node\.kubernetes\.io\/[0-9a-f]{12}-set1$/,
  );
  assert.deepEqual(
    a.preferredDuringSchedulingIgnoredDuringExecution?.map((p) => p.weight),
    [90, 10],
  );
  // The same label keys as the NodeFeatureRule.
  const l = await runCli(["cluster", "label", "--spec", SPEC, "-o", "json"]);
  const rule = JSON.parse(l.stdout) as {
    spec: { rules: Array<{ labels?: Record<string, string> }> };
  };
  const ruleKeys = rule.spec.rules.flatMap((x) => Object.keys(x.labels ?? {}));
  assert.deepEqual(
    terms.map((t) => t.matchExpressions?.[0]?.key),
    ruleKeys,
  );
  const narrowed = await runCli([
    "cluster",
    "affinity",
    "--spec",
    SPEC,
    "--tags",
    "gpu",
    "-o",
    "json",
  ]);
  const na = (JSON.parse(narrowed.stdout) as { nodeAffinity: NodeAffinity }).nodeAffinity;
  assert.equal(na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.length, 1);
});

test("-f: every pod template gets it, existing terms each gain the requirement, the rest is kept", async () => {
  const r = await runCli(["cluster", "affinity", "--spec", SPEC, "-f", "-"], { stdin: WORKLOADS });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# the web tier\n/);
  assert.match(r.stdout, /name: web # keep me/);
  const docs = parseAllDocuments(r.stdout);
  assert.ok(Array.isArray(docs));
  const objs = docs.map((d) => d.toJS() as Record<string, unknown>);
  assert.deepEqual(
    objs.map((o) => o.kind),
    ["Deployment", "ConfigMap", "CronJob", "Pod", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"],
  );
  for (const o of objs) validateObject(o);
  assert.deepEqual(objs[1], {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "untouched" },
    data: { a: "1" },
  });
  const dep = objs[0] as {
    spec: { template: { spec: { affinity: { nodeAffinity: NodeAffinity } } } };
  };
  const terms =
    dep.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  // (zone a OR zone b) AND (set1 OR set2) = four terms.
  assert.equal(terms.length, 4);
  assert.deepEqual(terms.map((t) => t.matchExpressions?.map((e) => e.key.replace(/.*-/, "") + (e.values?.[0] ?? ""))), [
    ["zonea", "set1true"], ["zonea", "set2true"], ["zoneb", "set1true"], ["zoneb", "set2true"],
  ]); // prettier-ignore
  const cron = objs[2] as {
    spec: { jobTemplate: { spec: { template: { spec: { affinity?: unknown } } } } };
  };
  assert.ok(cron.spec.jobTemplate.spec.template.spec.affinity);
  // Applying it again changes nothing.
  const again = await runCli(["cluster", "affinity", "--spec", SPEC, "-f", "-"], {
    stdin: r.stdout,
  });
  assert.equal(again.stdout, r.stdout);
});

test("merging by hand: matchFields and other preferences are kept", () => {
  const ours: NodeAffinity = {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: "k/s1", operator: "In", values: ["true"] }] },
      ],
    },
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 5,
        preference: { matchExpressions: [{ key: "k/s1", operator: "In", values: ["true"] }] },
      },
    ],
  };
  const got = mergeNodeAffinity(
    {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 1, preference: { matchExpressions: [{ key: "ssd", operator: "Exists" }] } },
      ],
    },
    ours,
  );
  assert.deepEqual(got.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
    {
      matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }],
      matchExpressions: [{ key: "k/s1", operator: "In", values: ["true"] }],
    },
  ]);
  assert.deepEqual(
    got.preferredDuringSchedulingIgnoredDuringExecution?.map((p) => p.weight),
    [1, 5],
  );
});

test("-f: bad YAML is an error with the place; a file without workloads says so", async () => {
  let r = await runCli(["cluster", "affinity", "--spec", SPEC, "-f", "-"], {
    stdin: "kind: Pod\nspec: [\n",
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^kompat: invalid manifests: <stdin>:\d+:\d+: /);
  r = await runCli(["cluster", "affinity", "--spec", SPEC, "-f", "-"], {
    stdin: "kind: Pod\nmetadata: {name: x}\n",
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^kompat: invalid manifests: <stdin>: document 1 \(Pod\) has no spec to put the affinity in\n$/,
  );
  r = await runCli(["cluster", "affinity", "--spec", SPEC, "-f", "-"], {
    stdin: "kind: Service\nmetadata: {name: x}\n",
  });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /has no pod template/);
});
