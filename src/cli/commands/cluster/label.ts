// `kompat cluster label`: the spec as one NodeFeatureRule that makes nfd-master label the
// nodes where each compatibility set matches; --apply server-side applies it.

import { stringify as toYaml } from "yaml";
import { UserError, type Io } from "../../io.js";
import {
  CLUSTER_FLAGS,
  CLUSTER_HELP,
  clusterCall,
  connect,
  clusterFlags,
  specFrom,
  tagsOf,
  type SpecOrigin,
} from "./common.js";
import type { Spec } from "../../../spec/model.js";
import type { NodeFeatureRuleResult } from "../../../k8s/rule.js";

const HELP = `Usage: kompat cluster label (--image REF | --spec FILE) [--apply] [options]

Prints a NodeFeatureRule (nfd.k8s-sigs.io/v1alpha1, cluster-scoped, named from the image's
subject digest) whose rules make nfd-master put one label per compatibility set,
kompat.feature.node.kubernetes.io/<id>-set<N>=true, on exactly the nodes where that set
matches. Needs NFD's nfd-master in the cluster.

  --apply                     server-side apply it (field manager kompat) instead of printing
  -o, --output yaml|json      (default yaml)

${CLUSTER_HELP}`;

const OPTIONS = { ...CLUSTER_FLAGS, apply: { type: "boolean" } } as const;

/** The NodeFeatureRule for a spec, its refusals turned into user errors. */
export async function ruleFor(
  origin: SpecOrigin,
  spec: Spec,
  tags: string[] | undefined,
): Promise<NodeFeatureRuleResult> {
  const { nodeFeatureRuleFor, RuleRewriteError } = await import("../../../k8s/rule.js");
  try {
    return nodeFeatureRuleFor(spec, origin, { tags });
  } catch (e) {
    if (e instanceof RuleRewriteError)
      throw new UserError(`cannot express the spec as a NodeFeatureRule: ${e.message}`);
    throw e;
  }
}

export async function run(argv: string[], io: Io): Promise<number> {
  const parsed = clusterFlags(argv, io, "cluster label", OPTIONS, HELP, ["yaml", "json"]);
  if (!parsed) return 0;
  const { f, format } = parsed;
  const origin = await specFrom(f, io, "cluster label");
  const tags = tagsOf(f, origin.spec);
  const got = await ruleFor(origin, origin.spec, tags);
  for (const n of got.notes) io.stderr(`kompat: note: ${n}\n`);
  if (!f.apply) {
    io.stdout(
      format === "json"
        ? `${JSON.stringify(got.rule, null, 2)}\n`
        : toYaml(got.rule, { lineWidth: 0 }),
    );
    return 0;
  }
  const cluster = await connect(f, io);
  const { applyNodeFeatureRule } = await import("../../../k8s/apply.js");
  await clusterCall(() => applyNodeFeatureRule(cluster, got.rule));
  io.stdout(`nodefeaturerule.nfd.k8s-sigs.io/${got.rule.metadata.name} serverside-applied\n`);
  for (const [n, key] of got.labels) io.stdout(`  set ${n}: ${key}=true\n`);
  return 0;
}
