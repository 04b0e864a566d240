// kompat as a registry user gets it: `npm pack` of this checkout, installed offline into a
// project of its own (test/cli/install.test.ts, and the bench's installed-package figures).

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./cli.js";

/**
 * `npm pack` into `dest`; returns the tarball's path. --ignore-scripts: `prepare` would
 * rebuild dist/ under other tests' feet, and the caller has built it.
 */
export function packCheckout(dest: string): string {
  execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dest], {
    cwd: REPO,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const name = readdirSync(dest).find((n) => n.startsWith("kompat-") && n.endsWith(".tgz"));
  if (name === undefined) throw new Error(`npm pack left no tarball in ${dest}`);
  return join(dest, name);
}

/**
 * A project in `dir` depending on `tarball`, installed with `npm ci --offline`: its lockfile
 * takes the registry dependencies' entries from this checkout's, so npm needs no registry
 * metadata, only the tarballs already in its cache. Returns node_modules/.bin/kompat.
 */
export function installTarball(tarball: string, dir: string, ignoreScripts = false): string {
  mkdirSync(dir, { recursive: true });
  const lock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }>;
  };
  const self = lock.packages[""] as Record<string, unknown>;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    "": { dependencies: { kompat: spec } },
    "node_modules/kompat": {
      version: "0.1.0",
      resolved: spec,
      hasInstallScript: true,
      dependencies: self.dependencies,
      bin: self.bin,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== "" && !entry.dev && !entry.devOptional && !entry.optional) packages[path] = entry;
  }
  const name = "kompat-install-test";
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name, private: true, dependencies: { kompat: spec } }),
  );
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name, lockfileVersion: 3, requires: true, packages }),
  );
  const flags = ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"];
  const r = spawnSync("npm", ignoreScripts ? [...flags, "--ignore-scripts"] : flags, {
    cwd: dir,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`npm ci of ${tarball} in ${dir}: ${r.stderr}`);
  return join(dir, "node_modules/.bin/kompat");
}
