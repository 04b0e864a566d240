// Flags shared by the commands that discover a host: where its files are (--host-root,
// KOMPAT_HOST_ROOT, --host-prefix) and which sources run (--sources).

import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UserError, type Io } from "./io.js";
import { commaList } from "./flags.js";
import { HostRoot } from "../features/hostroot.js";
import { sourceFailures, UnknownSourceError, type Discovery } from "../features/discover.js";
import { printable } from "../lib/text/untrusted.js";

/** --host-root / KOMPAT_HOST_ROOT / --host-prefix → HostRoot, checking the root exists. */
export async function hostFromFlags(
  f: { "host-root"?: string | undefined; "host-prefix"?: string | undefined },
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
    const host = new HostRoot({ root, ...(trace ? { trace } : {}) });
    return requireHostTree(host, `${command}: ${what} ${given}`);
  }
  if (prefix !== undefined && !prefix.startsWith("/"))
    throw new UserError(`${command}: --host-prefix ${prefix}: must be absolute, e.g. /host-`);
  const host = new HostRoot({ ...(prefix ? { prefix } : {}), ...(trace ? { trace } : {}) });
  return prefix ? requireHostTree(host, `${command}: --host-prefix ${prefix}`) : host;
}

/**
 * A host tree has a `proc` or a `sys` (looked up inside the tree). Without either, every
 * source would find nothing and a spec would read "incompatible": a forgotten mount in a
 * DaemonSet, not a verdict.
 */
async function requireHostTree(host: HostRoot, what: string): Promise<HostRoot> {
  const tops = ["/proc", "/sys"];
  const found = await Promise.all(tops.map((t) => host.isDir(t).catch(() => false)));
  if (found.some(Boolean)) return host;
  const [proc, sys] = tops.map((t) => host.local(t));
  throw new UserError(
    `${what}: neither ${proc} nor ${sys} is a directory: not a host tree ` +
      "(is a host mount missing?)",
  );
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

/** The problems that did not fail a source (the failures are the command's error). */
export function reportProblems(found: Pick<Discovery, "problems">, io: Io): void {
  for (const p of found.problems)
    if (p.fatal !== true) io.stderr(`kompat: discovery: ${p.source}: ${printable(p.message)}\n`);
}

/**
 * A source that could not read what exists is an error (exit 2), never a smaller feature
 * set: a spec needing a GPU must not be told "incompatible" because a file did not open.
 * The other problems are printed with -v only.
 */
export function failOnSourceErrors(found: Pick<Discovery, "problems">, command: string): void {
  const failed = sourceFailures(found);
  if (failed.length === 0) return;
  const lines = failed.map((p) => `discovery: ${p.source}: ${printable(p.message)}`);
  throw new UserError(`${command}: ${lines.join(`\n${command}: `)}`);
}
