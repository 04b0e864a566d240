// kubectl's connection flags and the connection they name, shared by the `cluster` commands
// and the fleet commands that read a cluster (audit --cluster, --images-from-cluster).

import { parseDuration } from "../../flags.js";
import { UserError, type Io } from "../../io.js";

export const CONNECTION_FLAGS = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  "request-timeout": { type: "string" },
} as const;

export const CONNECTION_HELP = `Cluster access (as kubectl):
  --kubeconfig FILE           else KUBECONFIG, else ~/.kube/config, else the pod's service account
  --context NAME              a context of the kubeconfig (default: its current-context)
  --request-timeout DURATION  give up on a silent API server after this (default 30s)
`;

export interface ConnectionFlagValues {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  "request-timeout"?: string | undefined;
  verbose?: boolean | undefined;
}

/** Connects to the cluster the kubeconfig flags name; the client library loads here. */
export async function connect(
  f: ConnectionFlagValues,
  io: Io,
): Promise<import("../../../k8s/client.js").Cluster> {
  const { Cluster } = await import("../../../k8s/client.js");
  const timeoutMs =
    f["request-timeout"] !== undefined
      ? parseDuration(f["request-timeout"], "--request-timeout")
      : undefined;
  return clusterCall(() =>
    Cluster.connect({
      kubeconfig: f.kubeconfig,
      context: f.context,
      env: io.env,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(f.verbose ? { verbose: (l: string) => io.stderr(`  ${l}\n`) } : {}),
    }),
  );
}

/** Runs `fn`, turning cluster failures into user errors (exit 2). */
export async function clusterCall<T>(fn: () => Promise<T>): Promise<T> {
  const { ClusterError } = await import("../../../k8s/errors.js");
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ClusterError) throw new UserError(e.message);
    throw e;
  }
}

export function chunkSize(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new UserError(`--chunk-size ${v}: expected a whole number from 1 to 10000`);
  return n;
}
