// What the webhook tests share: images with a spec on the real registry, a webhook in
// front of the API server fake, Pods shaped as controllers create them, AdmissionReviews
// around them, and HTTPS requests to the webhook trusting the test CA.

import assert from "node:assert/strict";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import { runCli } from "../helpers/cli.js";
import type { TlsFiles } from "../helpers/tls.js";
import { SPEC } from "../k8s/fixtures.js";
import { Raw } from "../oci/raw.js";
import { applyNodeFeatureRule } from "../../src/k8s/apply.js";
import type { Cluster } from "../../src/k8s/client.js";
import type { SpecSource } from "../../src/webhook/specs.js";
import {
  startWebhook,
  type RunningWebhook,
  type WebhookOptions,
} from "../../src/webhook/server.js";

export const PLATFORM = `linux/${process.arch === "arm64" ? "arm64" : "amd64"}`;

let uids = 0;

/**
 * `repo:tag` pushed to the registry at `registryUrl` (one platform), with the test spec
 * attached by `kompat attach`; `withSpec` false leaves it without. The image's reference.
 */
export async function pushImage(
  registryUrl: string,
  repo: string,
  tag: string,
  env: NodeJS.ProcessEnv,
  withSpec = true,
): Promise<string> {
  const raw = new Raw(registryUrl);
  try {
    await raw.pushImage(repo, tag, [PLATFORM]);
  } finally {
    await raw.close();
  }
  const image = `${new URL(registryUrl).host}/${repo}:${tag}`;
  if (withSpec) {
    const a = await runCli(
      ["attach", "--image", image, "--spec", SPEC, "--plain-http", "--platform", PLATFORM],
      { env },
    );
    assert.equal(a.code, 0, a.stderr);
  }
  return image;
}

/**
 * The webhook on a free port of 127.0.0.1 with the test certificate, its rules applied to
 * `cluster`; `o` overrides (deadline 20 s and fail-open unless said).
 */
export function startTestWebhook(
  cluster: Cluster,
  tls: TlsFiles,
  specs: SpecSource,
  o: Partial<WebhookOptions> = {},
): Promise<RunningWebhook> {
  return startWebhook({
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    host: "127.0.0.1",
    port: 0,
    specs,
    deadlineMs: 20_000,
    failClosed: false,
    applyRule: async (rule) => {
      await applyNodeFeatureRule(cluster, rule);
    },
    apiReady: async () => {
      await cluster.request("/apis/nfd.k8s-sigs.io/v1alpha1", { verb: "get", resource: "nfd" });
    },
    log: () => undefined,
    ...o,
  });
}

/** A Pod as a ReplicaSet controller submits it: generateName, no name, owner reference. */
export function replicaSetPod(
  containers: Array<{ name: string; image: string }>,
  extra: {
    initContainers?: Array<{ name: string; image: string }>;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    affinity?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: "web-7d9f8c6b5-",
      namespace: "shop",
      labels: { app: "web", "pod-template-hash": "7d9f8c6b5", ...(extra.labels ?? {}) },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web-7d9f8c6b5",
          uid: "5a1b0c9e-1111-4a4a-9b9b-000000000001",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...(extra.initContainers
        ? {
            initContainers: extra.initContainers.map((c) => ({
              ...c,
              resources: {},
              terminationMessagePath: "/dev/termination-log",
              imagePullPolicy: "IfNotPresent",
            })),
          }
        : {}),
      containers: containers.map((c) => ({
        ...c,
        ports: [{ containerPort: 8080, protocol: "TCP" }],
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
        imagePullPolicy: "IfNotPresent",
      })),
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      securityContext: {},
      schedulerName: "default-scheduler",
      ...(extra.affinity ? { affinity: extra.affinity } : {}),
    },
  };
}

export function review(pod: Record<string, unknown>, operation = "CREATE") {
  const uid = `705ab4f5-6393-11e8-b7cc-${String(++uids).padStart(12, "0")}`;
  return {
    uid,
    body: {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid,
        kind: { group: "", version: "v1", kind: "Pod" },
        resource: { group: "", version: "v1", resource: "pods" },
        requestKind: { group: "", version: "v1", kind: "Pod" },
        requestResource: { group: "", version: "v1", resource: "pods" },
        name: "",
        namespace: "shop",
        operation,
        userInfo: {
          username: "system:serviceaccount:kube-system:replicaset-controller",
          groups: ["system:serviceaccounts", "system:authenticated"],
        },
        object: pod,
        oldObject: null,
        dryRun: false,
        options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
      },
    },
  };
}

export interface Reply {
  status: number;
  body: string;
  /** The server certificate's fingerprint. */
  fingerprint: string;
}

export function post(
  url: string,
  ca: string,
  path: string,
  body: string | Buffer | undefined,
  method = body === undefined ? "GET" : "POST",
): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        ca,
        agent: false,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          ok({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            fingerprint,
          }),
        );
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  patchType?: string;
  patch?: string;
  warnings?: string[];
  status?: { code: number; message: string };
}

/** The webhook's answer to a review of `pod` (its uid checked). */
export async function admit(
  hook: { url: string },
  ca: string,
  pod: Record<string, unknown>,
): Promise<ReviewResponse> {
  const { uid, body } = review(pod);
  const r = responseOf(await post(hook.url, ca, "/mutate", JSON.stringify(body)));
  assert.equal(r.uid, uid);
  return r;
}

export function responseOf(r: Reply): ReviewResponse {
  if (r.status !== 200) throw new Error(`status ${r.status}: ${r.body}`);
  const out = JSON.parse(r.body) as { apiVersion: string; kind: string; response: ReviewResponse };
  if (out.apiVersion !== "admission.k8s.io/v1" || out.kind !== "AdmissionReview")
    throw new Error(`not an AdmissionReview v1: ${r.body.slice(0, 200)}`);
  return out.response;
}
