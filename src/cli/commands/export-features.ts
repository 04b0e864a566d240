// `kompat export features`: discover this host (or a host tree) and print its features
// exactly as `nfd export features` does, so the two can be diffed. Exit 0, 2 on bad input.

import { stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UserError, type Io } from "../io.js";
import { commaList, parseFlags } from "../flags.js";
import { HostRoot } from "../../features/hostroot.js";
import { discover, UnknownSourceError, type Discovery } from "../../features/discover.js";
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
  const found = await runDiscovery(() => discover({ host, env: io.env, sources }));
  if (f.verbose) reportProblems(found, io);
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

/** --host-root / KOMPAT_HOST_ROOT / --host-prefix → HostRoot, checking the root exists. */
export async function hostFromFlags(
  f: { "host-root"?: string; "host-prefix"?: string },
  io: Io,
  command: string,
  trace?: HostRoot["trace"],
): Promise<HostRoot> {
  const prefix = f["host-prefix"];
  if (f["host-root"] !== undefined && prefix !== undefined)
    throw new UserError(`${command}: --host-root and --host-prefix cannot be used together`);
  const envRoot = io.env.KOMPAT_HOST_ROOT;
  const given = f["host-root"] ?? (prefix === undefined && envRoot ? envRoot : undefined);
  const what = f["host-root"] !== undefined ? "--host-root" : "KOMPAT_HOST_ROOT";
  if (given !== undefined) {
    if (given === "") throw new UserError(`${command}: ${what} is empty`);
    const root = resolve(io.cwd, given);
    let isDir: boolean;
    try {
      isDir = (await stat(root)).isDirectory();
    } catch {
      throw new UserError(`${command}: ${what} ${given}: no such directory`);
    }
    if (!isDir) throw new UserError(`${command}: ${what} ${given}: not a directory`);
    return new HostRoot({ root, ...(trace ? { trace } : {}) });
  }
  if (prefix !== undefined && !prefix.startsWith("/"))
    throw new UserError(`${command}: --host-prefix ${prefix}: must be absolute, e.g. /host-`);
  return new HostRoot({ ...(prefix ? { prefix } : {}), ...(trace ? { trace } : {}) });
}

/**
 * `--sources -cpu` would read `-cpu` as a flag: glue a value made only of `-name`s of
 * sources to its flag, as if written `--sources=-cpu`.
 */
export function glueSources(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    // `-cpu,-local` or `-gpu` (reported as unknown later), but not a short flag like `-v`.
    if (a === "--sources" && next !== undefined && /^-[a-z0-9]{2,}(,-?[a-z0-9]+)*$/.test(next)) {
      out.push(`--sources=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function sourcesFromFlag(
  values: string[] | undefined,
  command: string,
): string[] | undefined {
  const list = commaList(values);
  if (list !== undefined && list.length === 0)
    throw new UserError(`${command}: --sources: no source named`);
  return list;
}

/** Turns an unknown source name into a user error. */
export async function runDiscovery<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UnknownSourceError) throw new UserError(`--sources: ${e.message}`);
    throw e;
  }
}

export function reportProblems(found: Pick<Discovery, "problems">, io: Io): void {
  for (const p of found.problems) io.stderr(`kompat: discovery: ${p.source}: ${p.message}\n`);
}
