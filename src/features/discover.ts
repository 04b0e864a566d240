// Runs the discovery sources against one host and merges what they found into NFD's
// feature shape. Sources run concurrently, each bounded in time: one stuck on a file
// (a hung sysfs attribute, a FIFO) is dropped with a problem instead of stalling the run.
//
// Where files are read: NFD reads /proc/modules, /proc/sys/kernel/osrelease,
// /proc/config.gz, /proc/cpuinfo and features.d without its /host- prefix even inside a
// container (they are the running kernel's anyway). With --host-prefix kompat does the
// same (HostRoot maps those paths unprefixed). With --host-root every path, those included,
// is read under the root, so a copied host tree is self-contained and reproduces the host.

import { CATALOGUE, SOURCE_NAMES, type SourceName } from "../spec/catalogue.js";
import type { FeatureSource, SourceContext } from "./source.js";
import { emptyFeatures, newMap, type Features } from "./nodefeatures.js";
import type { HostRoot } from "./hostroot.js";
import { hostArch } from "./arch.js";
import { cpuSource } from "./cpu/index.js";
import { kernelSource } from "./kernel/index.js";
import { memorySource } from "./memory/index.js";
import { networkSource } from "./network/index.js";
import { pciSource } from "./pci/index.js";
import { usbSource } from "./usb/index.js";
import { storageSource } from "./storage/index.js";
import { systemSource } from "./system/index.js";
import { localSource } from "./local/index.js";

export { SOURCE_NAMES };

/**
 * The sources that can provide these features (`<domain>.<name>`: the domain is the source).
 * A spec that names only cpu and pci features needs only those two discovered.
 */
export function sourcesForFeatures(features: Iterable<string>): SourceName[] {
  const wanted = new Set<string>();
  for (const f of features) wanted.add(f.toLowerCase().split(".")[0] ?? "");
  return SOURCE_NAMES.filter((s) => wanted.has(s));
}

/** The discovery code of each catalogue source. */
const SOURCES: Readonly<Record<SourceName, FeatureSource>> = {
  cpu: cpuSource,
  kernel: kernelSource,
  memory: memorySource,
  network: networkSource,
  pci: pciSource,
  usb: usbSource,
  storage: storageSource,
  system: systemSource,
  local: localSource,
};

export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;

export class UnknownSourceError extends Error {
  constructor(readonly source: string) {
    super(
      `unknown feature source ${JSON.stringify(source)} (valid: ${SOURCE_NAMES.join(", ")}, all)`,
    );
    this.name = "UnknownSourceError";
  }
}

/**
 * `--sources` as NFD's worker reads `featureSources`: names, `all`, and `-name` to drop
 * one. A list of only `-name`s starts from all (NFD would start from none, which is
 * never what is meant). Undefined → all.
 */
export function resolveSources(list: string[] | undefined): SourceName[] {
  if (list === undefined) return [...SOURCE_NAMES];
  const onlyDrops = list.length > 0 && list.every((s) => s.startsWith("-"));
  const chosen = new Set<string>(onlyDrops ? SOURCE_NAMES : []);
  for (const item of list) {
    const drop = item.startsWith("-");
    const name = drop ? item.slice(1) : item;
    const names = name === "all" ? SOURCE_NAMES : [name];
    for (const n of names) {
      if (!Object.hasOwn(CATALOGUE, n)) throw new UnknownSourceError(n);
      if (drop) chosen.delete(n);
      else chosen.add(n);
    }
  }
  return SOURCE_NAMES.filter((n) => chosen.has(n));
}

export interface DiscoveryProblem {
  source: string;
  message: string;
  /**
   * The source failed: a file that exists could not be read, it threw or it timed out. Its
   * features are left out, so a verdict that depends on it cannot be trusted.
   */
  fatal?: boolean;
}

export interface DiscoverOptions {
  host: HostRoot;
  /** Source names (see resolveSources); all when undefined. */
  sources?: string[];
  /**
   * Only these features (names as in a spec; case does not matter) are wanted: sources
   * that provide none of them do not run, the others skip the rest. All when undefined.
   */
  features?: Iterable<string>;
  /** OCI architecture; by default this machine's, or the --host-root tree's. */
  arch?: string;
  env: Record<string, string | undefined>;
  /** Per-source limit; a source still running then is dropped. */
  timeoutMs?: number;
}

export interface Discovery {
  features: Features;
  problems: DiscoveryProblem[];
}

/** The problems that made a source fail (empty when every source could read its files). */
export function sourceFailures(d: Pick<Discovery, "problems">): DiscoveryProblem[] {
  return d.problems.filter((p) => p.fatal === true);
}

/** Failures listed in a message: the first few, then how many more. */
const MAX_FAILURES_SHOWN = 3;

