// One HTTP exchange over Node's own http/https (keep-alive agents; a proxy agent loaded only
// when a proxy applies), with the body capped and a deadline, and failures in words that
// name the host, the proxy or the flag to change. Redirects and retries are transport.ts's.

import type { Agent, IncomingMessage } from "node:http";
import { RegistryError, printable, safeUrl } from "./errors.js";
import type { ProxyChoice } from "./proxy.js";

export interface TlsOptions {
  ca?: string[];
  rejectUnauthorized?: boolean;
  /** The --ca-file the CA came from, for messages. */
  caFile?: string;
}

export interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  maxBytes: number;
  /** When the deadline falls (ms since the epoch); it may move later while bytes move. */
  deadline: () => number;
  /** Called with the bytes this exchange moved (both ways) since the last call. */
  moved: (bytes: number) => void;
  proxy: ProxyChoice | undefined;
}

export interface ExchangeResult {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A dropped connection: the transport may retry it. */
export class RetryableNetworkError extends Error {}

/** The deadline passed during the exchange. */
export class DeadlineError extends Error {}

type ProxyAgentFactory = (proxy: URL, target: "http:" | "https:", tls: TlsOptions) => Agent;

/** What an exchange uses of node:http and node:https. */
export type HttpModule = Pick<typeof import("node:http"), "Agent" | "request">;

// node:https (and with it node:tls) loads only for an https:// URL: a plain-HTTP run never
// pays for it. Neither module can be in the start-up snapshot (node 20 cannot load node:http
// while building one), so both load from node's own code at first use.
let modules = {
  http: (): HttpModule => process.getBuiltinModule("node:http"),
  https: (): HttpModule => process.getBuiltinModule("node:https"),
};
const http = () => modules.http();
const https = () => modules.https();

/**
 * Runs `fn` with `stand` in place of node:http and node:https. Only for the start-up
 * snapshot's warm-up, which runs the registry code against an in-memory registry so that
 * the blob keeps it compiled, where node:http cannot load.
 */
export async function withHttpModule<T>(stand: HttpModule, fn: () => Promise<T>): Promise<T> {
  const real = modules;
  modules = { http: () => stand, https: () => stand };
  try {
    return await fn();
  } finally {
    modules = real;
  }
}

/** Keep-alive agents, made on first use; proxy agents per proxy and target scheme. */

export class Agents {
  private http: Agent | undefined;
  private https: Agent | undefined;
  private readonly viaProxy = new Map<string, Agent>();
  private proxyFactory: ProxyAgentFactory | undefined;

  constructor(readonly tls: TlsOptions) {}

  async forRequest(url: URL, proxy: ProxyChoice | undefined): Promise<Agent> {
    const target = url.protocol === "https:" ? "https:" : "http:";
    if (proxy === undefined) {
      if (target === "http:") return (this.http ??= new (http().Agent)({ keepAlive: true }));
      return (this.https ??= new (https().Agent)({ keepAlive: true, ...tlsOf(this.tls) }));
    }
    const key = `${target} ${proxy.url.href}`;
    let agent = this.viaProxy.get(key);
    if (agent === undefined) {
      this.proxyFactory ??= await loadProxyAgents();
      agent = this.proxyFactory(proxy.url, target, this.tls);
      this.viaProxy.set(key, agent);
    }
    return agent;
  }

