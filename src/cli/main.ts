// Entry point of ./bin/kompat: dispatches to one command, turns user errors into
// `kompat: …` on stderr with exit 2. Commands are imported lazily to keep start-up short.

import { UserError, type Command, type Io } from "./io.js";
import { printable } from "../lib/text/untrusted.js";

// Read by help.ts too: completion and the man page list exactly these commands.
export const COMMANDS: Record<string, () => Promise<Command>> = {
  "validate-node": async () => (await import("./commands/validate-node.js")).run,
  "spec lint": async () => (await import("./commands/spec-lint.js")).run,
  "export features": async () => (await import("./commands/export-features.js")).run,
  "capture-host": async () => (await import("./commands/capture-host.js")).run,
  attach: async () => (await import("./commands/attach.js")).run,
  discover: async () => (await import("./commands/discover.js")).run,
  "fetch-spec": async () => (await import("./commands/fetch-spec.js")).run,
  copy: async () => (await import("./commands/copy.js")).run,
  audit: async () => (await import("./commands/audit.js")).run,
  select: async () => (await import("./commands/select.js")).run,
  "cluster validate": async () => (await import("./commands/cluster/validate.js")).run,
  "cluster label": async () => (await import("./commands/cluster/label.js")).run,
  "cluster affinity": async () => (await import("./commands/cluster/affinity.js")).run,
  "cluster job": async () => (await import("./commands/cluster/job.js")).run,
  cluster: async () => (await import("./commands/cluster/index.js")).run,
  "webhook serve": async () => (await import("./commands/webhook/serve.js")).run,
  "webhook manifests": async () => (await import("./commands/webhook/manifests.js")).run,
  webhook: async () => (await import("./commands/webhook/index.js")).run,
  completion: async () => (await import("./commands/completion.js")).run,
};

export const USAGE = `kompat — will this image run on this host?

Usage:
  kompat validate-node (--spec FILE | --image REF) [--features FILE | --host-root DIR] [--tags a,b] [--output-json | -o json|yaml]
  kompat spec lint FILE...
  kompat export features [--host-root DIR | --host-prefix /host-] [--sources cpu,kernel,…] [-o json|yaml]
  kompat capture-host DIR [--host-root DIR] [--sources …]
  kompat attach --image REF --spec FILE [--platform os/arch]
  kompat discover --image REF
  kompat fetch-spec --image REF
  kompat copy SRC DST [-r]
  kompat audit --images REF|FILE… --features FILE [-o text|json|yaml|html]
  kompat select --image REF --image REF… [--features FILE | --host-root DIR] [--allow-unspecified]
  kompat cluster validate|label|affinity|job (--image REF | --spec FILE) [--kubeconfig FILE] [--context NAME]
  kompat webhook serve --tls-cert FILE --tls-key FILE [--port 8443] [--deadline 3s]
  kompat webhook manifests --kompat-image IMG [--namespace NS] [--cert-manager]
  kompat completion bash|zsh|fish

Run 'kompat COMMAND --help' for a command's flags.
`;

export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version") {
    io.stdout("kompat 0.1.0\n");
    return 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ""}`;
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [argv[0] as string, argv.slice(1)];
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`kompat: unknown command "${argv.join(" ")}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (e) {
    // Messages quote what registries, files and specs said: escaped for the terminal.
    if (e instanceof UserError) {
      io.stderr(`kompat: ${printable(e.message, { lines: true })}\n`);
      return e.exitCode;
    }
    // A bug, not bad input: still no raw stack unless asked for.
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(`kompat: internal error: ${printable(msg, { lines: true })}\n`);
    if (io.env.KOMPAT_DEBUG) io.stderr(`${e instanceof Error ? e.stack : ""}\n`);
    return 2;
  }
}
