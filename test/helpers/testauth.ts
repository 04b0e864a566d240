// The test server's Bearer token service (`/token`) and its checks of registry requests:
// Basic and Bearer auth, scopes, refresh tokens and expiry, as Distribution's token auth.

import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { json, regError, type Reply } from "./testreply.js";

export type TestAuth =
  | { kind: "basic"; username: string; password: string }
  | {
      kind: "bearer";
      /** Users allowed at the token service (Basic, or `grant_type=password`). */
      username?: string;
      password?: string;
      /** A refresh (identity) token accepted by the POST form flow. */
      refreshToken?: string;
      /** Issue pull-only tokens to anonymous clients (like Docker Hub for public images). */
      anonymousPull?: boolean;
      /** `expires_in` to announce; omitted from the answer when undefined. */
      tokenTtlSeconds?: number;
      /** The realm to announce instead of this server's `/token`. */
      realm?: string;
      /** Which JSON field carries the token in GET answers (default both). */
      tokenField?: "token" | "access_token" | "both";
      /** Repositories anyone may pull without a token (a public project beside private ones). */
      openRepositories?: string[];
    };

interface Grant {
  scopes: Set<string>; // "repository:name:action"
  expiresAt: number;
}

export interface TokenService {
  /** undefined when the request may go on; else the 401 to send. */
  checkAuth(req: IncomingMessage, name: string | undefined): Reply | undefined;
  /** The answer of `/token`. */
  tokenService(req: IncomingMessage, url: URL, body: Buffer): Reply;
  /** Tokens issued so far. */
  issued(): number;
}

/** `base()` is the server's URL, known once it listens (the default realm). */
export function tokenAuth(
  opts: { auth?: TestAuth | undefined },
  now: () => number,
  base: () => string,
): TokenService {
  const grants = new Map<string, Grant>();
  let issued = 0;

  function neededScope(method: string, name: string | undefined): string | undefined {
    if (name === undefined) return undefined;
    const action =
      method === "GET" || method === "HEAD" ? "pull" : method === "DELETE" ? "delete" : "push";
    return `repository:${name}:${action}`;
  }

  function challenge(scope: string | undefined, error?: string): Record<string, string> {
    const a = opts.auth;
    if (a?.kind === "basic") return { "www-authenticate": `Basic realm="kompat-test"` };
    if (a?.kind === "bearer") {
      const realm = a.realm ?? `${base()}/token`;
      let v = `Bearer realm="${realm}",service="kompat-test"`;
      if (scope) {
        const [, n, act] = /^repository:(.+):(\w+)$/.exec(scope) ?? [];
        // Push requests need pull too, as real registries ask.
        v += `,scope="repository:${n}:${act === "push" ? "pull,push" : act}"`;
      }
      if (error) v += `,error="${error}"`;
      return { "www-authenticate": v };
    }
    return {};
  }

  function basicUser(req: IncomingMessage): { user: string; pass: string } | undefined {
    const h = req.headers.authorization;
    if (!h?.startsWith("Basic ")) return undefined;
    const text = Buffer.from(h.slice(6), "base64").toString("utf8");
    const c = text.indexOf(":");
    return c === -1 ? undefined : { user: text.slice(0, c), pass: text.slice(c + 1) };
  }

  /** undefined when allowed; else the 401 to send. */
  function checkAuth(req: IncomingMessage, name: string | undefined): Reply | undefined {
    const a = opts.auth;
    if (!a) return undefined;
    const scope = neededScope(req.method ?? "GET", name);
    const deny = (error?: string) =>
      regError(401, "UNAUTHORIZED", "authentication required", challenge(scope, error));
    if (a.kind === "basic") {
      const u = basicUser(req);
      return u && u.user === a.username && u.pass === a.password ? undefined : deny();
    }
    const pulls = req.method === "GET" || req.method === "HEAD";
    if (pulls && name !== undefined && a.openRepositories?.includes(name)) return undefined;
    const h = req.headers.authorization;
    if (!h?.startsWith("Bearer ")) return deny();
    const g = grants.get(h.slice(7));
    if (!g || now() >= g.expiresAt) return deny("invalid_token");
    if (scope && !g.scopes.has(scope)) return deny("insufficient_scope");
    return undefined;
  }

  function grantFor(requested: string[], allowed: (action: string) => boolean): Set<string> {
    const out = new Set<string>();
    for (const s of requested) {
      const m = /^repository:(.+):([\w,*]+)$/.exec(s);
      if (!m) continue;
      for (const act of (m[2] as string).split(",")) {
        const acts = act === "*" ? ["pull", "push", "delete"] : [act];
        for (const x of acts) if (allowed(x)) out.add(`repository:${m[1]}:${x}`);
      }
    }
    return out;
  }

  function issue(scopes: Set<string>, field: "token" | "access_token" | "both"): Reply {
    const a = opts.auth as Extract<TestAuth, { kind: "bearer" }>;
    const token = randomBytes(18).toString("base64url");
    const ttl = a.tokenTtlSeconds;
    grants.set(token, { scopes, expiresAt: now() + (ttl ?? 60) * 1000 });
    issued++;
    const body: Record<string, unknown> = {};
    if (field !== "access_token") body.token = token;
    if (field !== "token") body.access_token = token;
    if (ttl !== undefined) body.expires_in = ttl;
    body.scope = [...scopes].join(" ");
    return json(200, body);
  }

  function tokenService(req: IncomingMessage, url: URL, body: Buffer): Reply {
    const a = opts.auth;
    if (a?.kind !== "bearer") return regError(404, "NOT_FOUND", "no token service");
    const userOk = (u: string | undefined, p: string | undefined) =>
      a.username !== undefined && u === a.username && p === a.password;
    if (req.method === "GET") {
      const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" "));
      const u = basicUser(req);
      if (u && !userOk(u.user, u.pass))
        return json(401, { details: "incorrect username or password" });
      if (!u && !a.anonymousPull) return json(401, { details: "authentication required" });
      const allowed = u ? () => true : (x: string) => x === "pull";
      return issue(grantFor(scopes, allowed), a.tokenField ?? "both");
    }
    if (req.method === "POST") {
      const form = new URLSearchParams(body.toString("utf8"));
      if (!form.get("client_id"))
        return json(400, { error: "invalid_request", error_description: "client_id required" });
      const scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
      const grant = form.get("grant_type");
      if (grant === "refresh_token") {
        if (a.refreshToken === undefined || form.get("refresh_token") !== a.refreshToken)
          return json(401, { error: "invalid_grant", error_description: "bad refresh token" });
      } else if (grant === "password") {
        if (!userOk(form.get("username") ?? undefined, form.get("password") ?? undefined))
          return json(401, { error: "invalid_grant", error_description: "bad password" });
      } else return json(400, { error: "unsupported_grant_type" });
      return issue(
        grantFor(scopes, () => true),
        "access_token",
      );
    }
    return regError(405, "UNSUPPORTED", "method not allowed");
  }

  return { checkAuth, tokenService, issued: () => issued };
}
