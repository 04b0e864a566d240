// One session for many images (an audit, a webhook), as oras-go's `remote.Registry` opens
// repositories: per registry one pool of connections (keep-alive), one credential lookup
// per host and repository, one Authenticator (the challenge learnt once; tokens per
// repository scope serve every tag); one content cache for all. Each image keeps its own
// Transport for its own deadline and request count. Credentials stay the ones of the
// registry each image names.

import { resolve as resolvePath } from "node:path";
import { Authenticator } from "./auth.js";
import { CachedStore } from "./cached-store.js";
import { ContentCache, cacheDir, lockPathFor } from "./cache.js";
import type { ClientOptions, OpenedImage } from "./client.js";
import { resolveCredentials, type FoundCredential } from "./credentials.js";
import { isDigest } from "./digest.js";
import { RegistryError } from "./errors.js";
import { LayoutStore } from "./layout.js";
import {
  parseReference,
  registryApiHost,
  type LayoutReference,
  type RegistryReference,
} from "./reference.js";
import { RemoteRepository } from "./registry.js";
import { Transport } from "./transport.js";

interface RegistryState {
  /** Owns the connections every image of this registry sends through. */
  connections: Transport;
  /** `host\nrepository` → the credential found (one lookup, helpers run once). */
  credentials: Map<string, Promise<FoundCredential | undefined>>;
  /**
   * One Authenticator for the registry: what one repository's 401 taught serves the next
   * (tokens stay per repository scope, credentials per host and repository).
   */
  auth: Authenticator | undefined;
  /** The transport of the image opened last: a credential helper gets what its deadline leaves. */
  latest: Transport;
}

export class RegistrySession {
  /** One content cache for every image (undefined with `noCache`). */
  readonly cache: ContentCache | undefined;
  private readonly registries = new Map<string, RegistryState>();
  private readonly log: (msg: string) => void;

  constructor(private readonly opts: ClientOptions) {
    this.log = opts.verbose ?? (() => {});
    this.cache = opts.noCache ? undefined : new ContentCache(cacheDir(opts.env), this.log);
  }

  /** Opens `image`; closing it leaves the session's connections open for the next one. */
  async open(image: string, purpose: "pull" | "push" = "pull"): Promise<OpenedImage> {
    const ref = parseReference(image);
    if (ref.kind === "layout") return this.openLayout(ref);
    const state = this.registryOf(ref);
    const opts = this.opts;
    const transport = new Transport({
      ...this.transportOptions(),
      connectionsOf: state.connections,
    });
    state.latest = transport;
    const credentialsFor = (host: string, repository: string) =>
      this.credentialsFor(state, ref, host, repository);
    // Every request names its repository in its scopes; the first image's is a fallback.
    const auth = (state.auth ??= new Authenticator({
      registry: `${opts.plainHttp ? "http" : "https"}://${registryApiHost(ref)}`,
      // Token requests name the image's own transport (AuthRequest.http); this is unused.
      http: () => Promise.reject(new Error("internal: token request without a transport")),
      credentials: (host, repository) => credentialsFor(host, repository ?? ref.repository),
      log: this.log,
    }));
    const remote = new RemoteRepository({
      registry: ref.registry,
      apiHost: registryApiHost(ref),
      repository: ref.repository,
      ...(opts.plainHttp ? { plainHttp: true } : {}),
      transport,
      auth,
      forPush: purpose === "push",
      credentialSource: async () => (await credentialsFor(ref.registry, ref.repository))?.source,
      log: this.log,
      ...(this.cache ? { memos: this.cache } : {}),
    });
    const reference = ref.target;
    return {
      target: this.cache ? new CachedStore(remote, this.cache, this.log) : remote,
      reference,
      name: `${ref.registry}/${ref.repository}${isDigest(reference) ? "@" : ":"}${reference}`,
      base: `${ref.registry}/${ref.repository}`,
      requestCount: () => transport.requestCount,
      lockPath: lockPathFor(opts.env, remote.key),
      ...(this.cache ? { memos: this.cache } : {}),
      close: () => transport.close(),
    };
  }

  /** Waits for the cache's writes, then closes the connections of every registry opened. */
  async close(): Promise<void> {
    await this.cache?.settled();
    const all = [...this.registries.values()];
    this.registries.clear();
    await Promise.all(all.map((r) => r.connections.close()));
  }

  private transportOptions(): ConstructorParameters<typeof Transport>[0] {
    const opts = this.opts;
    return {
      env: opts.env,
      ...(opts.caFile !== undefined ? { caFile: opts.caFile } : {}),
      ...(opts.insecure ? { insecure: true } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.verbose ? { verbose: opts.verbose } : {}),
    };
  }

  private registryOf(ref: RegistryReference): RegistryState {
    let state = this.registries.get(ref.registry);
    if (state === undefined) {
      // Reads --ca-file and the proxy settings once; fails here when they are unusable.
      const connections = new Transport(this.transportOptions());
      state = { connections, credentials: new Map(), auth: undefined, latest: connections };
      this.registries.set(ref.registry, state);
    }
    return state;
  }

  /** Credentials (flags included) are for the registry named in the reference only. */
  private credentialsFor(
    state: RegistryState,
    ref: RegistryReference,
    host: string,
    repository: string,
  ): Promise<FoundCredential | undefined> {
    if (host !== registryApiHost(ref) && host !== ref.registry) return Promise.resolve(undefined);
    const key = `${host}\n${repository}`;
    let p = state.credentials.get(key);
    if (p === undefined) {
      // A credential helper gets at most 10 s, and never more than the deadline leaves.
      const helperTimeoutMs = Math.max(1, Math.min(10_000, state.latest.remainingMs()));
      const o = this.opts;
      p = resolveCredentials(host, repository, {
        env: o.env,
        ...(o.username !== undefined ? { username: o.username } : {}),
        ...(o.password !== undefined ? { password: o.password } : {}),
        ...(o.token !== undefined ? { token: o.token } : {}),
        helperTimeoutMs,
      });
      state.credentials.set(key, p);
    }
    return p;
  }

  private async openLayout(ref: LayoutReference): Promise<OpenedImage> {
    const { env, cwd } = this.opts;
    const store = new LayoutStore(
      ref.path,
      cwd,
      lockPathFor(env, `index.json of oci-layout:${resolvePath(cwd ?? process.cwd(), ref.path)}`),
      this.log,
    );
    const reference = ref.digest ?? ref.tag ?? (await defaultLayoutTag(store, ref.path));
    return {
      target: store,
      reference,
      name: `oci-layout:${ref.path}${isDigest(reference) ? "@" : ":"}${reference}`,
      base: `oci-layout:${ref.path}`,
      requestCount: () => 0,
      lockPath: lockPathFor(env, store.key),
      close: async () => {},
    };
  }
}

/** A layout without tag or digest: its only tag, or `latest` when present. */
async function defaultLayoutTag(store: LayoutStore, path: string): Promise<string> {
  const tags = await store.tags();
  if (tags.includes("latest")) return "latest";
  if (tags.length === 1 && tags[0] !== undefined) return tags[0];
  throw new RegistryError(
    tags.length === 0
      ? `oci-layout:${path} has no tagged manifest; give oci-layout:${path}@sha256:…`
      : `oci-layout:${path} has several tags (${tags.join(", ")}); give one as oci-layout:${path}:TAG`,
  );
}
