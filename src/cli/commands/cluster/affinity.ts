// `kompat cluster affinity`: the nodeAffinity that selects the labels of `cluster label`,
// printed, or merged into the pod templates of manifests (-f).

import { stringify as toYaml } from "yaml";
import { readInput, claimStdin } from "../../flags.js";
import { UserError, type Io } from "../../io.js";
import { CLUSTER_FLAGS, CLUSTER_HELP, clusterFlags, specFrom, tagsOf } from "./common.js";
import { stdinReaders } from "../../registry-flags.js";
import { ruleFor } from "./label.js";

const HELP = `Usage: kompat cluster affinity (--image REF | --spec FILE) [-f FILE|-] [options]

Prints the nodeAffinity that puts pods on nodes labelled by 'kompat cluster label':
required, the label of at least one compatibility set (--tags narrows); preferred, one
term per set weighted by the set's weight. With -f, merges it into every pod template
(Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) of the manifests and
prints them; existing required terms each gain the requirement.

  -f, --filename FILE         manifests, multi-document YAML or JSON (- for stdin)
  -o, --output yaml|json      without -f (default yaml)

${CLUSTER_HELP}`;

const OPTIONS = { ...CLUSTER_FLAGS, filename: { type: "string", short: "f" } } as const;
const MAX_MANIFEST_BYTES = 16 << 20;

export async function run(argv: string[], io: Io): Promise<number> {
  const parsed = clusterFlags(argv, io, "cluster affinity", OPTIONS, HELP, ["yaml", "json"]);
  if (!parsed) return 0;
  const { f, format } = parsed;
  if (f.filename !== undefined && format === "json")
    throw new UserError(
      "cluster affinity: -f prints the manifests as YAML; -o json goes without -f",
    );
  claimStdin("cluster affinity", [
    f.filename === "-" && "-f -",
    f.spec === "-" && "--spec -",
    ...stdinReaders(f),
  ]);
  const origin = await specFrom(f, io, "cluster affinity");
  const tags = tagsOf(f, origin.spec);
  const got = await ruleFor(origin, origin.spec, tags);
  const { affinityFor, withAffinity, ManifestError } = await import("../../../k8s/affinity.js");
  const affinity = affinityFor(origin.spec, got.labels);
  if (f.filename === undefined) {
    const data = { nodeAffinity: affinity };
    io.stdout(
      format === "json" ? `${JSON.stringify(data, null, 2)}\n` : toYaml(data, { lineWidth: 0 }),
    );
    return 0;
  }
  const { text, name } = await readInput(f.filename, io, "manifests", MAX_MANIFEST_BYTES);
  let out;
  try {
    out = withAffinity(text, affinity, name);
  } catch (e) {
    if (e instanceof ManifestError) throw new UserError(`invalid manifests: ${e.message}`);
    throw e;
  }
  if (out.patched.length === 0)
    io.stderr(
      `kompat: note: ${name} has no pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)\n`,
    );
  else if (f.verbose) io.stderr(`kompat: affinity added to ${out.patched.join(", ")}\n`);
  io.stdout(out.text);
  return 0;
}
