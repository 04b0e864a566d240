// `kompat audit`: images × node groups. Which of these images fit these nodes?
// Exit 0 every image with a spec fits every node, 1 otherwise, 2 errors that leave no matrix.

import { stringify as toYaml } from "yaml";
import { UserError, type Io } from "../io.js";
import { claimStdin, parseFlags } from "../flags.js";
import { clientOptions, REGISTRY_FLAGS, REGISTRY_HELP, stdinReaders } from "../registry-flags.js";
import type { NodeSnapshot } from "../../features/snapshot.js";
import { readImageRefs, readNodes } from "../fleet-input.js";
import { auditData } from "../fleet-render.js";
import { renderAuditText } from "../audit-render.js";
import { style } from "../render.js";
import {
  chunkSize,
  clusterCall,
  connect,
  CONNECTION_FLAGS,
  CONNECTION_HELP,
} from "./cluster/connection.js";

const HELP = `Usage: kompat audit (--images REF|FILE… | --images-from-cluster) (--features FILE | --cluster) [options]

A matrix of images × node groups: nodes with the same features (as far as the images'
specs read them) form one group; each image's spec is fetched once and evaluated once
per group.

  --images REF|FILE           an image, or a file of images (one a line, # comments; - for
                              stdin); repeatable
  --images-from-cluster       every image the cluster's Pods run (containers and init
                              containers), pinned to the digest running where the Pod's
                              status says it (list pods); with --images, both
  -n, --namespace NS          --images-from-cluster: the Pods of this namespace only
  -A, --all-namespaces        --images-from-cluster: every namespace (the default)
  -l, --selector SELECTOR     --images-from-cluster: the Pods with these labels
  --features FILE             the nodes: any snapshot file validate-node reads (- for stdin)
  --cluster                   the nodes: the cluster's Nodes, their NodeFeature objects
                              merged as 'cluster validate' does (list nodes, nodefeatures)
  --chunk-size N              objects per API page (default 500)
  --summary                   text: the matrix and the groups only, without the reasons
  -o, --output text|json|yaml|html
                              html: one self-contained page (no network access)

${REGISTRY_HELP}
${CONNECTION_HELP}
Exit status: 0 every image with a spec fits every node, 1 otherwise, 2 error.
`;

const OPTIONS = {
  ...REGISTRY_FLAGS,
  images: { type: "string", multiple: true },
  "images-from-cluster": { type: "boolean" },
  namespace: { type: "string", short: "n" },
  "all-namespaces": { type: "boolean", short: "A" },
  selector: { type: "string", short: "l" },
  features: { type: "string" },
  cluster: { type: "boolean" },
  "chunk-size": { type: "string" },
  ...CONNECTION_FLAGS,
  summary: { type: "boolean" },
  output: { type: "string", short: "o" },
} as const;

type Format = "text" | "json" | "yaml" | "html";

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "audit");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = (f.output ?? "text") as Format;
  if (!["text", "json", "yaml", "html"].includes(format))
    throw new UserError(`audit: -o ${f.output}: expected text, json, yaml or html`);
  if (f.image !== undefined) throw new UserError("audit: the images are given with --images");
  const fromPods = f["images-from-cluster"] === true;
  if ((f.images === undefined || f.images.length === 0) && !fromPods)
    throw new UserError(
      "audit: give the images with --images REF, --images FILE or --images-from-cluster",
    );
  if ((f.features === undefined) === !f.cluster)
    throw new UserError("audit: give the nodes with one of --features FILE or --cluster");
  if (!fromPods) {
    const podFlag = [
      f.namespace !== undefined && "-n",
      f["all-namespaces"] && "-A",
      f.selector !== undefined && "-l",
    ].find(Boolean);
    if (podFlag)
      throw new UserError(`audit: ${podFlag} selects Pods: it goes with --images-from-cluster`);
  }
  if (f.namespace !== undefined && f["all-namespaces"])
    throw new UserError("audit: -n NAMESPACE and -A (all namespaces) exclude each other");
  const limit = chunkSize(f["chunk-size"]);
  claimStdin("audit", [
    f.images?.includes("-") && "--images -",
    f.features === "-" && "--features -",
    ...stdinReaders(f),
  ]);

  const images = await readImageRefs(f.images ?? [], io);
  const cluster = fromPods || f.cluster ? await connect(f, io) : undefined;
  const pages = limit !== undefined ? { chunkSize: limit } : {};
  if (cluster !== undefined && fromPods) {
    const { listPodImages } = await import("../../k8s/pods.js");
    const sel = { namespace: f.namespace, selector: f.selector, ...pages };
    const got = await clusterCall(() => listPodImages(cluster, sel));
    for (const s of got.skipped) io.stderr(`kompat: note: an image left out: ${s}\n`);
    if (got.images.length === 0) {
      const which = f.namespace !== undefined ? `namespace "${f.namespace}"` : "any namespace";
      const labels = f.selector !== undefined ? ` with labels ${f.selector}` : "";
      throw new UserError(
        `audit: no Pod in ${which}${labels} of ${cluster.where} runs an image: nothing to audit`,
      );
    }
    images.push(...got.images);
  }
  let nodes: Iterable<NodeSnapshot> | AsyncIterable<NodeSnapshot>;
  if (cluster !== undefined && f.cluster) {
    const { clusterNodes } = await import("../../k8s/cluster-nodes.js");
    nodes = clusterNodes(cluster, {
      ...pages,
      unpublished: (names) => {
        if (names.length > 0)
          io.stderr(
            `kompat: note: ${names.length} node${names.length === 1 ? "" : "s"} without a NodeFeature object left out (nfd-worker not running there?): ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""}\n`,
          );
      },
    });
  } else nodes = await readNodes(f.features as string, io);
  const opts = await clientOptions(f, io, "audit");
  const { auditImages, auditFits } = await import("../../fleet/audit.js");
  const audit = await clusterCall(() =>
    auditImages({
      images,
      nodes,
      fetch: { ...opts, ...(f.platform !== undefined ? { platform: f.platform } : {}) },
    }),
  );
  if (audit.groups.length === 0)
    throw new UserError(
      `audit: no node of ${cluster?.where ?? "the cluster"} has a NodeFeature object: nothing to audit against (is NFD's nfd-worker running?)`,
    );
  if (f.verbose)
    for (const img of audit.images)
      if (img.spec.state === "spec")
        for (const n of img.spec.notes) io.stderr(`kompat: note: ${img.ref}: ${n}\n`);

  if (format === "text") {
    const width = Number(io.env.COLUMNS);
    io.stdout(
      renderAuditText(audit, style(io.color), {
        summary: f.summary === true,
        ...(Number.isInteger(width) && width > 0 ? { width } : {}),
      }),
    );
  } else if (format === "json") io.stdout(`${JSON.stringify(auditData(audit), null, 2)}\n`);
  else if (format === "yaml") io.stdout(toYaml(auditData(audit), { aliasDuplicateObjects: false }));
  else {
    const { renderAuditHtml } = await import("../html/audit-page.js");
    io.stdout(renderAuditHtml(audit));
  }
  return auditFits(audit) ? 0 : 1;
}
