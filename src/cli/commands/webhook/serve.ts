// `kompat webhook serve`: the admission webhook over HTTPS until SIGTERM. Flags parsed here;
// the server, cache and admission logic are webhook/'s.

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseFlags, parseDuration } from "../../flags.js";
import { UserError, type Io } from "../../io.js";
import { clientOptions, REGISTRY_FLAGS, registryHelp } from "../../registry-flags.js";
import { clusterCall, connect } from "../cluster/common.js";

const HELP = `Usage: kompat webhook serve --tls-cert FILE --tls-key FILE [options]

Serves the mutating admission webhook: POST /mutate takes an AdmissionReview v1 for a Pod
CREATE and answers with a JSON Patch adding the node affinity its images' specs need (and
makes sure each image's NodeFeatureRule exists, as 'cluster label --apply'). Also /healthz,
/readyz (API server and certificate usable) and /metrics (Prometheus). Logs are JSON lines
on stderr. Stops on SIGTERM or SIGINT.

  --tls-cert FILE             server certificate (PEM); re-read when the file changes
  --tls-key FILE              its private key (PEM)
  --port N                    (default 8443; 0 picks a free one)
  --address ADDR              listen address (default 0.0.0.0)
  --deadline DURATION         answer within this, whatever the registry does (default 3s)
  --fail-closed               deny a pod whose spec cannot be had in time (default: admit
                              it unchanged with a warning)
  --allow-registry GLOB       only contact registries matching (repeatable; * within a name,
                              e.g. *.example.com, 127.0.0.1:5000); default: all
  --max-request-bytes N       larger reviews are refused with 413 (default 4194304)
  --tag-ttl DURATION          how long a tag's answer is believed (default 5m)
  --digest-ttl DURATION       how long an answer for an image by digest is believed; a
                              spec attached to it later is used after that (default 30m)
  --negative-ttl DURATION     how long "no compatibility artifact" is believed (default 1m)
  --cache-entries N           images remembered in memory (default 1000)
  --cert-poll DURATION        how often the certificate files are checked (default 10s)

Cluster access (as kubectl):
  --kubeconfig FILE, --context NAME, --request-timeout DURATION (default 30s)
  in a pod: the service account

${registryHelp("log each registry request on stderr")}`;

const OPTIONS = {
  ...REGISTRY_FLAGS,
  kubeconfig: { type: "string" },
  context: { type: "string" },
  "request-timeout": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  port: { type: "string" },
  address: { type: "string" },
  deadline: { type: "string" },
  "fail-closed": { type: "boolean" },
  "allow-registry": { type: "string", multiple: true },
  "max-request-bytes": { type: "string" },
  "tag-ttl": { type: "string" },
  "digest-ttl": { type: "string" },
  "negative-ttl": { type: "string" },
  "cache-entries": { type: "string" },
  "cert-poll": { type: "string" },
} as const;

function wholeNumber(v: string | undefined, flag: string, min: number, max: number) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max)
    throw new UserError(`${flag} ${v}: expected a whole number from ${min} to ${max}`);
  return n;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "webhook serve");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  if (f.image !== undefined || f.platform !== undefined)
    throw new UserError("webhook serve: images come from the pods; no --image or --platform");
  const certFile = f["tls-cert"];
  const keyFile = f["tls-key"];
  if (certFile === undefined || keyFile === undefined)
    throw new UserError("webhook serve: --tls-cert FILE and --tls-key FILE are required");
  const port = wholeNumber(f.port, "--port", 0, 65535) ?? 8443;
  const deadlineMs = parseDuration(f.deadline ?? "3s", "--deadline", 29_000);
  // Every flag is checked before anything is contacted: a typo is named, not a kubeconfig.
  const memory = {
    tagTtlMs: parseDuration(f["tag-ttl"] ?? "5m", "--tag-ttl"),
    digestTtlMs: parseDuration(f["digest-ttl"] ?? "30m", "--digest-ttl"),
    negativeTtlMs: parseDuration(f["negative-ttl"] ?? "1m", "--negative-ttl"),
    maxEntries: wholeNumber(f["cache-entries"], "--cache-entries", 1, 1_000_000) ?? 1000,
  };
  const client = await clientOptions(f, io, "webhook serve");
  // The memory cache is the webhook's cache: no disk (a read-only root in the pod).
  client.noCache = true;
  client.timeoutMs ??= 30_000;
  const { SpecSource } = await import("../../../webhook/specs.js");
  const { startWebhook } = await import("../../../webhook/server.js");
  const { applyNodeFeatureRule } = await import("../../../k8s/apply.js");
  for (const [flag, file] of [
    ["--tls-cert", certFile],
    ["--tls-key", keyFile],
  ] as const) {
    try {
      const text = readFileSync(file, "utf8");
      if (flag === "--tls-cert") new X509Certificate(text);
    } catch (e) {
      const m = (e as Error).message.split("\n")[0];
      throw new UserError(`${flag} ${file}: ${m}`);
    }
  }
  const cluster = await connect(f, io);
  const specs = new SpecSource({
    client,
    ...(f["allow-registry"] ? { allowRegistries: f["allow-registry"] } : {}),
    ...memory,
  });
  // Lines of one event-loop turn leave in one write: under load a write per admission was
  // a tenth of the webhook's CPU (stderr is synchronous on a pipe or file).
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    io.stderr(text);
  };
  const log = (e: Record<string, unknown>) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
    if (pending.length >= 256) flush();
  };
  let server;
  try {
    server = await startWebhook({
      certFile,
      keyFile,
      host: f.address ?? "0.0.0.0",
      port,
      specs,
      deadlineMs,
      failClosed: f["fail-closed"] ?? false,
      maxBodyBytes:
        wholeNumber(f["max-request-bytes"], "--max-request-bytes", 1024, 64 << 20) ?? 4 << 20,
      certPollMs: parseDuration(f["cert-poll"] ?? "10s", "--cert-poll"),
      applyRule: async (rule) => {
        await clusterCall(() => applyNodeFeatureRule(cluster, rule));
      },
      apiReady: async () => {
        await clusterCall(() =>
          cluster.request("/apis/nfd.k8s-sigs.io/v1alpha1", {
            verb: "get",
            resource: "nfd.k8s-sigs.io/v1alpha1 discovery",
          }),
        );
      },
      log,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE" || err.code === "EACCES" || err.code === "EADDRNOTAVAIL")
      throw new UserError(
        `webhook serve: cannot listen on ${f.address ?? "0.0.0.0"}:${port}: ${err.code}`,
      );
    throw new UserError(`webhook serve: ${err.message.split("\n")[0]}`);
  }
  log({ msg: "listening", url: server.url, deadlineMs, cluster: cluster.where });
  const signal = await new Promise<string>((ok) => {
    process.once("SIGTERM", () => ok("SIGTERM"));
    process.once("SIGINT", () => ok("SIGINT"));
  });
  log({ msg: "stopping", signal });
  flush();
  await server.close();
  return 0;
}
