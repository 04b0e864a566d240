// podman's auth files (containers-auth.json): $REGISTRY_AUTH_FILE, the runtime dir, then
// the config dirs; per-repository keys, and credHelpers per registry.

import { join } from "node:path";
import {
  authEntry,
  canonicalHost,
  homeOf,
  normalizeKey,
  objectField,
  readJsonFile,
} from "./auth-file.js";
import { runHelper } from "./credential-helper.js";
import type { CredentialOptions, FoundCredential } from "./credentials.js";
import { CredentialError } from "./errors.js";

/** Podman / containers-auth.json files, in the order containers/image reads them. */
function podmanAuthPaths(opts: CredentialOptions): string[] {
  const env = opts.env;
  const paths: string[] = [];
  // REGISTRY_AUTH_FILE replaces the runtime-dir file, as in containers/image.
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  else if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, "containers", "auth.json"));
  else {
    const uid = opts.uid ?? process.getuid?.() ?? 0;
    paths.push(join("/run/containers", String(uid), "auth.json"));
  }
  const xdgConfig = env.XDG_CONFIG_HOME || join(homeOf(opts), ".config");
  paths.push(join(xdgConfig, "containers", "auth.json"));
  return paths;
}

export async function podmanCredential(
  host: string,
  repository: string,
  opts: CredentialOptions,
): Promise<FoundCredential | undefined> {
  const target = canonicalHost(host);
  // Most specific first: host/ns/repo, host/ns, host.
  const wanted: string[] = [];
  const parts = repository === "" ? [] : repository.split("/");
  for (let n = parts.length; n >= 0; n--) wanted.push([target, ...parts.slice(0, n)].join("/"));
  for (const file of podmanAuthPaths(opts)) {
    const cfg = await readJsonFile(file);
    if (!cfg) continue;
    const helpers = objectField(file, cfg, "credHelpers");
    const helper =
      helpers && Object.entries(helpers).find(([k]) => normalizeKey(k, false) === target);
    if (helper) {
      if (typeof helper[1] !== "string" || helper[1] === "")
        throw new CredentialError(`${file}: credHelpers["${helper[0]}"] must be a helper name`);
      const c = await runHelper(helper[1], target, opts, `credHelpers in ${file}`);
      if (c) return c;
      continue;
    }
    const auths = objectField(file, cfg, "auths");
    if (!auths) continue;
    const byKey = new Map<string, string>();
    for (const k of Object.keys(auths)) {
      const n = normalizeKey(k, true);
      if (!byKey.has(n)) byKey.set(n, k);
    }
    for (const w of wanted) {
      const key = byKey.get(w);
      if (key === undefined) continue;
      const c = authEntry(auths[key], `${file} (auths["${key}"])`);
      if (c) return c;
    }
  }
  return undefined;
}
