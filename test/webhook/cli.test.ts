// The webhook's commands: manifests valid for Kubernetes' schemas (kubernetes-models) with
// the opt-in, failure policy and RBAC the README promises; `webhook serve` as a real process
// (JSON logs, SIGTERM); bad flags named with exit 2.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { MutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration";
import { BIN, runCli } from "../helpers/cli.js";
import { testTls } from "../helpers/tls.js";
import { fakeCluster } from "../k8s/fixtures.js";
import { post, replicaSetPod, responseOf, review } from "./helpers.js";

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  Deployment: Deployment as unknown as Model,
  Service: Service as unknown as Model,
  ServiceAccount: ServiceAccount as unknown as Model,
  ClusterRole: ClusterRole as unknown as Model,
  ClusterRoleBinding: ClusterRoleBinding as unknown as Model,
  PodDisruptionBudget: PodDisruptionBudget as unknown as Model,
  MutatingWebhookConfiguration: MutatingWebhookConfiguration as unknown as Model,
};

type Obj = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace?: string };
};

describe("webhook manifests", () => {
  it("every object validates; opt-in selectors, own namespace excluded, Ignore, RBAC on NodeFeatureRules", async () => {
    const r = await runCli([
      "webhook",
      "manifests",
      "--kompat-image",
      "ghcr.io/x/kompat:0.1.0",
      "--namespace",
      "kompat-system",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const objs = parseAllDocuments(r.stdout).map((d) => d.toJSON() as Obj);
    const kinds = objs.map((o) => o.kind).sort();
    assert.deepEqual(kinds, [
      "ClusterRole",
      "ClusterRoleBinding",
      "Deployment",
      "MutatingWebhookConfiguration",
      "PodDisruptionBudget",
      "Service",
      "ServiceAccount",
    ]);
    for (const o of objs) {
      const M = MODELS[o.kind];
      assert.ok(M, o.kind);
      new M(o as never).validate();
    }
    const by = (k: string): unknown => objs.find((o) => o.kind === k);
    const dep = by("Deployment") as {
      spec: { replicas: number; template: { spec: Record<string, never> } };
    };
    assert.equal(dep.spec.replicas, 2);
    const pod = dep.spec.template.spec as unknown as {
      securityContext: { runAsNonRoot: boolean };
      affinity: { podAntiAffinity: unknown };
      containers: Array<{ args: string[] }>;
    };
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.affinity.podAntiAffinity);
    assert.deepEqual(pod.containers[0]?.args.slice(0, 2), ["webhook", "serve"]);
    const cfg = by("MutatingWebhookConfiguration") as { webhooks: Array<Record<string, unknown>> };
    assert.equal(cfg.webhooks.length, 2);
    for (const w of cfg.webhooks) {
      assert.equal(w.failurePolicy, "Ignore");
      assert.equal(w.sideEffects, "None");
      assert.deepEqual(w.admissionReviewVersions, ["v1"]);
      assert.equal(w.reinvocationPolicy, "IfNeeded");
      assert.equal(w.timeoutSeconds, 5);
      assert.match(
        JSON.stringify(w.namespaceSelector),
        /"kubernetes.io\/metadata.name","operator":"NotIn","values":\["kompat-system"\]/,
      );
    }
    const role = by("ClusterRole") as { rules: Array<{ resources: string[]; verbs: string[] }> };
    assert.deepEqual(role.rules[0]?.resources, ["nodefeaturerules"]);
    assert.ok(role.rules[0]?.verbs.includes("patch"));
  });

  it("--cert-manager adds Issuer and Certificate and injects the CA; -o json is a List", async () => {
    const r = await runCli([
      "webhook",
      "manifests",
      "--kompat-image",
      "k:1",
      "--cert-manager",
      "-o",
      "json",
      "--fail-closed",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { kind: string; items: Obj[] };
    assert.equal(list.kind, "List");
    const cert = list.items.find((o) => o.kind === "Certificate") as unknown as {
      spec: { secretName: string; dnsNames: string[] };
    };
    assert.equal(cert.spec.secretName, "kompat-webhook-tls");
    assert.ok(cert.spec.dnsNames.includes("kompat-webhook.kompat-system.svc"));
    assert.ok(list.items.some((o) => o.kind === "Issuer"));
    const cfg = list.items.find((o) => o.kind === "MutatingWebhookConfiguration") as unknown as {
      metadata: { annotations: Record<string, string> };
      webhooks: Array<{ failurePolicy: string }>;
    };
    assert.equal(
      cfg.metadata.annotations["cert-manager.io/inject-ca-from"],
      "kompat-system/kompat-webhook",
    );
    assert.equal(cfg.webhooks[0]?.failurePolicy, "Fail");
  });

  it("bad flags are named, exit 2", async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--kompat-image IMG is required/],
      [["--kompat-image", "k", "--namespace", "Bad_NS"], /--namespace "Bad_NS": not a DNS label/],
      [
        ["--kompat-image", "k", "--timeout-seconds", "31"],
        /--timeout-seconds 31: expected a whole number from 1 to 30/,
      ],
      [
        ["--kompat-image", "k", "--timeout-seconds", "3", "--deadline", "3s"],
        /--deadline 3s must be under --timeout-seconds 3/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(["webhook", "manifests", ...args]);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, re);
    }
  });
});

