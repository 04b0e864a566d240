// Synthetic host trees for discovery tests: a map of host path → content, written under a
// fresh temp directory. `{ link }` makes a symlink, `{ dir: true }` an empty directory,
// a Buffer writes bytes as they are.

import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { HostRoot } from "../../src/features/hostroot.js";
import { runSources, type Discovery } from "../../src/features/discover.js";
import type { FeatureSource } from "../../src/features/source.js";

export type Entry = string | Buffer | { link: string } | { dir: true };

export async function makeTree(entries: Record<string, Entry>, into?: string): Promise<string> {
  const root = into ?? (await mkdtemp(join(tmpdir(), "kompat-tree-")));
  for (const [path, e] of Object.entries(entries)) {
    const out = join(root, path);
    await mkdir(dirname(out), { recursive: true });
    if (typeof e === "string" || Buffer.isBuffer(e)) await writeFile(out, e);
    else if ("link" in e) await symlink(e.link, out);
    else await mkdir(out, { recursive: true });
  }
  return root;
}

export async function removeTree(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** Runs one source against a tree (arch amd64 unless given). */
export async function runSource(
  source: FeatureSource,
  root: string,
  opts: { env?: Record<string, string | undefined>; arch?: string } = {},
): Promise<Discovery> {
  return runSources(
    [source],
    { host: new HostRoot({ root }), arch: opts.arch ?? "amd64", env: opts.env ?? {} },
    10_000,
  );
}

/** A tree with `entries`, the source's result on it, then the tree removed. */
export async function onTree(
  source: FeatureSource,
  entries: Record<string, Entry>,
  opts: { env?: Record<string, string | undefined>; arch?: string } = {},
): Promise<Discovery> {
  const root = await makeTree(entries);
  try {
    return await runSource(source, root, opts);
  } finally {
    await removeTree(root);
  }
}

/** Plain objects (null-prototype maps compare unequal to literals in deepStrictEqual). */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
