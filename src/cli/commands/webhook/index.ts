// `kompat webhook`: the command group's usage (its commands are registered in main.ts).

import type { Io } from "../../io.js";

const USAGE = `Usage: kompat webhook COMMAND [options]

Commands:
  serve       the mutating admission webhook (HTTPS): pods get the node affinity their images need
  manifests   the Kubernetes objects that install it (Deployment, Service, webhook configuration, RBAC, PDB)

Run 'kompat webhook COMMAND --help' for its flags.
`;

export async function run(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "--help" || argv[0] === "-h") {
    io.stdout(USAGE);
    return 0;
  }
  io.stderr(
    `kompat: webhook: ${argv.length ? `unknown command "${argv[0]}"` : "which command?"}\n\n${USAGE}`,
  );
  return 2;
}
