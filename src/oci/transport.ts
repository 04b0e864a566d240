// HTTP for registries: one undici dispatcher (custom CA, --insecure, proxy variables),
// timeouts, retries with backoff, redirects followed by hand so credentials never leave
// their origin, response size caps. Knows nothing about OCI.

import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "undici";
import { RegistryError, safeUrl } from "./errors.js";

export interface TransportOptions {
  env: Record<string, string | undefined>;
  /** PEM file with extra trusted CA certificates (added to the system ones). */
  caFile?: string;
  /** Skip TLS certificate verification. */
  insecure?: boolean;
  /** Limit for connecting, for response headers, and between body chunks (default 30 s). */
  timeoutMs?: number;
  /** Retries after 429, 5xx or a dropped connection on idempotent requests (default 3). */
  retries?: number;
  /** First backoff delay; doubles each time (default 300 ms). */
  retryBaseMs?: number;
  /** Longest `Retry-After` we wait for (default 30 s); a longer one is an error. */
  maxRetryAfterMs?: number;
  verbose?: (msg: string) => void;
  userAgent?: string;
}

export interface HttpRequest {
  method: "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Response bodies larger than this fail (default 4 MiB). */
  maxBytes?: number;
  /** Retry on 429/5xx/connection loss (default: true for GET, HEAD, PUT, DELETE). */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The URL that answered, after redirects. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const DEFAULT_MAX = 4 * 1024 * 1024;

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h)
  );
}

