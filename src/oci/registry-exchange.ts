// One exchange with a registry, authenticated as it asks: anonymous first, then whatever
// its 401 challenge names; a challenge from another origin is never answered. Token
// requests go through the same transport, so they count against its deadline.

import type { AuthHttp, Authenticator } from "./auth.js";
import { scopesFor, type Operation } from "./auth-challenge.js";
import { RegistryError, safeUrl } from "./errors.js";
import { authFailure, errorCode, errorCodeText, foreignChallenge } from "./registry-errors.js";
import type { HttpRequest, HttpResponse, Transport } from "./transport.js";

export interface ExchangeOptions {
  repository: string;
  /** The registry's origin: the only one its credentials are sent to. */
  origin: string;
  transport: Transport;
  auth: Authenticator;
  /** Ask for push rights from the first token on (attach), saving a second token fetch. */
  forPush?: boolean;
  /** Where credentials for this repository come from (for messages), undefined when none. */
  credentialSource?: () => Promise<string | undefined>;
}

export class AuthorizedExchange {
  private readonly authHttp: AuthHttp;

  constructor(private readonly o: ExchangeOptions) {
    const transport = o.transport;
    this.authHttp = async (req) => {
      const res = await transport.send({
        method: req.method,
        url: req.url,
        headers: req.headers,
        ...(req.body !== undefined ? { body: Buffer.from(req.body, "utf8") } : {}),
        maxBytes: req.maxBodyBytes,
      });
      return { status: res.status, body: res.body };
    };
  }

  /** One exchange with authentication: anonymous first, then whatever the 401 asks for. */
  async send(req: HttpRequest, op: Operation = "pull"): Promise<HttpResponse> {
    const scopeOp: Operation = op === "pull" && this.o.forPush ? "push" : op;
    const scopes = scopesFor(this.o.repository, scopeOp);
    if (op === "delete") scopes.push(...scopesFor(this.o.repository, "pull"));
    const authReq = { url: req.url, method: req.method, scopes, http: this.authHttp };
    const withAuth = async (): Promise<{ res: HttpResponse; sent: string | undefined }> => {
      let header: string | undefined;
      try {
        header = await this.o.auth.authorize(authReq);
      } catch (e) {
        throw authFailure(e, req.url);
      }
      const headers = { ...(req.headers ?? {}) };
      if (header !== undefined) headers.authorization = header;
      return { res: await this.o.transport.send({ ...req, headers }), sent: header };
    };
    let { res, sent } = await withAuth();
    if (res.status === 401) {
      // The challenge belongs to whoever answered (a redirect target may be another host).
      const answered = { ...authReq, url: res.url };
      if (new URL(res.url).origin !== this.o.origin)
        throw foreignChallenge(req, res, this.o.origin);
      let retry: boolean;
      try {
        retry = await this.o.auth.onUnauthorized(answered, res.headers["www-authenticate"], sent);
      } catch (e) {
        throw authFailure(e, req.url);
      }
      if (retry) ({ res, sent } = await withAuth());
      if (res.status === 401 && new URL(res.url).origin !== this.o.origin)
        throw foreignChallenge(req, res, this.o.origin);
      if (res.status === 401) {
        const source = await this.o.credentialSource?.().catch(() => undefined);
        const why =
          source !== undefined
            ? `the credentials from ${source} were rejected or lack ${scopeOp} rights`
            : sent === undefined
              ? "no credentials were found"
              : `anonymous access has no ${scopeOp} rights and no credentials were found`;
        throw new RegistryError(
          `${req.method} ${safeUrl(res.url)}: 401 unauthorized (${why}${errorCodeText(res)}); ` +
            "give --registry-username with --registry-password-stdin, --registry-token-stdin, or log in with docker/podman",
          safeUrl(res.url),
          401,
          errorCode(res),
        );
      }
    }
    return res;
  }
}
