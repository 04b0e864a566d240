// `kompat cluster`: the command group's usage (its commands are registered in main.ts).

import type { Io } from "../../io.js";

const USAGE = `Usage: kompat cluster COMMAND (--image REF | --spec FILE) [--kubeconfig FILE] [--context NAME]

Commands:
  validate   every node of the cluster, from NFD's NodeFeature objects: compatible? best set? why not?
  label      a NodeFeatureRule that makes nfd-master label the nodes each set fits (--apply)
  affinity   the nodeAffinity selecting those labels, or merged into manifests (-f)
  job        a validation Job per node, for clusters without NFD

Run 'kompat cluster COMMAND --help' for its flags.
`;

export async function run(argv: string[], io: Io): Promise<number> {
  const help = argv[0] === "--help" || argv[0] === "-h";
  if (help) {
    io.stdout(USAGE);
    return 0;
  }
  io.stderr(
    `kompat: cluster: ${argv.length ? `unknown command "${argv[0]}"` : "which command?"}\n\n${USAGE}`,
  );
  return 2;
}
