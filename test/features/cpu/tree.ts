// Synthetic host trees for cpu tests: files, symlinks and a SourceContext that records
// warnings. Fixtures (real cpuinfo texts) live in test/features/cpu/fixtures.

import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HostRoot } from "../../../src/features/hostroot.js";
import type { SourceContext } from "../../../src/features/source.js";

export type Entry = string | Buffer | { link: string } | { dir: true };

export const FIXTURES = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../test/features/cpu/fixtures",
);

export async function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), "utf8");
}

export interface TestHost {
  root: string;
  host: HostRoot;
  warnings: string[];
  ctx(arch?: string): SourceContext;
  cleanup(): Promise<void>;
}

/** A host tree from `{ "/proc/cpuinfo": "…", "/sys/x": { link: "../y" } }`. */
export async function makeHost(entries: Record<string, Entry>): Promise<TestHost> {
  const root = await mkdtemp(join(tmpdir(), "kompat-cpu-"));
  for (const [path, entry] of Object.entries(entries)) {
    const local = join(root, path);
    await mkdir(dirname(local), { recursive: true });
    if (typeof entry === "string" || Buffer.isBuffer(entry)) await writeFile(local, entry);
    else if ("link" in entry) await symlink(entry.link, local);
    else await mkdir(local, { recursive: true });
  }
  const host = new HostRoot({ root });
  const warnings: string[] = [];
  return {
    root,
    host,
    warnings,
    ctx: (arch = "amd64") => ({
      host,
      arch,
      env: {},
      warn: (m: string) => void warnings.push(m),
      wants: () => true,
    }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** /sys/bus/cpu/devices/cpuN links to /sys/devices/system/cpu/cpuN, as on Linux. */
export function cpuDevices(
  cpus: Array<{ siblings: string; pkg: string; baseFreq?: string }>,
): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  cpus.forEach((c, i) => {
    const dir = `/sys/devices/system/cpu/cpu${i}`;
    out[`${dir}/topology/thread_siblings_list`] = `${c.siblings}\n`;
    out[`${dir}/topology/physical_package_id`] = `${c.pkg}\n`;
    if (c.baseFreq !== undefined) out[`${dir}/cpufreq/base_frequency`] = `${c.baseFreq}\n`;
    out[`/sys/bus/cpu/devices/cpu${i}`] = { link: `../../../devices/system/cpu/cpu${i}` };
  });
  return out;
}
