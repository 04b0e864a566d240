// Where registry credentials come from, in the order oci.md gives: explicit flags, Docker's
// config.json (credHelpers, credsStore, auths), podman's auth.json. Secrets never reach an
// error message or the `source` string.

import { spawn } from "node:child_process";
import { fsReason } from "../lib/fserror.js";
import { FileReadError, readFileBounded } from "../lib/fsread.js";
import { homedir } from "node:os";
import { join } from "node:path";
import { printable } from "./errors.js";

/** What a registry may be offered. */
export type Credential =
  | { kind: "basic"; username: string; password: string }
  /** An identity (refresh) token, exchanged at the token service for access tokens. */
  | { kind: "identity"; token: string }
  /** An access token sent as `Authorization: Bearer` unchanged. */
  | { kind: "bearer"; token: string };

/** A credential and a description of where it was found, for `-v` (never the secret). */
export type FoundCredential = Credential & { source: string };

export interface CredentialOptions {
  username?: string;
  password?: string;
  /** Access token given explicitly (NFD's --registry-token-stdin). */
  token?: string;
  /** Environment: HOME, DOCKER_CONFIG, REGISTRY_AUTH_FILE, XDG_*, PATH (for helpers). */
  env: Record<string, string | undefined>;
  /** Home directory; defaults to env.HOME, then os.homedir(). */
  homedir?: string;
  /** Numeric user id for /run/containers/$UID; defaults to process.getuid(). */
  uid?: number;
  /** Time limit for a credential helper, in ms (default 10 s). */
  helperTimeoutMs?: number;
}

/** A credential source that exists but cannot be used: bad JSON, failing helper. */
export class CredentialError extends Error {
  override name = "CredentialError";
}

const HUB_KEY = "https://index.docker.io/v1/";
const HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const HELPER_NOT_FOUND = "credentials not found in native keychain";
const HELPER_OUTPUT_LIMIT = 1024 * 1024;

/** `docker.io` for any Docker Hub alias, else the host as given (case kept for ports/IPv6). */
function canonicalHost(host: string): string {
  const h = host.toLowerCase();
  return HUB_ALIASES.has(h) ? "docker.io" : h;
}