describe("webhook serve", () => {
  it("bad flags are named, exit 2", async () => {
    const tls = await testTls();
    const cases: Array<[string[], RegExp]> = [
      [[], /--tls-cert FILE and --tls-key FILE are required/],
      [
        ["--tls-cert", "/nonexistent/tls.crt", "--tls-key", tls.keyFile],
        /--tls-cert \/nonexistent\/tls\.crt: .*no such file/i,
      ],
      [["--tls-cert", tls.keyFile, "--tls-key", tls.keyFile], /--tls-cert .*server\.key: /],
      [
        ["--tls-cert", tls.certFile, "--tls-key", tls.keyFile, "--deadline", "40s"],
        /--deadline 40s: must be at most/,
      ],
      [
        ["--tls-cert", tls.certFile, "--tls-key", tls.keyFile, "--port", "70000"],
        /--port 70000: expected a whole number from 0 to 65535/,
      ],
      [["--image", "x"], /images come from the pods/],
      // Named before any kubeconfig is looked for (the test has none).
      [
        ["--tls-cert", tls.certFile, "--tls-key", tls.keyFile, "--digest-ttl", "5"],
        /--digest-ttl 5: /,
      ],
      [
        ["--tls-cert", tls.certFile, "--tls-key", tls.keyFile, "--cache-entries", "0"],
        /--cache-entries 0: expected a whole number from 1 to 1000000/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(["webhook", "serve", ...args]);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    }
  });

  it("as a process: logs JSON lines, answers a review, stops on SIGTERM with 0", async () => {
    const tls = await testTls();
    const c = await fakeCluster();
    try {
      const child = spawn(
        BIN,
        [
          "webhook",
          "serve",
          "--tls-cert",
          tls.certFile,
          "--tls-key",
          tls.keyFile,
          "--port",
          "0",
          "--address",
          "127.0.0.1",
          "--plain-http",
        ],
        { env: { ...c.env, XDG_CACHE_HOME: c.dir }, stdio: ["ignore", "ignore", "pipe"] },
      );
      const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
      const logged: Array<Record<string, unknown>> = [];
      const lines = createInterface({ input: child.stderr });
      const closed = new Promise<void>((ok) => lines.once("close", ok));
      const url = await new Promise<string>((ok, fail) => {
        lines.on("line", (line) => {
          const e = JSON.parse(line) as Record<string, unknown>;
          logged.push(e);
          if (e.msg === "listening") ok(String(e.url));
        });
        child.once("exit", (code) => fail(new Error(`exited ${code}: ${JSON.stringify(logged)}`)));
      });
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const { uid, body } = review(
        replicaSetPod([{ name: "a", image: "127.0.0.1:1/none/such:v1" }]),
      );
      const r = responseOf(await post(url, tls.ca, "/mutate", JSON.stringify(body)));
      assert.equal(r.uid, uid);
      assert.equal(r.allowed, true);
      assert.match(
        r.warnings?.[0] ?? "",
        /^kompat: 127\.0\.0\.1:1\/none\/such:v1: .*; admitted without its node affinity$/,
      );
      assert.equal((await post(url, tls.ca, "/readyz", undefined)).status, 200);
      child.kill("SIGTERM");
      await closed;
      assert.equal(await exited, 0);
      const all = logged;
      assert.ok(
        all.some((e) => e.msg === "admission" && e.uid === uid && e.outcome === "degraded"),
      );
      assert.ok(all.some((e) => e.msg === "stopping" && e.signal === "SIGTERM"));
    } finally {
      await c.cleanup();
    }
  });
});
