// `kompat cluster validate`: which nodes of the cluster fit the image? NodeFeature objects
// in, per node the verdict and best set out. Exit 0 all compatible, 1 any not (or without
// features), 2 any error.

import { stringify as toYaml } from "yaml";
import type { NodeResult } from "../../../k8s/validate.js";
import type { Spec } from "../../../spec/model.js";
import { UserError, type Io } from "../../io.js";
import { style, summaryLine } from "../../render.js";
import {
  chunkSize,
  CLUSTER_FLAGS,
  CLUSTER_HELP,
  clusterCall,
  connect,
  clusterFlags,
  specFrom,
  tagsOf,
  type SpecOrigin,
} from "./common.js";
import { WhyIncompatible } from "./why.js";

const HELP = `Usage: kompat cluster validate (--spec FILE | --image REF) [options]

Evaluates the spec on every node of the cluster, from the NodeFeature objects NFD's
workers publish (merged per node as nfd-master merges them).

Nodes:
  -l, --selector SELECTOR     only the nodes with these labels (kubectl's syntax)
  --node NAME                 one node; with -o json|yaml, NFD's report for it
  --chunk-size N              objects per API page (default 500)
  --nfd-namespace NS          nfd-master's namespace, merged first (default node-feature-discovery)

Output:
  --summary                   the verdict per node only (faster; nothing else is kept)
  -o, --output text|json|yaml
  -v, --verbose               API requests on stderr

${CLUSTER_HELP}
Exit status: 0 every selected node compatible, 1 any not (or without features), 2 error.
`;

const OPTIONS = {
  ...CLUSTER_FLAGS,
  selector: { type: "string", short: "l" },
  node: { type: "string" },
  "chunk-size": { type: "string" },
  "nfd-namespace": { type: "string" },
  summary: { type: "boolean" },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const parsed = clusterFlags(argv, io, "cluster validate", OPTIONS, HELP);
  if (!parsed) return 0;
  const { f, format } = parsed;
  if (f.node !== undefined && f.selector !== undefined)
    throw new UserError("cluster validate: --node and -l select nodes two ways; give one");
  const limit = chunkSize(f["chunk-size"]);
  const origin = await specFrom(f, io, "cluster validate");
  const tags = tagsOf(f, origin.spec);
  const cluster = await connect(f, io);
  const { validateCluster } = await import("../../../k8s/validate.js");
  const results = validateCluster(cluster, origin.spec, {
    tags,
    summary: !!f.summary,
    selector: f.selector,
    node: f.node,
    ...(limit !== undefined ? { chunkSize: limit } : {}),
    ...(f["nfd-namespace"] !== undefined ? { nfdNamespace: f["nfd-namespace"] } : {}),
  });
  const printer =
    format === "text"
      ? new TextPrinter(io, origin.spec, !!f.summary)
      : f.node !== undefined && !f.summary
        ? new OneNodePrinter(io, format)
        : new FleetPrinter(io, format, origin, !!f.summary);
  let nodes = 0;
  let ok = 0;
  await clusterCall(async () => {
    for await (const r of results) {
      nodes++;
      if (r.verdict?.compatible) ok++;
      printer.node(r);
    }
  });
  if (nodes === 0)
    throw new UserError(
      `cluster validate: no node matches${f.selector !== undefined ? ` -l ${f.selector}` : ""} on ${cluster.where}`,
    );
  printer.end();
  return ok === nodes ? 0 : 1;
}

interface Printer {
  node(r: NodeResult): void;
  end(): void;
}

const NO_FEATURES =
  "no features: no NodeFeature object names this node (is nfd-worker running there?)";

class TextPrinter implements Printer {
  private readonly st;
  private readonly why = new WhyIncompatible();
  private total = 0;
  private ok = 0;
  private bare = 0;
  constructor(
    private readonly io: Io,
    private readonly spec: Spec,
    private readonly summary: boolean,
  ) {
    this.st = style(io.color);
  }
  node(r: NodeResult): void {
    this.total++;
    if (!r.verdict) {
      this.bare++;
      this.io.stdout(`${r.node}: ${this.st.bad(NO_FEATURES)}\n`);
      return;
    }
    if (r.verdict.compatible) this.ok++;
    else if (r.report) this.why.add(r.report);
    this.io.stdout(`${r.node}: ${summaryLine(r.verdict, this.spec, this.st)}\n`);
  }
  end(): void {
    if (!this.summary) {
      const why = this.why.render(this.st);
      if (why) this.io.stdout(`\n${why}`);
    }
    const bare = this.bare ? `; ${this.bare} without features` : "";
    this.io.stdout(
      `${this.ok} of ${this.total} node${this.total === 1 ? "" : "s"} compatible${bare}\n`,
    );
  }
}

/** --node NAME -o json|yaml: NFD's report of that node, as validate-node prints it. */
class OneNodePrinter implements Printer {
  constructor(
    private readonly io: Io,
    private readonly format: "json" | "yaml",
  ) {}
  node(r: NodeResult): void {
    if (!r.report) throw new UserError(`node ${r.node}: ${NO_FEATURES}`, 1);
    if (this.format === "json")
      this.io.stdout(JSON.stringify(r.report.sets) + (this.io.tty ? "\n" : ""));
    else this.io.stdout(toYaml(r.report.sets, { aliasDuplicateObjects: false }));
  }
  end(): void {}
}

/** validate-node's fleet shape, inside an object that says where the spec came from. */
class FleetPrinter implements Printer {
  private first = true;
  constructor(
    private readonly io: Io,
    private readonly format: "json" | "yaml",
    origin: SpecOrigin,
    private readonly summary: boolean,
  ) {
    const head = {
      image: origin.image ?? null,
      subject: origin.subject ?? null,
      subjectDigest: origin.subjectDigest ?? null,
      artifactDigest: origin.artifactDigest ?? null,
      specDigest: origin.specDigest,
    };
    if (format === "json") io.stdout(`${JSON.stringify(head).slice(0, -1)},"nodes":[`);
    else io.stdout(`${toYaml(head)}nodes:\n`);
  }
  node(r: NodeResult): void {
    const v = r.verdict;
    const data: Record<string, unknown> = {
      node: r.node,
      compatible: v?.compatible ?? false,
      featuresPublished: r.published,
      bestSet: v && v.best !== null ? (v.evaluated[v.best] as number) + 1 : null,
      matchedSets: v ? v.matched.map((i) => (v.evaluated[i] as number) + 1) : [],
    };
    if (!this.summary) data.report = r.report?.sets ?? null;
    if (this.format === "json") this.io.stdout((this.first ? "" : ",") + JSON.stringify(data));
    else this.io.stdout(toYaml([data], { aliasDuplicateObjects: false }));
    this.first = false;
  }
  end(): void {
    if (this.format === "json") this.io.stdout("]}" + (this.io.tty ? "\n" : ""));
    else if (this.first) this.io.stdout("[]\n");
  }
}
