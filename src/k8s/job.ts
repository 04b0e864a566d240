// Clusters without NFD: one batch/v1 Job per node (nodeName pinned) that runs
// `kompat validate-node --image … --host-prefix /host- --output-json` with the read-only
// host mounts NFD's documentation uses for its own validation Job.

import { createHash } from "node:crypto";

export interface ValidationJobOptions {
  node: string;
  /** The image whose spec is checked. */
  image: string;
  /** The kompat image the Job runs. */
  kompatImage: string;
  namespace?: string | undefined;
  /** Extra validate-node flags (--tags, --platform, --plain-http, --insecure). */
  args?: string[];
  /** Root sees more of the host (CPUID through /dev/cpu); off by default. */
  root?: boolean;
  ttlSecondsAfterFinished?: number;
  backoffLimit?: number;
  /**
   * A Secret of type kubernetes.io/dockerconfigjson in the Job's namespace: mounted
   * read-only as the docker config kompat reads registry credentials from.
   */
  imagePullSecret?: string | undefined;
}

/** Where the pull secret's config.json is mounted (DOCKER_CONFIG of kompat in the Job). */
export const DOCKER_CONFIG_DIR = "/kompat-docker";
const CREDENTIALS_VOLUME = "registry-credentials";

/** NFD's validation Job's mounts: host path → where the container sees it. */
export const HOST_MOUNTS: Array<[name: string, host: string, container: string]> = [
  ["host-boot", "/boot", "/host-boot"],
  ["host-os-release", "/etc/os-release", "/host-etc/os-release"],
  ["host-sys", "/sys", "/host-sys"],
  ["host-usr-lib", "/usr/lib", "/host-usr/lib"],
  ["host-lib", "/lib", "/host-lib"],
  ["host-proc", "/proc", "/host-proc"],
];

export const JOB_LABEL = "kompat.feature.node.kubernetes.io/validate-node";

/** `kompat-validate-<node>`, shortened with a hash when a name would pass 63 characters. */
export function jobName(node: string): string {
  const base = `kompat-validate-${node.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`.replace(
    /-+$/,
    "",
  );
  if (base.length <= 63 && base === `kompat-validate-${node}`) return base;
  const hash = createHash("sha256").update(node).digest("hex").slice(0, 8);
  return `${base.slice(0, 63 - 9).replace(/-+$/, "")}-${hash}`;
}

/** A label value for the node (≤ 63 characters of the label alphabet). */
function nodeLabelValue(node: string): string {
  if (/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(node)) return node;
  return createHash("sha256").update(node).digest("hex").slice(0, 16);
}

export function validationJobFor(o: ValidationJobOptions): Record<string, unknown> {
  const labels = { "app.kubernetes.io/managed-by": "kompat", [JOB_LABEL]: nodeLabelValue(o.node) };
  const metadata: Record<string, unknown> = { name: jobName(o.node), labels };
  if (o.namespace !== undefined) metadata.namespace = o.namespace;
  const user = o.root ? 0 : 65534;
  const secret = o.imagePullSecret;
  const mounts = HOST_MOUNTS.map(([name, , mountPath]) => ({ name, mountPath, readOnly: true }));
  const volumes: Array<Record<string, unknown>> = HOST_MOUNTS.map(([name, path]) => ({
    name,
    hostPath: { path },
  }));
  const env: Array<Record<string, unknown>> = [
    { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
  ];
  if (secret !== undefined) {
    mounts.push({ name: CREDENTIALS_VOLUME, mountPath: DOCKER_CONFIG_DIR, readOnly: true });
    volumes.push({
      name: CREDENTIALS_VOLUME,
      secret: {
        secretName: secret,
        items: [{ key: ".dockerconfigjson", path: "config.json" }],
        // Group-readable, the group being fsGroup (the container's own): not world-readable.
        defaultMode: 0o440,
      },
    });
    env.push({ name: "DOCKER_CONFIG", value: DOCKER_CONFIG_DIR });
  }
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata,
    spec: {
      backoffLimit: o.backoffLimit ?? 1,
      ttlSecondsAfterFinished: o.ttlSecondsAfterFinished ?? 3600,
      template: {
        metadata: { labels },
        spec: {
          nodeName: o.node,
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          // Pinned to the node: run there even if it is tainted.
          tolerations: [{ operator: "Exists" }],
          securityContext: {
            runAsNonRoot: !o.root,
            runAsUser: user,
            runAsGroup: user,
            ...(secret !== undefined ? { fsGroup: user } : {}),
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "kompat",
              image: o.kompatImage,
              args: [
                "validate-node",
                "--image",
                o.image,
                "--host-prefix",
                "/host-",
                "--output-json",
                // The root filesystem is read-only: no content cache.
                "--no-cache",
                ...(o.args ?? []),
              ],
              env,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}
