// `kompat export features`: discover this host (or a host tree) and print its features
// exactly as `nfd export features` does, so the two can be diffed. Exit 0, 2 on bad input.

import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UserError, type Io } from "../io.js";
import { parseFlags } from "../flags.js";
import { discover } from "../../features/discover.js";
import {
  glueSources,
  failOnSourceErrors,
  hostFromFlags,
  reportProblems,
  runDiscovery,
  sourcesFromFlag,
} from "../host-flags.js";
import { featuresToJson, featuresToYaml } from "../../features/snapshot-export.js";

const HELP = `Usage: kompat export features [options]

Discovers the node's features and prints them in NFD's JSON shape (what
'nfd export features' prints: flags, attributes, instances; keys sorted).
  --host-root DIR        read the host's files under DIR (a mounted or captured host tree;
                         env KOMPAT_HOST_ROOT)
  --host-prefix PREFIX   NFD's container layout: /sys at PREFIXsys, e.g. --host-prefix /host-
  --sources a,b          only these sources: cpu, kernel, memory, network, pci, usb, storage,
                         system, local; 'all'; '-name' leaves one out
                         (e.g. --sources -cpu,-local; default: all)
  -o, --output json|yaml output format (default json)
  -p, --path FILE        write to FILE instead of standard output
  -v, --verbose          report on stderr what each source could not read
`;

const OPTIONS = {
  "host-root": { type: "string" },
  "host-prefix": { type: "string" },
  sources: { type: "string", multiple: true },
  output: { type: "string", short: "o" },
  path: { type: "string", short: "p" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(glueSources(argv), OPTIONS, "export features");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = f.output ?? "json";
  if (format !== "json" && format !== "yaml")
    throw new UserError(`export features: -o ${format}: expected json or yaml`);
  const host = await hostFromFlags(f, io, "export features");
  const sources = sourcesFromFlag(f.sources, "export features");
  const found = await runDiscovery(() =>
    discover({ host, env: io.env, ...(sources ? { sources } : {}) }),
  );
  if (f.verbose) reportProblems(found, io);
  failOnSourceErrors(found, "export features");
  const text =
    format === "json" ? `${featuresToJson(found.features)}\n` : featuresToYaml(found.features);
  if (f.path === undefined) io.stdout(text);
  else {
    try {
      await writeFile(resolve(io.cwd, f.path), text);
    } catch (e) {
      throw new UserError(`export features: cannot write ${f.path}: ${(e as Error).message}`);
    }
  }
  return 0;
}
