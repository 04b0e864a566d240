// What installs the webhook: Deployment (2 replicas spread over nodes, non-root), Service,
// MutatingWebhookConfiguration (opt-in selectors, failurePolicy Ignore), RBAC for
// NodeFeatureRules, a PodDisruptionBudget, and optionally cert-manager's Certificate.

import { OPT_IN } from "./mutate.js";

export interface ManifestOptions {
  namespace: string;
  image: string;
  name?: string;
  /** The API server's wait, seconds (1..30). */
  timeoutSeconds?: number;
  /** `--deadline` of the server, e.g. "3s". */
  deadline?: string;
  failClosed?: boolean;
  certManager?: boolean;
  /** The PEM CA bundle the API server trusts the webhook with (without cert-manager). */
  caBundle?: string;
  allowRegistries?: string[];
}

export function webhookManifests(o: ManifestOptions): Array<Record<string, unknown>> {
  const name = o.name ?? "kompat-webhook";
  const ns = o.namespace;
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "kompat" };
  const secret = `${name}-tls`;
  const args = [
    "webhook",
    "serve",
    "--tls-cert",
    "/tls/tls.crt",
    "--tls-key",
    "/tls/tls.key",
    "--port",
    "8443",
    ...(o.deadline ? ["--deadline", o.deadline] : []),
    ...(o.failClosed ? ["--fail-closed"] : []),
    ...(o.allowRegistries ?? []).flatMap((r) => ["--allow-registry", r]),
  ];
  const out: Array<Record<string, unknown>> = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: ns, labels } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels },
      rules: [
        {
          apiGroups: ["nfd.k8s-sigs.io"],
          resources: ["nodefeaturerules"],
          verbs: ["get", "list", "create", "patch", "update"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              seccompProfile: { type: "RuntimeDefault" },
            },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      topologyKey: "kubernetes.io/hostname",
                      labelSelector: { matchLabels: { "app.kubernetes.io/name": name } },
                    },
                  },
                ],
              },
            },
            containers: [
              {
                name: "webhook",
                image: o.image,
                args,
                ports: [{ name: "https", containerPort: 8443 }],
                readinessProbe: { httpGet: { path: "/readyz", port: 8443, scheme: "HTTPS" } },
                livenessProbe: { httpGet: { path: "/healthz", port: 8443, scheme: "HTTPS" } },
                resources: {
                  requests: { cpu: "50m", memory: "64Mi" },
                  limits: { memory: "256Mi" },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "tls", mountPath: "/tls", readOnly: true }],
              },
            ],
            volumes: [{ name: "tls", secret: { secretName: secret } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: ns, labels },
      spec: {
        selector: { "app.kubernetes.io/name": name },
        ports: [{ name: "https", port: 443, targetPort: 8443 }],
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name, namespace: ns, labels },
      spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": name } } },
    },
  ];
  const clientConfig: Record<string, unknown> = {
    service: { name, namespace: ns, path: "/mutate", port: 443 },
  };
  if (o.caBundle) clientConfig.caBundle = Buffer.from(o.caBundle).toString("base64");
  const annotations: Record<string, string> = o.certManager
    ? { "cert-manager.io/inject-ca-from": `${ns}/${name}` }
    : {};
  const ownNs = { key: "kubernetes.io/metadata.name", operator: "NotIn", values: [ns] };
  const entry = (
    id: string,
    namespaceSelector: Record<string, unknown>,
    objectSelector: Record<string, unknown>,
  ) => ({
    name: `${id}.webhook.kompat.dev`,
    admissionReviewVersions: ["v1"],
    sideEffects: "None",
    failurePolicy: o.failClosed ? "Fail" : "Ignore",
    // Re-run when a later webhook changed the pod (its images, say).
    reinvocationPolicy: "IfNeeded",
    timeoutSeconds: o.timeoutSeconds ?? 5,
    clientConfig,
    rules: [
      {
        apiGroups: [""],
        apiVersions: ["v1"],
        operations: ["CREATE"],
        resources: ["pods"],
        scope: "Namespaced",
      },
    ],
    namespaceSelector,
    objectSelector,
  });
  // Two disjoint entries: a namespace opts all its pods in (a pod may opt out), or a pod
  // opts itself in where its namespace has not.
  out.push({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name, labels, annotations },
    webhooks: [
      entry(
        "namespace",
        { matchExpressions: [{ key: OPT_IN, operator: "In", values: ["enabled"] }, ownNs] },
        { matchExpressions: [{ key: OPT_IN, operator: "NotIn", values: ["disabled"] }] },
      ),
      entry(
        "pod",
        { matchExpressions: [{ key: OPT_IN, operator: "NotIn", values: ["enabled"] }, ownNs] },
        { matchExpressions: [{ key: OPT_IN, operator: "In", values: ["enabled"] }] },
      ),
    ],
  });
  if (o.certManager) {
    out.push(
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Issuer",
        metadata: { name, namespace: ns, labels },
        spec: { selfSigned: {} },
      },
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name, namespace: ns, labels },
        spec: {
          secretName: secret,
          dnsNames: [`${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`],
          issuerRef: { name, kind: "Issuer" },
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
      },
    );
  }
  return out;
}
