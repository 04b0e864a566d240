// HTTP for registries: Node's own http/https (keep-alive; custom CA, --insecure; proxies by
// Go's rules), one deadline for all the work, retries with backoff, redirects followed by
// hand so credentials never leave their origin, response size caps. Knows nothing about OCI.

import { fsReason } from "../lib/fserror.js";
import { FileReadError, readFileBoundedSync } from "../lib/fsread.js";
import { RegistryError, safeUrl } from "./errors.js";
import {
  Agents,
  DeadlineError,
  RetryableNetworkError,
  exchange,
  type TlsOptions,
} from "./exchange.js";
import { ProxyError, proxyConfigFromEnv, proxyFor, type ProxyConfig } from "./proxy.js";

export { formatBytes } from "./exchange.js";

/** --ca-file: a PEM bundle (Debian's whole ca-certificates.crt is about 200 KiB). */
export const MAX_CA_FILE_BYTES = 4 * 1024 * 1024;
export interface TransportOptions {
  env: Record<string, string | undefined>;
  /** PEM file with extra trusted CA certificates (added to the system ones). */
  caFile?: string;
  /** Skip TLS certificate verification. */
  insecure?: boolean;
  /**
   * Deadline for all the work of this transport, from its creation: every request, redirect,
   * retry and backoff wait (default 60 s), extended by 1 s per MiB moved (MS_PER_MIB). A
   * server sending slower than 1 MiB/s cannot hold it much longer.
   */
  timeoutMs?: number;
  /** Retries after 429, 5xx or a dropped connection on idempotent requests (default 3). */
  retries?: number;
  /** First backoff delay; doubles each time (default 300 ms). */
  retryBaseMs?: number;
  /** Longest `Retry-After` we wait for (default 30 s); a longer one is an error. */
  maxRetryAfterMs?: number;
  verbose?: (msg: string) => void;
  userAgent?: string;
  /**
   * Send through this transport's connections (keep-alive pool, TLS settings) rather than
   * its own: several images of one session, each with its own deadline. Closed by its owner.
   */
  connectionsOf?: Transport;
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

const MIB = 1024 * 1024;
/**
 * Each MiB sent or received moves the deadline this much later: a transfer at 1 MiB/s or
 * faster never runs out of time, a trickle earns next to nothing.
 */
export const MS_PER_MIB = 1000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const DEFAULT_MAX = 4 * 1024 * 1024;

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h)
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Transport {
  private readonly agents: Agents;
  private readonly ownsAgents: boolean;
  private readonly proxies: ProxyConfig;
  private readonly timeoutMs: number;
  private deadline: number;
  /** How far the bytes moved have pushed the deadline (ms). */
  private extendedMs = 0;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly log: (msg: string) => void;
  /** Whether anyone reads `log`: then each request is described. */
  private readonly verbose: boolean;
  private readonly userAgent: string;
  /** Number of HTTP exchanges sent (each retry and redirect counts). */
  requestCount = 0;

  constructor(opts: TransportOptions) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.deadline = Date.now() + this.timeoutMs;
    this.retries = opts.retries ?? 3;
    this.retryBaseMs = opts.retryBaseMs ?? 300;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
    this.log = opts.verbose ?? (() => {});
    this.verbose = opts.verbose !== undefined;
    this.userAgent = opts.userAgent ?? "kompat/0.1.0";
    let ca: string[] | undefined;
    if (opts.caFile !== undefined && opts.connectionsOf === undefined) {
      let pem: string;
      try {
        // Bounded: a CA bundle is small; /dev/zero or an endless FIFO must not grow us.
        pem = readFileBoundedSync(opts.caFile, { maxBytes: MAX_CA_FILE_BYTES }).toString("utf8");
      } catch (e) {
        const reason = e instanceof FileReadError ? e.reason : fsReason(e);
        throw new RegistryError(`cannot read --ca-file ${opts.caFile}: ${reason}`);
      }
      if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        throw new RegistryError(`--ca-file ${opts.caFile} holds no PEM certificate`);
      }
      ca = [...process.getBuiltinModule("node:tls").rootCertificates, pem];
    }
    const tls: TlsOptions = {
      ...(ca ? { ca, caFile: opts.caFile as string } : {}),
      ...(opts.insecure ? { rejectUnauthorized: false } : {}),
    };
    this.agents = opts.connectionsOf?.agents ?? new Agents(tls);
    this.ownsAgents = opts.connectionsOf === undefined;
    try {
      this.proxies = proxyConfigFromEnv(opts.env);
    } catch (e) {
      throw e instanceof ProxyError ? new RegistryError(e.message) : e;
    }
  }

  async close(): Promise<void> {
    if (this.ownsAgents) this.agents.close();
  }

  /** Milliseconds left before the deadline (for other work under it: credential helpers). */
  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** Bytes moved earn time: large transfers (copy) are bounded by their size, not cut off. */
  private moved(bytes: number): void {
    const ms = (bytes / MIB) * MS_PER_MIB;
    this.extendedMs += ms;
    this.deadline += ms;
  }

  private deadlineText(): string {
    const extended =
      this.extendedMs >= 100
        ? `, extended by ${seconds(this.extendedMs)} s for the bytes moved`
        : "";
    return `its ${seconds(this.timeoutMs)} s deadline${extended}`;
  }

  private pastDeadline(where: string): RegistryError {
    return new RegistryError(
      `${where}: timed out (the registry work passed ${this.deadlineText()})`,
      where.replace(/^\S+ /, ""),
    );
  }

  /** Waits `ms` unless that would pass the deadline: then fails at once, saying why. */
  private async waitBeforeRetry(ms: number, where: string, why: string): Promise<void> {
    if (ms >= this.remainingMs())
      throw new RegistryError(
        `${where}: ${why}; retrying in ${seconds(ms)} s would pass ${this.deadlineText().replace(/^its /, "the ")} (timed out)`,
        where.replace(/^\S+ /, ""),
      );
    this.log(`${where}: ${why}; retrying in ${ms} ms`);
    await sleep(ms);
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
          await this.waitBeforeRetry(
            this.backoff(attempt),
            `${req.method} ${safeUrl(req.url)}`,
            e.message,
          );
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
      await this.waitBeforeRetry(wait, `${req.method} ${safeUrl(res.url)}`, `${res.status}`);
    }
  }

  private backoff(attempt: number): number {
    const base = this.retryBaseMs * 2 ** attempt;
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private async followRedirects(req: HttpRequest): Promise<HttpResponse> {
    let url = new URL(req.url);
    const origin = url.origin;
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
    const left = this.remainingMs();
    // Made only when a message needs it: most requests print nothing.
    const where = () => `${method} ${safeUrl(url)}`;
    if (left <= 0) throw this.pastDeadline(where());
    let proxy;
    try {
      proxy = proxyFor(this.proxies, url);
    } catch (e) {
      throw e instanceof ProxyError ? new RegistryError(`${where()}: ${e.message}`) : e;
    }
    this.requestCount++;
    if (this.verbose)
      this.log(`${where()}${proxy ? ` via ${safeUrl(proxy.url)} (${proxy.variable})` : ""}`);
    try {
      const res = await exchange(this.agents, {
        method,
        url,
        headers: { "user-agent": this.userAgent, ...lowerCase(headers) },
        body,
        maxBytes,
        deadline: () => this.deadline,
        moved: (n) => this.moved(n),
        proxy,
      });
      return { ...res, url: url.toString() };
    } catch (e) {
      if (e instanceof DeadlineError) throw this.pastDeadline(where());
      throw e;
    }
  }
}

function lowerCase(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
