/**
 * Registry authentication, independent of the HTTP client.
 *
 * ```ts
 * const auth = new Authenticator({
 *   registry: "https://registry.example:5000",    // the only origin credentials go to
 *   http: (req) => myTransport(req),              // token-service requests (see AuthHttp)
 *   credentials: (host, repo) => resolveCredentials(host, repo ?? "", opts),
 *   log: (m) => verbose(m),                       // optional, never given a secret
 *   now: () => Date.now(),                        // optional clock, for tests
 * });
 * const req = { url, method: "GET", scopes: scopesFor(repo, "pull") };
 * const header = await auth.authorize(req);          // undefined = send anonymously
 * let res = await send(url, header);
 * if (res.status === 401 && (await auth.onUnauthorized(req, res.header("www-authenticate"), header)))
 *   res = await send(url, await auth.authorize(req)); // retry once, never loop
 * ```
 *
 * - Anonymous first: `authorize` returns a header only once a 401 from that origin
 *   (scheme://host:port) has taught the challenge.
 * - `onUnauthorized` learns the challenge, drops the cached token for those scopes, and for
 *   Bearer fetches a new token for the request's scopes merged with the challenge's. It
 *   returns false when a retry cannot help (no credentials for Basic, unsupported scheme, or
 *   the header just rejected is the one a retry would send). It throws AuthError when the
 *   token service fails or the challenge is unusable (malformed, `http://` realm for an
 *   `https://` registry).
 * - One Authenticator serves one registry origin. Credentials go to that origin and to the
 *   token realm *its* challenge named, wherever it is (docker and oras do the same: Docker
 *   Hub's realm is auth.docker.io); that realm is the only exception. A request to any other
 *   origin (a redirect target, an upload location) goes anonymously, and a challenge from
 *   another origin is never learnt nor answered. The `http` function must not follow a
 *   redirect to another origin with the Authorization header.
 * - Tokens are cached per origin + sorted scopes until `expires_in` (default 60 s) passes.
 * - One Authenticator serves every repository of its registry (an audit's images): the
 *   challenge learnt from one is used for the next at once, saving its 401 round trip. A
 *   token the service refuses for a repository that has not itself answered 401 is no
 *   error: that request goes anonymously, as it would have (a public repository beside a
 *   private one), and its own 401, if any, is answered as above.
 */

import { Buffer } from "node:buffer";
import type { FoundCredential } from "./credentials.js";
import { printable } from "./errors.js";
import {
  AuthError,
  mergeScopes,
  parseChallenges,
  repositoryOf,
  type Challenge,
} from "./auth-challenge.js";

/** A request to the token service. */
export interface AuthHttpRequest {
  url: string;
  method: "GET" | "POST";
  /** Lower-case names. May contain `authorization` (Basic credentials for the realm). */
  headers: Record<string, string>;
  /** `application/x-www-form-urlencoded` body, for POST. */
  body?: string;
  /** Stop reading and fail beyond this many bytes (the answer counts as too large). */
  maxBodyBytes: number;
}

export interface AuthHttpResponse {
  status: number;
  body: Uint8Array;
}

export type AuthHttp = (req: AuthHttpRequest) => Promise<AuthHttpResponse>;

export interface AuthRequest {
  url: string;
  method: string;
  /** Token scopes, e.g. `repository:library/ubuntu:pull`; see `scopesFor`. */
  scopes: readonly string[];
  /**
   * Where a token request this one needs is sent, instead of the Authenticator's own
   * `http`: one Authenticator serves several images, each with its own deadline.
   */
  http?: AuthHttp;
}

export interface AuthenticatorOptions {
  /** The registry's origin (`https://host[:port]`): the only one credentials are offered to. */
  registry: string;
  http: AuthHttp;
  /** Credentials for the registry host (`host[:port]` of `registry`) and repository, if any. */
  credentials: (
    host: string,
    repository: string | undefined,
  ) => Promise<FoundCredential | undefined>;
  log?: (message: string) => void;
  /** Milliseconds since the epoch; defaults to Date.now. */
  now?: () => number;
}

// --- the authenticator ----------------------------------------------------------------------

const TOKEN_RESPONSE_LIMIT = 128 * 1024;
const DEFAULT_TOKEN_SECONDS = 60;

type Known = { scheme: "basic" } | { scheme: "bearer"; realm: string; service?: string };

interface CachedToken {
  token: string;
  expiresAt: number;
}

export class Authenticator {
  private readonly registry: URL;
  private readonly http: AuthHttp;
  private readonly credentialsOf: AuthenticatorOptions["credentials"];
  private readonly log: (m: string) => void;
  private readonly now: () => number;
  private readonly challenges = new Map<string, Known>();
  /** Repositories (by origin) whose own requests were answered 401: the challenge is theirs. */
  private readonly challenged = new Set<string>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private readonly creds = new Map<string, Promise<FoundCredential | undefined>>();

  constructor(opts: AuthenticatorOptions) {
    this.registry = new URL(new URL(opts.registry).origin);
    this.http = opts.http;
    this.credentialsOf = opts.credentials;
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
  }

