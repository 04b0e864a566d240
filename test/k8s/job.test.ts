// cluster job: one validation Job per node, pinned, with NFD's read-only host mounts,
// non-root, validated against Kubernetes' OpenAPI schemas.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { runCli } from "../helpers/cli.js";
import { validateObject } from "./models.js";
import { fakeCluster, fill } from "./fixtures.js";

interface JobShape {
  metadata: { name: string };
  spec: {
    backoffLimit: number;
    ttlSecondsAfterFinished: number;
    template: {
      spec: {
        nodeName: string;
        securityContext: { runAsNonRoot: boolean; runAsUser: number };
        containers: Array<{
          args: string[];
          volumeMounts: Array<{ mountPath: string; readOnly: boolean }>;
        }>;
        volumes: Array<{ hostPath: { path: string } }>;
      };
    };
  };
}

test("--node: a Job pinned to each node, NFD's mounts read-only, non-root, valid batch/v1", async () => {
  const r = await runCli([
    "cluster",
    "job",
    "--image",
    "r.example/app:1.2",
    "--node",
    "gpu-7",
    "--node",
    "A_Very.Odd.Name",
    "--kompat-image",
    "r.example/kompat:0.1",
    "--tags",
    "gpu",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout);
  assert.ok(Array.isArray(docs));
  const jobs = docs.map((d) => d.toJS() as Record<string, unknown>);
  assert.equal(jobs.length, 2);
  for (const j of jobs) validateObject(j);
  const j = jobs[0] as unknown as JobShape;
  assert.equal(j.metadata.name, "kompat-validate-gpu-7");
  const pod = j.spec.template.spec;
  assert.equal(pod.nodeName, "gpu-7");
  assert.equal(j.spec.backoffLimit, 1);
  assert.ok(j.spec.ttlSecondsAfterFinished > 0);
  assert.deepEqual(pod.securityContext.runAsNonRoot, true);
  const c = pod.containers[0];
  assert.deepEqual(c?.args, [
    "validate-node",
    "--image",
    "r.example/app:1.2",
    "--host-prefix",
    "/host-",
    "--output-json",
    "--no-cache",
    "--tags",
    "gpu",
  ]);
  assert.deepEqual(c?.volumeMounts.map((m) => [m.mountPath, m.readOnly]), [
    ["/host-boot", true], ["/host-etc/os-release", true], ["/host-sys", true],
    ["/host-usr/lib", true], ["/host-lib", true], ["/host-proc", true],
  ]); // prettier-ignore
  assert.deepEqual(
    pod.volumes.map((v) => v.hostPath.path),
    ["/boot", "/etc/os-release", "/sys", "/usr/lib", "/lib", "/proc"],
  );
  const odd = jobs[1] as unknown as JobShape;
  assert.match(odd.metadata.name, /^kompat-validate-a-very-odd-name-[0-9a-f]{8}$/);
  assert.equal(odd.spec.template.spec.nodeName, "A_Very.Odd.Name");
});

test("-l: the cluster's nodes with these labels, one Job each; without a selection it is an error", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 2, cpu: 3 });
    const r = await runCli(
      [
        "cluster",
        "job",
        "--image",
        "app:1",
        "--kompat-image",
        "k:1",
        "-l",
        "pool=cpu",
        "-o",
        "json",
        "--run-as-root",
      ],
      { env: c.env },
    );
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { items: JobShape[] };
    assert.deepEqual(
      list.items.map((j) => j.spec.template.spec.nodeName),
      ["cpu-1", "cpu-2", "cpu-3"],
    );
    assert.equal(list.items[0]?.spec.template.spec.securityContext.runAsUser, 0);
    for (const j of list.items) validateObject(j as unknown as Record<string, unknown>);
    let e = await runCli(["cluster", "job", "--image", "app:1", "--kompat-image", "k:1"], {
      env: c.env,
    });
    assert.equal(e.code, 2);
    assert.match(
      e.stderr,
      /^kompat: cluster job: select nodes with one of --node NAME, -l SELECTOR or --all\n$/,
    );
    e = await runCli(["cluster", "job", "--image", "app:1", "--node", "x"], { env: c.env });
    assert.match(e.stderr, /^kompat: cluster job: --kompat-image IMG is required/);
  } finally {
    await c.cleanup();
  }
});

test("--image-pull-secret: the Secret mounted read-only as kompat's docker config; a bad name is refused", async () => {
  const base = ["cluster", "job", "--image", "r.example/app:1", "--kompat-image", "k:1"];
  const r = await runCli([
    ...base,
    "--node",
    "gpu-7",
    "--image-pull-secret",
    "regcred",
    "-o",
    "json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const job = (JSON.parse(r.stdout) as { items: Array<Record<string, unknown>> }).items[0];
  assert.ok(job);
  validateObject(job);
  const pod = (job as unknown as {
    spec: { template: { spec: {
      securityContext: { fsGroup?: number; runAsUser: number };
      containers: Array<{
        env: Array<{ name: string; value?: string }>;
        volumeMounts: Array<{ name: string; mountPath: string; readOnly: boolean }>;
      }>;
      volumes: Array<{ name: string; secret?: unknown }>;
    } } };
  }).spec.template.spec; // prettier-ignore
  const c = pod.containers[0];
  assert.deepEqual(
    c?.env.find((e) => e.name === "DOCKER_CONFIG"),
    { name: "DOCKER_CONFIG", value: "/kompat-docker" },
  );
  assert.deepEqual(c?.volumeMounts.at(-1), {
    name: "registry-credentials",
    mountPath: "/kompat-docker",
    readOnly: true,
  });
  assert.deepEqual(pod.volumes.at(-1), {
    name: "registry-credentials",
    secret: {
      secretName: "regcred",
      items: [{ key: ".dockerconfigjson", path: "config.json" }],
      defaultMode: 0o440,
    },
  });
  assert.equal(pod.securityContext.fsGroup, pod.securityContext.runAsUser);

  const without = await runCli([...base, "--node", "gpu-7", "-o", "json"]);
  assert.doesNotMatch(without.stdout, /DOCKER_CONFIG|registry-credentials|fsGroup/);

  const bad = await runCli([...base, "--node", "gpu-7", "--image-pull-secret", "Reg_Cred"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--image-pull-secret "Reg_Cred": not a Secret name/);
  assert.equal(bad.stdout, "");
});
