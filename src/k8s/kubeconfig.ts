// Which cluster and which credentials, found the way kubectl finds them: --kubeconfig,
// else KUBECONFIG (several files, the first to define a name wins), else ~/.kube/config,
// else the in-cluster service account. @kubernetes/client-node does the rest (contexts,
// client certificates, tokens, exec plugins, OIDC); it is loaded only here, at run time,
// so commands that never talk to a cluster never pay for it.

import { existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ClusterError } from "./errors.js";
import { fsReason } from "../lib/fserror.js";

type ClientNode = typeof import("@kubernetes/client-node");
export type KubeConfig = import("@kubernetes/client-node").KubeConfig;

export interface KubeconfigOptions {
  /** --kubeconfig FILE: this file only. */
  kubeconfig?: string | undefined;
  /** --context NAME, else the file's current-context. */
  context?: string | undefined;
  /** The environment (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST). */
  env: Record<string, string | undefined>;
  /** Where the service account's files are mounted (tests point it elsewhere). */
  serviceAccountDir?: string;
}

export interface LoadedConfig {
  config: KubeConfig;
  /** Where it came from, for messages: a file list or "in-cluster service account". */
  source: string;
  context: string;
  server: string;
  user: string;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

let clientNode: Promise<ClientNode> | undefined;
/** The client library, loaded on first use. */
export function loadClientNode(): Promise<ClientNode> {
  return (clientNode ??= import("@kubernetes/client-node"));
}

function readable(file: string, what: string): void {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new ClusterError(`${what} ${file}: ${fsReason(e)}`);
  }
  if (st.isDirectory()) throw new ClusterError(`${what} ${file}: is a directory`);
}

export async function loadKubeconfig(opts: KubeconfigOptions): Promise<LoadedConfig> {
  const k8s = await loadClientNode();
  const env = opts.env;
  let files: string[] = [];
  let source: string;
  if (opts.kubeconfig !== undefined) {
    readable(opts.kubeconfig, "--kubeconfig");
    files = [opts.kubeconfig];
    source = opts.kubeconfig;
  } else if (env.KUBECONFIG) {
    // kubectl skips the files of the list that do not exist.
    files = env.KUBECONFIG.split(delimiter).filter((f) => f !== "" && existsSync(f));
    if (files.length === 0)
      throw new ClusterError(
        `KUBECONFIG=${env.KUBECONFIG}: none of these files exists (give --kubeconfig FILE or fix KUBECONFIG)`,
      );
    source = `KUBECONFIG (${files.join(", ")})`;
  } else {
    const home = env.HOME;
    const file = home ? join(home, ".kube", "config") : undefined;
    if (file && existsSync(file)) {
      files = [file];
      source = file;
    } else source = "";
  }
  const kc = new k8s.KubeConfig();
  if (files.length > 0) {
    loadFiles(k8s, kc, files);
  } else {
    const sa = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
    if (!env.KUBERNETES_SERVICE_HOST || !existsSync(join(sa, "token"))) {
      // client-node would fall back to http://localhost:8080 here; kubectl users expect
      // to be told instead.
      throw new ClusterError(
        "no kubeconfig: --kubeconfig not given, KUBECONFIG not set, ~/.kube/config missing, " +
          "and not running in a pod with a service account; give --kubeconfig FILE",
      );
    }
    loadInCluster(kc, env, sa);
    source = "in-cluster service account";
  }
  return select(kc, opts.context, source);
}

function loadFiles(k8s: ClientNode, kc: KubeConfig, files: string[]): void {
  const parts = files.map((f) => {
    readable(f, "kubeconfig");
    const one = new k8s.KubeConfig();
    try {
      one.loadFromFile(f);
    } catch (e) {
      throw new ClusterError(`kubeconfig ${f}: ${(e as Error).message.split("\n")[0]}`);
    }
    return one;
  });
  // kubectl's merge: the first file that names a cluster, user or context wins, and the
  // first current-context set wins (client-node's own merge throws on duplicates).
  const firstWins = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const l of lists) for (const x of l) if (!seen.has(x.name)) seen.set(x.name, x);
    return [...seen.values()];
  };
  kc.loadFromOptions({
    clusters: firstWins(parts.map((p) => p.getClusters())),
    users: firstWins(parts.map((p) => p.getUsers())),
    contexts: firstWins(parts.map((p) => p.getContexts())),
    currentContext: parts.map((p) => p.getCurrentContext()).find((c) => !!c) ?? "",
  });
}

function loadInCluster(kc: KubeConfig, env: Record<string, string | undefined>, sa: string): void {
  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  const h = host.includes(":") ? `[${host}]` : host;
  kc.loadFromOptions({
    clusters: [{ name: "in-cluster", server: `https://${h}:${port}`, caFile: join(sa, "ca.crt") }],
    // A token file, re-read on every request: kubelet rotates it.
    users: [
      {
        name: "service-account",
        authProvider: { name: "tokenFile", config: { tokenFile: join(sa, "token") } },
      },
    ],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "service-account" }],
    currentContext: "in-cluster",
  });
}

function select(kc: KubeConfig, context: string | undefined, source: string): LoadedConfig {
  const names = kc.getContexts().map((c) => c.name);
  const known = names.length ? `contexts: ${names.join(", ")}` : "it defines no context";
  if (context !== undefined) {
    if (!names.includes(context))
      throw new ClusterError(`--context ${context}: no such context in ${source} (${known})`);
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  if (!current)
    throw new ClusterError(`${source} has no current-context: give --context NAME (${known})`);
  const ctx = kc.getContextObject(current);
  if (!ctx)
    throw new ClusterError(`${source}: current-context "${current}" is not defined (${known})`);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster)
    throw new ClusterError(
      `${source}: context "${current}" names cluster "${ctx.cluster}", which is not defined`,
    );
  if (!cluster.server) throw new ClusterError(`${source}: cluster "${cluster.name}" has no server`);
  if (!kc.getUser(ctx.user) && ctx.user)
    throw new ClusterError(
      `${source}: context "${current}" names user "${ctx.user}", which is not defined`,
    );
  return { config: kc, source, context: current, server: cluster.server, user: ctx.user ?? "" };
}
