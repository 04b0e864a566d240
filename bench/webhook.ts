// The admission webhook under load: `kompat webhook serve` as its own process, autocannon
// on loopback (32 connections), reviews of a pod with two images whose specs sit on the
// real Distribution registry. Warm cache: requests/s, p50/p99, errors. Then the same with
// the registry stopped halfway (tag answers expire every second, so the webhook keeps
// asking): errors and the slowest answer against the deadline.
// autocannon and the API server fake share this process, not the webhook's; after the
// 1 s warm-up the fake is idle (each image's rule is applied once), and the webhook's
// log is drained unread. KOMPAT_BENCH_WEBHOOK_SECONDS sets each run's length (default 20).

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { FakeApiServer, kubeconfigFor } from "../test/helpers/apiserver.js";
import {
  haveDistribution,
  startDistribution,
  type Distribution,
} from "../test/helpers/registry.js";
import { testTls } from "../test/helpers/tls.js";
import { Raw } from "../test/oci/raw.js";
import { replicaSetPod, review, PLATFORM } from "../test/webhook/helpers.js";
import { wallMs } from "./process.js";
import { REPO, fmt, line } from "./util.js";

const SECONDS = Number(process.env.KOMPAT_BENCH_WEBHOOK_SECONDS ?? "20");
const DEADLINE_MS = 3000;

async function serve(
  env: NodeJS.ProcessEnv,
  extra: string[],
): Promise<{ url: string; child: ChildProcess }> {
  const tls = await testTls();
  const bin = join(REPO, "bin/kompat");
  const child = spawn(
    bin,
    ["webhook", "serve", "--tls-cert", tls.certFile, "--tls-key", tls.keyFile, "--port", "0",
     "--address", "127.0.0.1", "--plain-http", "--deadline", `${DEADLINE_MS}ms`, ...extra],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  ); // prettier-ignore
  const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  const url = await new Promise<string>((ok, fail) => {
    lines.on("line", (l) => {
      const e = JSON.parse(l) as { msg?: string; url?: string };
      if (e.msg === "listening") ok(String(e.url));
    });
    child.once("exit", (code) => fail(new Error(`webhook serve exited ${code}`)));
  });
  // The admission log is drained unread: parsing it here would take CPU from the load
  // generator, and a pipe left full would block the webhook's (synchronous) stderr.
  lines.close();
  child.stderr?.resume();
  return { url, child };
}

function load(url: string, body: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((ok, fail) => {
    autocannon(
      {
        url: `${url}/mutate`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        connections: 32,
        duration: seconds,
        timeout: 10,
      },
      (err, res) => (err ? fail(err) : ok(res)),
    );
  });
}

function report(what: string, r: autocannon.Result): void {
  line(
    what,
    `${fmt(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, ${r.errors + r.non2xx} errors (${r.errors} connection, ${r.non2xx} non-2xx) of ${r.requests.total}`,
  );
}

export async function benchWebhook(): Promise<void> {
  if (!haveDistribution()) {
    line("webhook", "skipped: docker-registry not installed");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "kompat-bench-webhook-"));
  let reg: Distribution | undefined;
  const api = await FakeApiServer.start({ tokens: { t0k3n: "bench" } });
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    kubeconfigFor(api.url, api.tls.caFile, [{ name: "b", token: "t0k3n" }]),
  );
  const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig, XDG_CACHE_HOME: dir };
  const children: ChildProcess[] = [];
  try {
    reg = await startDistribution();
    const raw = new Raw(reg.url);
    const images: string[] = [];
    for (const repo of ["bench/app", "bench/sidecar"]) {
      await raw.pushImage(repo, "v1", [PLATFORM]);
      const image = `${reg.host}/${repo}:v1`;
      wallMs(join(REPO, "bin/kompat"), ["attach", "--image", image, "--spec",
        join(REPO, "examples/compat-spec.yaml"), "--plain-http", "--platform", PLATFORM], env); // prettier-ignore
      images.push(image);
    }
    await raw.close();
    const pod = replicaSetPod(images.map((image, i) => ({ name: `c${i}`, image })));
    const body = JSON.stringify(review(pod).body);

    const warm = await serve(env, []);
    children.push(warm.child);
    await load(warm.url, body, 1); // fills the cache, applies the rules
    report(`webhook, warm cache, 32 connections, ${SECONDS}s`, await load(warm.url, body, SECONDS));

    const outage = await serve(env, ["--tag-ttl", "1s"]);
    children.push(outage.child);
    await load(outage.url, body, 1);
    const stopped = reg;
    const half = setTimeout(() => void stopped.stop(), (SECONDS * 1000) / 2);
    const r = await load(outage.url, body, SECONDS);
    clearTimeout(half);
    reg = undefined;
    report(`webhook, registry stopped at ${SECONDS / 2}s`, r);
    line(
      "  every answer within the deadline",
      r.latency.max < DEADLINE_MS
        ? `yes (max ${r.latency.max} ms < ${DEADLINE_MS} ms)`
        : `NO (max ${r.latency.max} ms)`,
    );
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await reg?.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
