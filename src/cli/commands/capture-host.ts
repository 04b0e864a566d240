// `kompat capture-host DIR`: copy exactly the host files discovery reads into DIR, so that
// `kompat export features --host-root DIR` reproduces this host anywhere (a test fixture,
// a bug report, a node to check specs against offline).

import { resolve } from "node:path";
import { UserError, type Io } from "../io.js";
import { parseFlags } from "../flags.js";
import { captureHost, CaptureError } from "../../features/capture.js";
import {
  failOnSourceErrors,
  glueSources,
  hostFromFlags,
  reportProblems,
  runDiscovery,
  sourcesFromFlag,
} from "../host-flags.js";

const HELP = `Usage: kompat capture-host DIR [options]

Runs feature discovery and copies every file, directory and symlink it read into DIR
(sysfs attributes become regular files holding what was read). Then
'kompat export features --host-root DIR' prints what this host printed.
  --host-root DIR        capture a host tree mounted at DIR instead of / (env KOMPAT_HOST_ROOT)
  --host-prefix PREFIX   capture NFD's container layout (/host-sys, …)
  --sources a,b          only what these sources read (default: all)
  --force                overwrite an earlier capture in DIR (never a directory
                         kompat did not write: DIR/.kompat-capture marks a capture)
  -v, --verbose          report on stderr what discovery could not read
`;

const OPTIONS = {
  "host-root": { type: "string" },
  "host-prefix": { type: "string" },
  sources: { type: "string", multiple: true },
  force: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f, positionals } = parseFlags(glueSources(argv), OPTIONS, "capture-host", true);
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UserError("capture-host: give exactly one destination directory (see --help)");
  const dest = resolve(io.cwd, positionals[0] as string);
  const host = await hostFromFlags(f, io, "capture-host");
  const sources = sourcesFromFlag(f.sources, "capture-host");
  let result;
  try {
    result = await runDiscovery(() =>
      captureHost({
        ...(host.root !== undefined ? { root: host.root } : {}),
        ...(host.prefix !== undefined ? { prefix: host.prefix } : {}),
        dest,
        force: f.force === true,
        env: io.env,
        ...(sources ? { sources } : {}),
      }),
    );
  } catch (e) {
    if (e instanceof CaptureError) throw new UserError(`capture-host: ${e.message}`);
    const code = (e as NodeJS.ErrnoException).code;
    if (code)
      throw new UserError(`capture-host: cannot write ${positionals[0]}: ${(e as Error).message}`);
    throw e;
  }
  if (f.verbose) reportProblems(result, io);
  // The copy is written (it shows what was readable), but it is not this host's whole set.
  failOnSourceErrors(result, "capture-host");
  const s = result.summary;
  io.stdout(
    `Captured ${s.files} files (${kib(s.bytes)}), ${s.links} symlinks and ${s.dirs} directories ` +
      `from ${host.describe()} into ${positionals[0]}.\n` +
      `Check: kompat export features --host-root ${positionals[0]}\n`,
  );
  return 0;
}

function kib(n: number): string {
  return n < 1024 ? `${n} bytes` : `${(n / 1024).toFixed(1)} KiB`;
}