  /** The Authorization header value for this request, or undefined to go anonymously. */
  async authorize(req: AuthRequest): Promise<string | undefined> {
    const url = new URL(req.url);
    if (url.origin !== this.registry.origin) return undefined;
    const known = this.challenges.get(url.origin);
    if (known === undefined) return undefined;
    const cred = await this.credential(url, req.scopes);
    if (known.scheme === "basic") return basicHeader(cred);
    if (cred?.kind === "bearer") return `Bearer ${cred.token}`;
    const key = cacheKey(url.origin, req.scopes);
    const hit = this.tokens.get(key);
    if (hit && this.now() < hit.expiresAt) return `Bearer ${hit.token}`;
    const scopes = mergeScopes(req.scopes);
    try {
      const fresh = await this.fetchToken(url, known, cred, scopes, key, req.http);
      return `Bearer ${fresh.token}`;
    } catch (e) {
      // Learnt from another repository: this one may need no token at all.
      if (!(e instanceof AuthError) || this.challenged.has(repoKey(url, req.scopes))) throw e;
      this.log(`${e.message}; asking ${url.origin} anonymously for ${scopes.join(" ")}`);
      return undefined;
    }
  }

  /**
   * Learn from a 401: `req.url` is the URL that answered (after redirects), `wwwAuthenticate`
   * the response's header, `sent` the Authorization value the failed request carried. True
   * when retrying with `authorize(req)` may succeed; always false for another origin.
   */
  async onUnauthorized(
    req: AuthRequest,
    wwwAuthenticate: string | undefined,
    sent?: string,
  ): Promise<boolean> {
    const url = new URL(req.url);
    if (url.origin !== this.registry.origin) {
      this.log(
        `${url.origin} asks for authentication; it is not the registry ${this.registry.origin}, so no credentials are sent to it`,
      );
      return false;
    }
    if (wwwAuthenticate === undefined || wwwAuthenticate.trim() === "") return false;
    let challenges: Challenge[];
    try {
      challenges = parseChallenges(wwwAuthenticate);
    } catch (e) {
      throw new AuthError(`${url.origin} answered 401 with a ${(e as Error).message}`);
    }
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const basic = challenges.find((c) => c.scheme === "basic");
    this.challenged.add(repoKey(url, req.scopes));
    const key = cacheKey(url.origin, req.scopes);
    this.tokens.delete(key);
    const cred = await this.credential(url, req.scopes);
    if (bearer) {
      const known = this.learnBearer(url, bearer);
      let header: string;
      if (cred?.kind === "bearer") header = `Bearer ${cred.token}`;
      else {
        const extra = (bearer.params.scope ?? "").split(" ");
        const scopes = mergeScopes([...req.scopes, ...extra]);
        const t = await this.fetchToken(url, known, cred, scopes, key, req.http);
        header = `Bearer ${t.token}`;
      }
      return header !== sent;
    }
    if (basic) {
      this.challenges.set(url.origin, { scheme: "basic" });
      const header = basicHeader(cred);
      if (header === undefined) {
        this.log(
          cred
            ? `${url.origin} asks for Basic authentication; the token from ${cred.source} cannot be used for it`
            : `${url.origin} asks for Basic authentication and no credentials were found`,
        );
        return false;
      }
      return header !== sent;
    }
    this.log(
      `${url.origin} asks for unsupported authentication: ${challenges.map((c) => c.scheme).join(", ")}`,
    );
    return false;
  }

  private learnBearer(url: URL, c: Challenge): Known & { scheme: "bearer" } {
    const realm = c.params.realm;
    if (realm === undefined || realm === "")
      throw new AuthError(`${url.origin} sent a Bearer challenge without a realm`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new AuthError(
        `${url.origin} sent a Bearer challenge with an invalid realm ${JSON.stringify(realm)}`,
      );
    }
    if (realmUrl.protocol !== "https:" && realmUrl.protocol !== "http:")
      throw new AuthError(`${url.origin} named a token realm that is not HTTP(S): ${realm}`);
    if (url.protocol === "https:" && realmUrl.protocol === "http:")
      throw new AuthError(
        `${url.origin} named a plain-HTTP token realm ${realmUrl.origin}; refusing to send credentials without TLS`,
      );
    const known: Known & { scheme: "bearer" } = { scheme: "bearer", realm: realmUrl.href };
    if (c.params.service !== undefined) known.service = c.params.service;
    this.challenges.set(url.origin, known);
    return known;
  }

  /** The registry's credentials; callers have checked that `url` is the registry's origin. */
  private credential(url: URL, scopes: readonly string[]): Promise<FoundCredential | undefined> {
    if (url.origin !== this.registry.origin)
      throw new AuthError(`internal: credentials asked for ${url.origin}`);
    const repo = repositoryOf(scopes);
    const k = `${url.host}\n${repo ?? ""}`;
    let p = this.creds.get(k);
    if (p === undefined) {
      p = this.credentialsOf(url.host, repo).then((c) => {
        if (c) this.log(`using credentials for ${url.host} from ${c.source}`);
        return c;
      });
      this.creds.set(k, p);
    }
    return p;
  }

