// Requests to the API server with the credentials client-node works out (a bearer token,
// a client certificate, an exec plugin's answer, OIDC), over node's own https so that
// pages can be streamed, bounded and timed out, and every failure gets its own message.

import * as http from "node:http";
import * as https from "node:https";
import { ClusterError } from "./errors.js";
import { loadKubeconfig, type KubeconfigOptions, type LoadedConfig } from "./kubeconfig.js";

export interface ClusterOptions extends KubeconfigOptions {
  /** Per request; a silent API server is an error after this long (default 30 s). */
  timeoutMs?: number;
  /** Called with one line per request (-v). */
  verbose?: (line: string) => void;
}

/** What a request is for, in kubectl's words: `list nodefeatures.nfd.k8s-sigs.io`. */
export interface Action {
  verb: string;
  resource: string;
  /** " in all namespaces", " in namespace x", "" */
  scope?: string;
}

export interface RequestOptions {
  method?: string;
  body?: string;
  contentType?: string;
  accept?: string;
  /** Statuses the caller handles itself (not turned into errors). */
  allow?: number[];
  /** Largest body accepted. */
  maxBytes?: number;
  /** A 2xx body goes here chunk by chunk, not into Answer.body (it may throw to abort). */
  sink?: (chunk: Buffer) => void;
}

export interface Answer {
  status: number;
  body: string;
}

/** An API page is a few tens of MB at most; anything far larger is refused, not buffered. */
export const MAX_RESPONSE_BYTES = 256 << 20;

export class Cluster {
  private constructor(
    readonly loaded: LoadedConfig,
    private readonly timeoutMs: number,
    private readonly verbose: ((line: string) => void) | undefined,
  ) {}

  static async connect(opts: ClusterOptions): Promise<Cluster> {
    const loaded = await loadKubeconfig(opts);
    return new Cluster(loaded, opts.timeoutMs ?? 30_000, opts.verbose);
  }

  /** `context "x" (https://…)` for messages. */
  get where(): string {
    return `the API server ${this.loaded.server} (context "${this.loaded.context}")`;
  }

  async request(path: string, action: Action, opts: RequestOptions = {}): Promise<Answer> {
    const req: https.RequestOptions = { headers: {} };
    try {
      await this.loaded.config.applyToHTTPSOptions(req);
    } catch (e) {
      const msg = (e instanceof Error ? e.message : String(e)).trim().split("\n")[0] ?? "";
      if (/HTTP protocol is not allowed/.test(msg))
        throw new ClusterError(
          `${this.where} is plain http: refused unless the cluster sets insecure-skip-tls-verify in the kubeconfig (tokens would cross the network in clear)`,
        );
      throw new ClusterError(
        `getting credentials for user "${this.loaded.user}" (${this.loaded.source}) failed: ${msg || "no reason given"}`,
      );
    }
    const base = new URL(this.loaded.server);
    const url = new URL(base.pathname.replace(/\/$/, "") + path, base);
    const headers = req.headers as Record<string, string>;
    headers["Accept"] = opts.accept ?? "application/json";
    headers["User-Agent"] = "kompat";
    if (opts.body !== undefined) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(opts.body));
    }
    const method = opts.method ?? "GET";
    this.verbose?.(`${method} ${url.pathname}${url.search}`);
    const answer = await this.send(url, { ...req, method, headers }, opts, action);
    if (answer.status >= 200 && answer.status < 300) return answer;
    if (opts.allow?.includes(answer.status)) return answer;
    throw this.failure(answer, action);
  }

  private send(
    url: URL,
    req: https.RequestOptions,
    opts: RequestOptions,
    action: Action,
  ): Promise<Answer> {
    const max = opts.maxBytes ?? MAX_RESPONSE_BYTES;
    const lib = url.protocol === "http:" ? http : https;
    return new Promise<Answer>((resolve, reject) => {
      const r = lib.request(url, req, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const status = res.statusCode ?? 0;
        const sink = status >= 200 && status < 300 ? opts.sink : undefined;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > max) {
            res.destroy();
            reject(
              new ClusterError(
                `${describe(action)}: the answer of ${this.where} is larger than ${max} bytes (use a smaller --chunk-size)`,
              ),
            );
            return;
          }
          if (!sink) {
            chunks.push(c);
            return;
          }
          try {
            sink(c);
          } catch (e) {
            res.destroy();
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (e) => reject(this.unreachable(e, action)));
      });
      r.setTimeout(this.timeoutMs, () =>
        r.destroy(
          Object.assign(new Error(`no answer within ${this.timeoutMs / 1000}s`), {
            code: "ETIMEDOUT",
          }),
        ),
      );
      r.on("error", (e) => reject(this.unreachable(e, action)));
      if (opts.body !== undefined) r.end(opts.body);
      else r.end();
    });
  }

  private unreachable(e: Error, action: Action): ClusterError {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code)) {
      return new ClusterError(
        `${describe(action)}: the TLS certificate of ${this.where} is not trusted (${e.message}); ` +
          `set certificate-authority(-data) for the cluster in the kubeconfig`,
      );
    }
    return new ClusterError(
      `${describe(action)}: cannot reach ${this.where}: ${code ? `${code} ` : ""}${e.message}; ` +
        `check that the cluster is up and the kubeconfig's server address`,
    );
  }

  private failure(a: Answer, action: Action): ClusterError {
    const said = statusMessage(a.body);
    const what = describe(action);
    switch (a.status) {
      case 401:
        return new ClusterError(
          `${what}: ${this.where} rejected the credentials of user "${this.loaded.user}" (401 Unauthorized${said ? `: ${said}` : ""}); ` +
            `the token or client certificate is missing, invalid or expired: log in again or refresh the kubeconfig`,
          401,
        );
      case 403:
        return new ClusterError(
          `${what}: forbidden (403) for user "${this.loaded.user}"${said ? `: ${said}` : ""}; ` +
            `a cluster administrator must grant "${action.verb}" on ${action.resource} (see RBAC in kompat's docs/kubernetes.md)`,
          403,
        );
      default:
        return new ClusterError(
          `${what}: ${this.where} answered ${a.status}${said ? `: ${said}` : ""}`,
          a.status,
        );
    }
  }
}

export function describe(action: Action): string {
  return `${action.verb} ${action.resource}${action.scope ?? ""}`;
}

/** The `message` of a Kubernetes Status body, if it is one. */
export function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { kind?: unknown; message?: unknown };
    if (typeof s.message === "string") return s.message.slice(0, 500);
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}