function envProxy(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v === undefined || v === "" ? undefined : v;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Transport {
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly log: (msg: string) => void;
  private readonly userAgent: string;
  /** Number of HTTP exchanges sent (each retry and redirect counts). */
  requestCount = 0;

  constructor(opts: TransportOptions) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 3;
    this.retryBaseMs = opts.retryBaseMs ?? 300;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
    this.log = opts.verbose ?? (() => {});
    this.userAgent = opts.userAgent ?? "kompat/0.1.0";
    let ca: string[] | undefined;
    if (opts.caFile !== undefined) {
      let pem: string;
      try {
        pem = readFileSync(opts.caFile, "utf8");
      } catch (e) {
        throw new RegistryError(
          `cannot read --ca-file ${opts.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
      if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        throw new RegistryError(`--ca-file ${opts.caFile} holds no PEM certificate`);
      }
      ca = [...rootCertificates, pem];
    }
    const tls = { ...(ca ? { ca } : {}), ...(opts.insecure ? { rejectUnauthorized: false } : {}) };
    const common = {
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: this.timeoutMs,
      connect: tls,
    };
    const httpProxy = envProxy(opts.env, "http_proxy");
    const httpsProxy = envProxy(opts.env, "https_proxy");
    if (httpProxy !== undefined || httpsProxy !== undefined) {
      // Values passed explicitly so undici never reads process.env behind our back.
      this.dispatcher = new EnvHttpProxyAgent({
        ...common,
        requestTls: tls,
        httpProxy: httpProxy ?? "",
        httpsProxy: httpsProxy ?? "",
        noProxy: envProxy(opts.env, "no_proxy") ?? "",
      });
    } else {
      this.dispatcher = new Agent(common);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Sends the request, following redirects and retrying as configured. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const idempotent = req.idempotent ?? (req.method !== "POST" && req.method !== "PATCH");
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.followRedirects(req);
      } catch (e) {
        if (idempotent && attempt < this.retries && e instanceof RetryableNetworkError) {
          const wait = this.backoff(attempt);
          this.log(`${req.method} ${safeUrl(req.url)}: ${e.message}; retrying in ${wait} ms`);
          await sleep(wait);
          continue;
        }
        throw e instanceof RetryableNetworkError
          ? new RegistryError(e.message, safeUrl(req.url))
          : e;
      }
      const retryable =
        res.status === 429 ||
        res.status === 502 ||
        res.status === 503 ||
        res.status === 504 ||
        res.status === 500;
      if (!retryable || !idempotent || attempt >= this.retries) return res;
      let wait = this.backoff(attempt);
      const after = parseRetryAfter(res.headers["retry-after"]);
      if (after !== undefined) {
        if (after > this.maxRetryAfterMs) {
          throw new RegistryError(
            `${req.method} ${safeUrl(res.url)}: ${res.status}, and the registry asks to retry after ${Math.ceil(after / 1000)} s; giving up`,
            safeUrl(res.url),
            res.status,
          );
        }
        wait = Math.max(after, 0);
      }
      this.log(`${req.method} ${safeUrl(res.url)}: ${res.status}; retrying in ${wait} ms`);
      await sleep(wait);
    }
  }

  private backoff(attempt: number): number {
    const base = this.retryBaseMs * 2 ** attempt;
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private async followRedirects(req: HttpRequest): Promise<HttpResponse> {
    const origin = new URL(req.url).origin;
    let url = new URL(req.url);
    let method = req.method;
    let body = req.body;
    let headers = { ...(req.headers ?? {}) };
    for (let hop = 0; ; hop++) {
      const res = await this.once(method, url, headers, body, req.maxBytes ?? DEFAULT_MAX);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || location === undefined) return res;
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(
          `${req.method} ${safeUrl(req.url)}: more than ${MAX_REDIRECTS} redirects`,
          safeUrl(req.url),
          res.status,
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new RegistryError(
          `${safeUrl(url)} redirected to an invalid location`,
          safeUrl(url),
          res.status,
        );
      }
      if (url.protocol === "https:" && next.protocol !== "https:") {
        throw new RegistryError(
          `${safeUrl(url)} redirected to ${safeUrl(next)}: refusing to downgrade from HTTPS`,
          safeUrl(url),
          res.status,
        );
      }
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new RegistryError(
          `${safeUrl(url)} redirected to unsupported URL ${safeUrl(next)}`,
          safeUrl(url),
          res.status,
        );
      }
      if (next.origin !== origin) {
        // Blob downloads are often redirected to object storage: it must never see our token.
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization"),
        );
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
      }
      this.log(`redirected to ${safeUrl(next)}`);
      url = next;
    }
  }

  private async once(
    method: HttpRequest["method"],
    url: URL,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    maxBytes: number,
  ): Promise<HttpResponse> {
    const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
    if (hasAuth && url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
      throw new RegistryError(
        `refusing to send credentials over plain HTTP to ${url.host}; use HTTPS (drop --plain-http) or a loopback address`,
        safeUrl(url),
      );
    }
    this.requestCount++;
    this.log(`${method} ${safeUrl(url)}`);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method,
        headers: { "user-agent": this.userAgent, ...headers },
        body:
          body === undefined ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        dispatcher: this.dispatcher,
      });
    } catch (e) {
      throw this.networkError(e, method, url);
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
    }
    const length = Number(out["content-length"]);
    if (Number.isFinite(length) && length > maxBytes && method !== "HEAD") {
      res.body.destroy();
      throw tooLarge(method, url, maxBytes, `${length} bytes announced`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        total += b.byteLength;
        if (total > maxBytes) {
          res.body.destroy();
          throw tooLarge(method, url, maxBytes, "more sent");
        }
        chunks.push(b);
      }
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      throw this.networkError(e, method, url);
    }
    return {
      status: res.statusCode,
      headers: out,
      body: new Uint8Array(Buffer.concat(chunks)),
      url: url.toString(),
    };
  }

  private networkError(e: unknown, method: string, url: URL): Error {
    const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const code = err.code ?? err.cause?.code ?? "";
    const where = `${method} ${safeUrl(url)}`;
    const secs = Math.round(this.timeoutMs / 100) / 10;
    if (
      code === "UND_ERR_HEADERS_TIMEOUT" ||
      code === "UND_ERR_BODY_TIMEOUT" ||
      code === "UND_ERR_CONNECT_TIMEOUT"
    ) {
      return new RegistryError(`${where}: no response within ${secs} s (timed out)`, safeUrl(url));
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code)) {
      return new RegistryError(
        `${where}: TLS certificate of ${url.host} is not trusted (${code}); pass --ca-file FILE with its CA, or --insecure`,
        safeUrl(url),
      );
    }
    if (
      code === "EPROTO" ||
      /wrong version number|packet length too long/i.test(err.message ?? "")
    ) {
      return new RegistryError(
        `${where}: TLS handshake failed (does ${url.host} speak plain HTTP? then use --plain-http)`,
        safeUrl(url),
      );
    }
    if (code === "ECONNREFUSED")
      return new RegistryError(`${where}: connection refused`, safeUrl(url));
    if (code === "ENOTFOUND" || code === "EAI_AGAIN")
      return new RegistryError(`${where}: host ${url.hostname} not found`, safeUrl(url));
    if (
      code === "ECONNRESET" ||
      code === "EPIPE" ||
      code === "UND_ERR_SOCKET" ||
      code === "UND_ERR_CLOSED"
    ) {
      return new RetryableNetworkError(`${where}: connection lost (${code})`);
    }
    return new RegistryError(`${where}: ${err.message ?? String(e)}`, safeUrl(url));
  }
}

class RetryableNetworkError extends Error {}

function tooLarge(method: string, url: URL, max: number, detail: string): RegistryError {
  return new RegistryError(
    `${method} ${safeUrl(url)}: response exceeds the ${formatBytes(max)} limit (${detail})`,
    safeUrl(url),
  );
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
