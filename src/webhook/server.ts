// The webhook's HTTPS server: POST /mutate (AdmissionReview v1), /healthz, /readyz,
// /metrics. Certificate and key are re-read when their files change (cert-manager rotates
// them in place); a bad request gets a 4xx with a message, never a crash.

import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Metrics } from "./metrics.js";
import { mutate, parseReview, ReviewError, type AppliedRule, type MutateDeps } from "./mutate.js";

export interface WebhookOptions extends MutateDeps {
  certFile: string;
  keyFile: string;
  host: string;
  port: number;
  /** Largest review accepted (default 4 MiB; the API server's own objects stay under 3). */
  maxBodyBytes?: number;
  /** How often the certificate files are checked for a change (default 10 s). */
  certPollMs?: number;
  /** Rejects when the API server cannot be used. */
  apiReady: () => Promise<void>;
  /** One JSON object per line. */
  log: (entry: Record<string, unknown>) => void;
}

export interface RunningWebhook {
  url: string;
  port: number;
  metrics: Metrics;
  /** Re-reads the certificate now if its files changed; true when it was replaced. */
  reloadCertificate(): boolean;
  close(): Promise<void>;
}

interface Loaded {
  cert: string;
  key: string;
  stamp: string;
  notAfter: number;
}

function loadPair(certFile: string, keyFile: string): Loaded {
  const stamp = [certFile, keyFile]
    .map((f) => {
      const s = statSync(f);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    })
    .join("|");
  const cert = readFileSync(certFile, "utf8");
  const key = readFileSync(keyFile, "utf8");
  const notAfter = Date.parse(new X509Certificate(cert).validTo);
  return { cert, key, stamp, notAfter };
}

function stampOf(certFile: string, keyFile: string): string | undefined {
  try {
    return [certFile, keyFile]
      .map((f) => {
        const s = statSync(f);
        return `${s.mtimeMs}:${s.size}:${s.ino}`;
      })
      .join("|");
  } catch {
    return undefined;
  }
}

export async function startWebhook(o: WebhookOptions): Promise<RunningWebhook> {
  let pair = loadPair(o.certFile, o.keyFile);
  const metrics = new Metrics();
  const maxBody = o.maxBodyBytes ?? 4 << 20;
  const applied = o.applied ?? new Map<string, AppliedRule>();
  const deps: MutateDeps = { ...o, applied };

  const send = (
    res: import("node:http").ServerResponse,
    code: number,
    body: string,
    type = "application/json",
  ) => {
    if (res.headersSent) return;
    res.writeHead(code, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  };
  const problem = (res: import("node:http").ServerResponse, code: number, message: string) =>
    send(res, code, `${JSON.stringify({ error: message })}\n`);

  const server = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return send(res, 200, "ok\n", "text/plain");
    if (path === "/metrics")
      return send(res, 200, metrics.render(o.specs), "text/plain; version=0.0.4");
    if (path === "/readyz") {
      if (pair.notAfter <= Date.now()) return send(res, 503, "certificate expired\n", "text/plain");
      o.apiReady().then(
        () => send(res, 200, "ok\n", "text/plain"),
        (e: unknown) =>
          send(
            res,
            503,
            `API server: ${e instanceof Error ? e.message : String(e)}\n`,
            "text/plain",
          ),
      );
      return;
    }
    if (path !== "/mutate") return problem(res, 404, `no such path ${path?.slice(0, 100)}`);
    if (req.method !== "POST") return problem(res, 405, "POST an AdmissionReview to /mutate");
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    // An oversized review is read to its end and dropped (never buffered), then refused:
    // answering mid-upload would reset the connection before the client reads why.
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = Number(req.headers["content-length"] ?? "0") > maxBody;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBody) refused = true;
      if (!refused) chunks.push(c);
      else chunks.length = 0;
    });
    req.on("error", () => undefined);
    req.on("end", () => {
      if (refused) {
        metrics.admitted("bad_request", seconds());
        return problem(res, 413, `the review is larger than ${maxBody} bytes`);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch (e) {
        metrics.admitted("bad_request", seconds());
        return problem(res, 400, `the body is not JSON: ${(e as Error).message}`);
      }
      let request;
      try {
        request = parseReview(body);
      } catch (e) {
        metrics.admitted("bad_request", seconds());
        return problem(res, 400, (e as Error).message);
      }
      mutate(request, deps).then(
        (r) => {
          const s = seconds();
          metrics.admitted(r.outcome, s);
          o.log({
            msg: "admission",
            uid: request.uid,
            namespace: request.namespace,
            outcome: r.outcome,
            images: r.images,
            ms: Math.round(s * 1000),
            ...(r.response.warnings ? { warnings: r.response.warnings } : {}),
          });
          send(
            res,
            200,
            JSON.stringify({
              apiVersion: "admission.k8s.io/v1",
              kind: "AdmissionReview",
              response: r.response,
            }),
          );
        },
        (e: unknown) => {
          metrics.admitted("bad_request", seconds());
          if (e instanceof ReviewError) return problem(res, 400, e.message);
          o.log({ msg: "internal error", uid: request.uid, error: String(e) });
          problem(res, 500, "internal error");
        },
      );
    });
  });
  server.on("tlsClientError", () => undefined);
  server.on("clientError", (_e, socket) => socket.destroy());
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const reloadCertificate = (): boolean => {
    const stamp = stampOf(o.certFile, o.keyFile);
    if (stamp === undefined || stamp === pair.stamp) return false;
    try {
      const next = loadPair(o.certFile, o.keyFile);
      server.setSecureContext({ cert: next.cert, key: next.key });
      pair = next;
      o.log({ msg: "certificate reloaded", notAfter: new Date(next.notAfter).toISOString() });
      return true;
    } catch (e) {
      // Half-written files (cert before key): keep serving the old pair, try again later.
      o.log({ msg: "certificate reload failed", error: (e as Error).message });
      return false;
    }
  };
  const poll = setInterval(reloadCertificate, o.certPollMs ?? 10_000);
  poll.unref();

  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(o.port, o.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return {
    url: `https://${host}:${port}`,
    port,
    metrics,
    reloadCertificate,
    close: () =>
      new Promise<void>((ok) => {
        clearInterval(poll);
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
