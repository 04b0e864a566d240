// `kompat cluster job`: for clusters without NFD, one validation Job per selected node.

import { stringify as toYaml } from "yaml";
import { commaList } from "../../flags.js";
import { UserError, type Io } from "../../io.js";
import {
  chunkSize,
  CLUSTER_FLAGS,
  CLUSTER_HELP,
  clusterCall,
  connect,
  clusterFlags,
} from "./common.js";

const HELP = `Usage: kompat cluster job --image REF --kompat-image IMG (--node NAME... | -l SELECTOR | --all) [options]

Prints one batch/v1 Job per node, pinned to it (nodeName), that runs
'kompat validate-node --image REF --host-prefix /host- --output-json' with read-only host
mounts, as a non-root user; the report is in the pod's log, the exit status says
compatible (0) or not (1). For clusters without NFD.

  --kompat-image IMG          the kompat container image (see Containerfile)
  --node NAME                 this node (repeatable; no cluster access needed)
  -l, --selector SELECTOR     the nodes with these labels (lists the cluster's nodes)
  --all                       every node of the cluster
  -n, --namespace NS          the Jobs' namespace (default: none, kubectl's current one)
  --run-as-root               run as root: CPUID through /dev/cpu and root-only files
  --image-pull-secret NAME    registry credentials for --image: a kubernetes.io/dockerconfigjson
                              Secret in the Jobs' namespace, mounted as kompat's docker config
  --chunk-size N              nodes per API page (default 500)
  -o, --output yaml|json      (default yaml: one document per Job)

${CLUSTER_HELP}`;

/** A Secret's name: an RFC 1123 subdomain. */
const SECRET_NAME =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const OPTIONS = {
  ...CLUSTER_FLAGS,
  node: { type: "string", multiple: true },
  selector: { type: "string", short: "l" },
  all: { type: "boolean" },
  "kompat-image": { type: "string" },
  namespace: { type: "string", short: "n" },
  "run-as-root": { type: "boolean" },
  "image-pull-secret": { type: "string" },
  "chunk-size": { type: "string" },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const parsed = clusterFlags(argv, io, "cluster job", OPTIONS, HELP, ["yaml", "json"]);
  if (!parsed) return 0;
  const { f, format } = parsed;
  if (f.spec !== undefined)
    throw new UserError(
      "cluster job: the Job fetches the spec from the image itself; give --image REF, not --spec",
    );
  if (!f.image) throw new UserError("cluster job: --image REF is required");
  if (!f["kompat-image"])
    throw new UserError(
      "cluster job: --kompat-image IMG is required (the image built from kompat's Containerfile)",
    );
  const nodes = commaList(f.node) ?? [];
  const ways = [nodes.length > 0, f.selector !== undefined, !!f.all].filter(Boolean).length;
  if (ways !== 1)
    throw new UserError("cluster job: select nodes with one of --node NAME, -l SELECTOR or --all");
  const limit = chunkSize(f["chunk-size"]);
  let names = nodes;
  if (nodes.length === 0) {
    const cluster = await connect(f, io);
    const { listNodeNames } = await import("../../../k8s/nodefeatures.js");
    const found = await clusterCall(() =>
      listNodeNames(
        cluster,
        { selector: f.selector },
        limit !== undefined ? { chunkSize: limit } : {},
      ),
    );
    names = [...found].sort();
    if (names.length === 0)
      throw new UserError(
        `cluster job: no node matches${f.selector !== undefined ? ` -l ${f.selector}` : ""} on ${cluster.where}`,
      );
  }
  const args: string[] = [];
  for (const t of commaList(f.tags) ?? []) args.push("--tags", t);
  if (f.platform !== undefined) args.push("--platform", f.platform);
  if (f["plain-http"]) args.push("--plain-http");
  if (f.insecure) args.push("--insecure");
  if (f.timeout !== undefined) args.push("--timeout", f.timeout);
  const pullSecret = f["image-pull-secret"];
  if (pullSecret !== undefined && !SECRET_NAME.test(pullSecret))
    throw new UserError(
      `cluster job: --image-pull-secret ${JSON.stringify(pullSecret.slice(0, 80))}: not a Secret name (lower-case letters, digits, '-' and '.', at most 253 characters)`,
    );
  const { validationJobFor } = await import("../../../k8s/job.js");
  const jobs = names.map((node) =>
    validationJobFor({
      node,
      image: f.image as string,
      kompatImage: f["kompat-image"] as string,
      namespace: f.namespace,
      args,
      root: !!f["run-as-root"],
      imagePullSecret: pullSecret,
    }),
  );
  if (format === "json")
    io.stdout(`${JSON.stringify({ apiVersion: "v1", kind: "List", items: jobs }, null, 2)}\n`);
  else io.stdout(jobs.map((j) => toYaml(j, { lineWidth: 0 })).join("---\n"));
  return 0;
}