export async function discover(opts: DiscoverOptions): Promise<Discovery> {
  let names = resolveSources(opts.sources);
  let wanted: Set<string> | undefined;
  if (opts.features !== undefined) {
    wanted = new Set([...opts.features].map((f) => f.toLowerCase()));
    const needed = new Set(sourcesForFeatures(wanted));
    names = names.filter((n) => needed.has(n));
  }
  opts.host.resetCache();
  let arch = opts.arch;
  if (arch === undefined) {
    try {
      arch = await hostArch(opts.host.forSource());
    } catch (e) {
      // Every source depends on it: one failure, for the tree as a whole.
      const why = e instanceof Error ? e.message : String(e);
      const message = `cannot tell the host's architecture: ${why}`;
      return { features: emptyFeatures(), problems: [{ source: "host", message, fatal: true }] };
    }
  }
  return runSources(
    names.map((n) => SOURCES[n]),
    { host: opts.host, arch, env: opts.env, ...(wanted ? { wanted } : {}) },
    opts.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS,
  );
}

export interface SourceBase extends Omit<SourceContext, "warn" | "wants"> {
  /** Lower-cased feature names; undefined: all. */
  wanted?: ReadonlySet<string>;
}

/** Runs the given sources concurrently and merges their features (exported for tests). */
export async function runSources(
  sources: FeatureSource[],
  base: SourceBase,
  timeoutMs: number,
): Promise<Discovery> {
  const results = await Promise.all(sources.map((s) => runOne(s, base, timeoutMs)));
  const features = emptyFeatures();
  // A source reads concurrently, so its warnings come in any order: sort them, so that
  // two runs on the same host print the same.
  const problems = results.flatMap((r) =>
    [...r.problems].sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)),
  );
  const wants = wantsOf(base.wanted);
  sources.forEach((s, i) => {
    const found = results[i]?.features;
    if (!found) return;
    keep(found.flags, features.flags, wants);
    keep(found.attributes, features.attributes, wants);
    keep(found.instances, features.instances, wants);
    // Features NFD creates (possibly empty) whenever their source runs.
    for (const { kind, name, always } of CATALOGUE[s.name].features) {
      if (always === undefined || (always !== true && always !== base.arch)) continue;
      if (!wants(name) || Object.hasOwn(features[kind], name)) continue;
      if (kind === "attributes") features.attributes[name] = { elements: newMap() };
      else if (kind === "instances") features.instances[name] = { elements: [] };
      else features.flags[name] = { elements: newMap() };
    }
  });
  return { features, problems };
}

function keep<T>(from: Record<string, T>, to: Record<string, T>, wants: (f: string) => boolean) {
  for (const [name, feature] of Object.entries(from)) if (wants(name)) to[name] = feature;
}

function wantsOf(wanted: ReadonlySet<string> | undefined): (feature: string) => boolean {
  return wanted === undefined ? () => true : (feature) => wanted.has(feature);
}

async function runOne(
  source: FeatureSource,
  { wanted, ...base }: SourceBase,
  timeoutMs: number,
): Promise<{ features?: Features; problems: DiscoveryProblem[] }> {
  let finished = false;
  const own: DiscoveryProblem[] = [];
  // Its own view of the host: the files it failed to read are counted against it.
  const host = base.host.forSource();
  const ctx: SourceContext = {
    ...base,
    host,
    wants: wantsOf(wanted),
    warn: (message) => {
      // A source dropped for taking too long may still warn later: ignore it then.
      if (!finished) own.push({ source: source.name, message });
    },
  };
  const fail = (message: string): { problems: DiscoveryProblem[] } => {
    // The source's own warnings about the files that failed it would say it twice.
    const said = host.failures.map((f) => f.message);
    const rest = own.filter((p) => !said.some((m) => p.message.includes(m)));
    return { problems: [...rest, { source: source.name, message, fatal: true }] };
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const r = await Promise.race([source.discover(ctx), timeout]);
    if (r === "timeout")
      return fail(
        `gave up after ${timeoutMs} ms (a file did not answer); its features are left out`,
      );
    if (host.failures.length > 0) return fail(unreadable(host.failures));
    return { features: r, problems: own };
  } catch (e) {
    if (host.failures.length > 0) return fail(unreadable(host.failures));
    return fail(`failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    finished = true;
    clearTimeout(timer);
  }
}

/** "cannot read A: why; B: why and 2 more files": each failure once, a few at most. */
function unreadable(failures: readonly Error[]): string {
  const messages = [...new Set(failures.map((f) => f.message))].sort();
  const shown = messages.slice(0, MAX_FAILURES_SHOWN).join("; ");
  const more = messages.length - MAX_FAILURES_SHOWN;
  return `cannot read ${shown}${more > 0 ? ` and ${more} more files` : ""}; its features are left out`;
}