  close(): void {
    this.http?.destroy();
    this.https?.destroy();
    for (const a of this.viaProxy.values()) a.destroy();
  }
}

function tlsOf(t: TlsOptions): { ca?: string[]; rejectUnauthorized?: boolean } {
  return {
    ...(t.ca ? { ca: t.ca } : {}),
    ...(t.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
}

// The proxy agents (and their `debug` dependency) load only when a proxy applies.
async function loadProxyAgents(): Promise<ProxyAgentFactory> {
  const [{ HttpsProxyAgent }, { HttpProxyAgent }] = await Promise.all([
    import("https-proxy-agent"),
    import("http-proxy-agent"),
  ]);
  return (proxy, target, tls) => {
    const agent =
      target === "https:"
        ? new HttpsProxyAgent(proxy, { keepAlive: true, ...tlsOf(tls) })
        : new HttpProxyAgent(proxy, { keepAlive: true, ...tlsOf(tls) });
    // agent-base guesses http or https from the caller's stack trace, which the start-up
    // snapshot changes ("Protocol https: not supported"): say which it is.
    agent.protocol = target;
    return agent;
  };
}

export async function exchange(agents: Agents, x: Exchange): Promise<ExchangeResult> {
  const agent = await agents.forRequest(x.url, x.proxy);
  const send = x.url.protocol === "https:" ? https().request : http().request;
  return new Promise<ExchangeResult>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      report();
      f();
    };
    const fail = (e: Error) => settle(() => reject(e));
    const req = send(x.url, {
      method: x.method,
      headers: x.headers,
      agent,
      ...(x.url.protocol === "https:" ? tlsOf(agents.tls) : {}),
    });
    // Bytes moved on this request's socket (a kept-alive socket counts from where it stood),
    // reported to the transport, whose deadline they extend.
    let socket: { bytesRead: number; bytesWritten: number } | undefined;
    let counted = 0;
    const report = () => {
      if (socket === undefined) return;
      const total = socket.bytesRead + socket.bytesWritten;
      if (total > counted) x.moved(total - counted);
      counted = total;
    };
    req.on("socket", (s) => {
      socket = s;
      counted = s.bytesRead + s.bytesWritten;
    });
    // At the deadline, the bytes moved since may have pushed it later: then wait on.
    let timer: NodeJS.Timeout;
    const arm = () => {
      timer = setTimeout(
        () => {
          report();
          if (x.deadline() > Date.now()) return arm();
          fail(new DeadlineError("deadline"));
          req.destroy();
        },
        Math.max(0, x.deadline() - Date.now()),
      );
    };
    arm();
    req.on("error", (e) => fail(networkError(e, x, agents.tls)));
    req.on("response", (res: IncomingMessage) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      const status = res.statusCode ?? 0;
      const length = Number(headers["content-length"]);
      if (Number.isFinite(length) && length > x.maxBytes && x.method !== "HEAD") {
        req.destroy();
        return fail(tooLarge(x, `${length} bytes announced`));
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on("data", (b: Buffer) => {
        total += b.byteLength;
        if (total > x.maxBytes) {
          req.destroy();
          return fail(tooLarge(x, "more sent"));
        }
        chunks.push(b);
      });
      res.on("error", (e) => fail(networkError(e, x, agents.tls)));
      res.on("aborted", () =>
        fail(new RetryableNetworkError(`${where(x)}: connection lost (the answer was cut off)`)),
      );
      res.on("end", () => {
        const body = new Uint8Array(Buffer.concat(chunks));
        if (x.url.protocol === "http:" && status === 400 && speaksHttps(body))
          return fail(
            new RegistryError(
              `${where(x)}: ${x.url.host} speaks HTTPS, not plain HTTP; drop --plain-http`,
              safeUrl(x.url),
              400,
            ),
          );
        settle(() => resolve({ status, headers, body }));
      });
    });
    req.end(
      x.body === undefined
        ? undefined
        : Buffer.from(x.body.buffer, x.body.byteOffset, x.body.byteLength),
    );
  });
}

/** Go's HTTPS servers (Distribution) answer plain HTTP with this 400. */
function speaksHttps(body: Uint8Array): boolean {
  return /HTTP request to an HTTPS server/i.test(Buffer.from(body.subarray(0, 200)).toString());
}

const where = (x: Exchange) => `${x.method} ${safeUrl(x.url)}`;

function tooLarge(x: Exchange, detail: string): RegistryError {
  return new RegistryError(
    `${where(x)}: response exceeds the ${formatBytes(x.maxBytes)} limit (${detail})`,
    safeUrl(x.url),
  );
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function networkError(e: unknown, x: Exchange, tls: TlsOptions): Error {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? "";
  const at = where(x);
  const url = safeUrl(x.url);
  const host = x.url.host;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code)) {
    const hint =
      tls.caFile !== undefined
        ? `the CA in --ca-file ${tls.caFile} did not sign it; give the CA that did, or --insecure`
        : "pass --ca-file FILE with its CA, or --insecure";
    return new RegistryError(
      `${at}: TLS certificate of ${host} is not trusted (${code}); ${hint}`,
      url,
    );
  }
  if (
    /EPROTO|WRONG_VERSION_NUMBER|PACKET_LENGTH/.test(code) ||
    /wrong version number/i.test(err.message ?? "")
  )
    return new RegistryError(
      `${at}: TLS handshake failed (does ${host} speak plain HTTP? then use --plain-http)`,
      url,
    );
  // Where a proxy is used, a failure to connect is the proxy's, and says so.
  const through = x.proxy && `the proxy ${safeUrl(x.proxy.url)} (from ${x.proxy.variable})`;
  if (code === "ECONNREFUSED")
    return new RegistryError(
      through
        ? `${at}: cannot connect to ${through}: connection refused`
        : `${at}: connection refused`,
      url,
    );
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new RegistryError(
      through
        ? `${at}: cannot connect to ${through}: host ${x.proxy?.url.hostname} not found`
        : `${at}: host ${x.url.hostname} not found`,
      url,
    );
  if (code === "ECONNRESET" || code === "EPIPE")
    return new RetryableNetworkError(`${at}: connection lost (${code})`);
  const msg = printable(err.message ?? String(e), 200);
  return new RegistryError(through ? `${at} through ${through}: ${msg}` : `${at}: ${msg}`, url);
}
