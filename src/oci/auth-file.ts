// The auth file format Docker's config.json and podman's auth.json share: registry keys
// (`https://host/v1/`, `host`, `host/ns/repo`) reduced to comparable form, the file read
// bounded and as JSON, and an `auths` entry turned into a credential.

import { homedir } from "node:os";
import { fsReason } from "../lib/fserror.js";
import { FileReadError, readFileBounded } from "../lib/fsread.js";
import { CredentialError } from "./errors.js";
import type { CredentialOptions, FoundCredential } from "./credentials.js";

export const HUB_KEY = "https://index.docker.io/v1/";
const HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** `docker.io` for any Docker Hub alias, else the host as given (case kept for ports/IPv6). */
export function canonicalHost(host: string): string {
  const h = host.toLowerCase();
  return HUB_ALIASES.has(h) ? "docker.io" : h;
}

/** A config key (`https://host/v1/`, `host`, `host/ns/repo`) reduced to host[/path]. */
export function normalizeKey(key: string, keepPath: boolean): string {
  let k = key.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(k);
  if (scheme) {
    k = k.slice(scheme[0].length);
    // With a scheme the path is an API path (`/v1/`, `/v2/`), not a repository.
    const slash = k.indexOf("/");
    if (slash !== -1) k = k.slice(0, slash);
  } else if (!keepPath) {
    const slash = k.indexOf("/");
    if (slash !== -1) k = k.slice(0, slash);
  }
  k = k.replace(/\/+$/, "");
  const slash = k.indexOf("/");
  const host = slash === -1 ? k : k.slice(0, slash);
  return canonicalHost(host) + (slash === -1 ? "" : k.slice(slash));
}

export function homeOf(opts: CredentialOptions): string {
  return opts.homedir ?? opts.env.HOME ?? homedir();
}

/** A docker/podman auth file is a few KiB. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export async function readJsonFile(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    // Regular files only, bounded: a FIFO or /dev/zero here must not hang or grow us.
    const bytes = await readFileBounded(path, { maxBytes: MAX_CONFIG_BYTES, regularOnly: true });
    text = bytes.toString("utf8");
  } catch (e) {
    const code = e instanceof FileReadError ? e.code : undefined;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new CredentialError(
      `cannot read ${path}: ${e instanceof FileReadError ? e.reason : fsReason(e)}`,
    );
  }
  if (text.trim() === "") return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // The parser's message may quote file content, which may be a secret: say where only.
    const at = /position (\d+)/.exec((e as Error).message);
    throw new CredentialError(`${path} is not valid JSON${at ? ` (at byte ${at[1]})` : ""}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new CredentialError(`${path} must hold a JSON object`);
  return v as Record<string, unknown>;
}

export function objectField(
  file: string,
  obj: Record<string, unknown>,
  name: string,
): Record<string, unknown> | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v))
    throw new CredentialError(`${file}: "${name}" must be an object`);
  return v as Record<string, unknown>;
}

/** One `auths` entry: registrytoken > identitytoken > auth / username+password. */
export function authEntry(entry: unknown, source: string): FoundCredential | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    throw new CredentialError(`${source}: the entry must be an object`);
  const e = entry as Record<string, unknown>;
  const str = (name: string): string | undefined => {
    const v = e[name];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") throw new CredentialError(`${source}: "${name}" must be a string`);
    return v;
  };
  const registryToken = str("registrytoken");
  if (registryToken) return { kind: "bearer", token: registryToken, source };
  const identityToken = str("identitytoken");
  if (identityToken) return { kind: "identity", token: identityToken, source };
  const auth = str("auth");
  if (auth) {
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth.trim()) || colon === -1)
      throw new CredentialError(`${source}: "auth" is not base64 of "username:password"`);
    return {
      kind: "basic",
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      source,
    };
  }
  const username = str("username");
  const password = str("password");
  if (username && password) return { kind: "basic", username, password, source };
  return undefined;
}
