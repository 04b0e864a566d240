// Where registry credentials come from, in the order oci.md gives: explicit flags, Docker's
// config.json (credHelpers, credsStore, auths), podman's auth.json. Secrets never reach an
// error message or the `source` string.

import { dockerConfigCredential } from "./docker-config.js";
import { CredentialError } from "./errors.js";
import { podmanCredential } from "./podman-auth.js";

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
