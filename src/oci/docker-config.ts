// Docker's config.json ($DOCKER_CONFIG, else ~/.docker): credHelpers, then credsStore, then
// auths, as docker itself looks them up.

import { join } from "node:path";
import {
  HUB_KEY,
  authEntry,
  normalizeKey,
  canonicalHost,
  homeOf,
  objectField,
  readJsonFile,
} from "./auth-file.js";
import { runHelper } from "./credential-helper.js";
import type { CredentialOptions, FoundCredential } from "./credentials.js";
import { CredentialError } from "./errors.js";

/** Path of Docker's config.json: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
function dockerConfigPath(opts: CredentialOptions): string {
  const dir = opts.env.DOCKER_CONFIG;
  return dir !== undefined && dir !== ""
    ? join(dir, "config.json")
    : join(homeOf(opts), ".docker", "config.json");
}

export async function dockerConfigCredential(
  host: string,
  opts: CredentialOptions,
): Promise<FoundCredential | undefined> {
  const file = dockerConfigPath(opts);
  const cfg = await readJsonFile(file);
  if (!cfg) return undefined;
  const target = canonicalHost(host);
  const serverUrl = target === "docker.io" ? HUB_KEY : host;

  const helpers = objectField(file, cfg, "credHelpers");
  if (helpers) {
    for (const [key, name] of Object.entries(helpers)) {
      if (normalizeKey(key, false) !== target) continue;
      if (typeof name !== "string" || name === "")
        throw new CredentialError(`${file}: credHelpers["${key}"] must be a helper name`);
      return runHelper(name, serverUrl, opts, `credHelpers in ${file}`);
    }
  }
  const store = cfg.credsStore;
  if (store !== undefined && store !== "") {
    if (typeof store !== "string")
      throw new CredentialError(`${file}: "credsStore" must be a string`);
    return runHelper(store, serverUrl, opts, `credsStore in ${file}`);
  }
  const auths = objectField(file, cfg, "auths");
  if (!auths) return undefined;
  // An exact key first, then any key naming the same host (`https://host/v2/`, …).
  const keys = Object.keys(auths);
  const key =
    keys.find((k) => k === host || (target === "docker.io" && k === HUB_KEY)) ??
    keys.find((k) => normalizeKey(k, false) === target);
  if (key === undefined) return undefined;
  return authEntry(auths[key], `${file} (auths["${key}"])`);
}