  private fetchToken(
    url: URL,
    known: Known,
    cred: FoundCredential | undefined,
    scopes: string[],
    requestKey: string,
    http: AuthHttp = this.http,
  ): Promise<CachedToken> {
    if (known.scheme !== "bearer") throw new AuthError("internal: token for a Basic challenge");
    const mergedKey = `${url.origin}\n${scopes.join(" ")}`;
    let p = this.pending.get(mergedKey);
    if (p === undefined) {
      p = this.requestToken(known, cred, scopes, http).finally(() =>
        this.pending.delete(mergedKey),
      );
      this.pending.set(mergedKey, p);
    }
    return p.then((t) => {
      this.tokens.set(mergedKey, t);
      this.tokens.set(requestKey, t);
      return t;
    });
  }

  private async requestToken(
    known: { realm: string; service?: string },
    cred: FoundCredential | undefined,
    scopes: string[],
    http: AuthHttp,
  ): Promise<CachedToken> {
    const realm = new URL(known.realm);
    const where = `token service ${realm.origin}${realm.pathname}`;
    let req: AuthHttpRequest;
    if (cred?.kind === "identity") {
      const form = new URLSearchParams();
      form.set("grant_type", "refresh_token");
      form.set("refresh_token", cred.token);
      if (known.service !== undefined) form.set("service", known.service);
      form.set("client_id", "kompat");
      if (scopes.length > 0) form.set("scope", scopes.join(" "));
      req = {
        url: realm.href,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        maxBodyBytes: TOKEN_RESPONSE_LIMIT,
      };
    } else {
      const u = new URL(realm.href);
      if (known.service !== undefined) u.searchParams.append("service", known.service);
      for (const s of scopes) u.searchParams.append("scope", s);
      const headers: Record<string, string> = {};
      const basic = basicHeader(cred);
      if (basic !== undefined) headers.authorization = basic;
      req = { url: u.href, method: "GET", headers, maxBodyBytes: TOKEN_RESPONSE_LIMIT };
    }
    this.log(
      `requesting a token from ${where} for ${scopes.join(" ") || "no scope"}${cred ? ` with credentials from ${cred.source}` : " anonymously"}`,
    );
    let res: AuthHttpResponse;
    try {
      res = await http(req);
    } catch (e) {
      throw new AuthError(`${where}: ${(e as Error).message}`);
    }
    if (res.body.length > TOKEN_RESPONSE_LIMIT)
      throw new AuthError(`${where} answered more than ${TOKEN_RESPONSE_LIMIT} bytes`);
    const text = Buffer.from(res.body).toString("utf8");
    if (res.status !== 200) {
      const detail = errorDetail(text);
      const denied = res.status === 401 || res.status === 403;
      const rejected = !denied
        ? ""
        : cred
          ? `: the credentials from ${cred.source} were rejected`
          : ": anonymous access refused and no credentials were found";
      throw new AuthError(
        `${where} answered ${res.status}${rejected}${detail ? ` (${detail})` : ""}`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AuthError(`${where} answered with invalid JSON`);
    }
    const obj = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const token =
      typeof obj.token === "string" && obj.token !== ""
        ? obj.token
        : typeof obj.access_token === "string" && obj.access_token !== ""
          ? obj.access_token
          : undefined;
    if (token === undefined) throw new AuthError(`${where} answered without a token`);
    const secs =
      typeof obj.expires_in === "number" && Number.isFinite(obj.expires_in) && obj.expires_in > 0
        ? obj.expires_in
        : DEFAULT_TOKEN_SECONDS;
    return { token, expiresAt: this.now() + secs * 1000 };
  }
}

/** Which repository of which origin a request is for (its scopes name it). */
function repoKey(url: URL, scopes: readonly string[]): string {
  return `${url.origin}\n${repositoryOf(scopes) ?? ""}`;
}

function cacheKey(origin: string, scopes: readonly string[]): string {
  return `${origin}\n${mergeScopes(scopes).join(" ")}`;
}

function basicHeader(cred: FoundCredential | undefined): string | undefined {
  if (cred?.kind !== "basic") return undefined;
  return `Basic ${Buffer.from(`${cred.username}:${cred.password}`, "utf8").toString("base64")}`;
}

/** A short, printable reason from a token service's error body (never echoes much). */
function errorDetail(text: string): string {
  let msg = "";
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const errs = j.errors;
    if (Array.isArray(errs) && errs.length > 0) {
      const e = errs[0] as Record<string, unknown>;
      msg = [e.code, e.message].filter((x) => typeof x === "string").join(": ");
    } else if (typeof j.error_description === "string") msg = j.error_description;
    else if (typeof j.details === "string") msg = j.details;
    else if (typeof j.error === "string") msg = j.error;
  } catch {
    msg = "";
  }
  return printable(msg.trim(), 200);
}