/** A config key (`https://host/v1/`, `host`, `host/ns/repo`) reduced to host[/path]. */
function normalizeKey(key: string, keepPath: boolean): string {
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

function homeOf(opts: CredentialOptions): string {
  return opts.homedir ?? opts.env.HOME ?? homedir();
}

/**
 * Credentials for `repository` on registry `host` (`docker.io`, `registry-1.docker.io`,
 * `localhost:5000`, `[::1]:5000`), or undefined for anonymous access. Throws CredentialError
 * when a source exists but is broken (unparsable file, failing helper).
 */
export async function resolveCredentials(
  host: string,
  repository: string,
  opts: CredentialOptions,
): Promise<FoundCredential | undefined> {
  const explicit = explicitCredential(opts);
  if (explicit) return explicit;
  const fromDocker = await dockerConfigCredential(host, opts);
  if (fromDocker) return fromDocker;
  return podmanCredential(host, repository, opts);
}

function explicitCredential(opts: CredentialOptions): FoundCredential | undefined {
  if (opts.token !== undefined && opts.token !== "")
    return { kind: "bearer", token: opts.token, source: "the access token given" };
  const hasUser = opts.username !== undefined && opts.username !== "";
  const hasPass = opts.password !== undefined && opts.password !== "";
  if (hasUser && hasPass)
    return {
      kind: "basic",
      username: opts.username as string,
      password: opts.password as string,
      source: "the username and password given",
    };
  if (hasUser) throw new CredentialError(`a username was given without a password`);
  if (hasPass) throw new CredentialError(`a password was given without a username`);
  return undefined;
}

/** Path of Docker's config.json: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
function dockerConfigPath(opts: CredentialOptions): string {
  const dir = opts.env.DOCKER_CONFIG;
  return dir !== undefined && dir !== ""
    ? join(dir, "config.json")
    : join(homeOf(opts), ".docker", "config.json");
}

/** A docker/podman auth file is a few KiB. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

async function readJsonFile(path: string): Promise<Record<string, unknown> | undefined> {
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

function objectField(
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

async function dockerConfigCredential(
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

/** One `auths` entry: registrytoken > identitytoken > auth / username+password. */
function authEntry(entry: unknown, source: string): FoundCredential | undefined {
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

async function podmanCredential(
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

/**
 * Run `docker-credential-<name> get` with the server URL on stdin. "credentials not found"
 * means none; any other failure is a CredentialError that never quotes the helper's stdout.
 */
function runHelper(
  name: string,
  serverUrl: string,
  opts: CredentialOptions,
  configuredBy: string,
): Promise<FoundCredential | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    return Promise.reject(
      new CredentialError(`invalid credential helper name "${name}" (${configuredBy})`),
    );
  const program = `docker-credential-${name}`;
  const source = `credential helper ${program} (${configuredBy})`;
  const timeoutMs = opts.helperTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
    let child;
    try {
      // Its own process group, so that ending it ends whatever it started: a child that
      // inherited its stdout (`sleep 120`) would otherwise hold kompat open until it exits.
      child = spawn(program, ["get"], { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    } catch (e) {
      reject(new CredentialError(`cannot run ${program}: ${(e as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(() =>
        reject(
          new CredentialError(
            `${program} did not answer within ${Math.round(timeoutMs / 100) / 10} s (${configuredBy})`,
          ),
        ),
      );
    }, timeoutMs);
    const take = (into: Buffer[]) => (b: Buffer) => {
      size += b.length;
      if (size > HELPER_OUTPUT_LIMIT) {
        killGroup();
        finish(() =>
          reject(
            new CredentialError(
              `${program} printed more than ${HELPER_OUTPUT_LIMIT >> 20} MiB (${configuredBy})`,
            ),
          ),
        );
      } else into.push(b);
    };
    child.stdout.on("data", take(out));
    child.stderr.on("data", take(err));
    child.stdin.on("error", () => {}); // a helper that exits without reading stdin
    child.on("error", (e: NodeJS.ErrnoException) => {
      const why =
        e.code === "ENOENT"
          ? `${program} was not found on PATH (${configuredBy})`
          : `cannot run ${program}: ${e.message}`;
      finish(() => reject(new CredentialError(why)));
    });
    // The helper is done: whatever it left running must not keep its stdout open.
    child.on("exit", () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // no process left in the group
      }
    });
    child.on("close", (code, signal) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (code !== 0) {
        if (stdout.includes(HELPER_NOT_FOUND) || stderr.includes(HELPER_NOT_FOUND))
          return finish(() => resolve(undefined));
        // Helpers print their error on stdout; an error message is not a secret, but keep
        // it to one short line in case a broken helper prints more.
        const line = printable((stderr.trim() || stdout.trim()).split("\n")[0] ?? "", 200);
        const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
        return finish(() =>
          reject(
            new CredentialError(`${program} ${how}${line ? `: ${line}` : ""} (${configuredBy})`),
          ),
        );
      }
      let v: unknown;
      try {
        v = JSON.parse(stdout);
      } catch {
        return finish(() =>
          reject(
            new CredentialError(`${program} printed something that is not JSON (${configuredBy})`),
          ),
        );
      }
      const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
      const user = typeof o.Username === "string" ? o.Username : "";
      const secret = typeof o.Secret === "string" ? o.Secret : "";
      finish(() => {
        if (secret === "") resolve(undefined);
        else if (user === "<token>") resolve({ kind: "identity", token: secret, source });
        else resolve({ kind: "basic", username: user, password: secret, source });
      });
    });
    child.stdin.end(serverUrl);
  });
}
