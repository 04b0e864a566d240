// A real registry for tests: Debian's `docker-registry` (Distribution 2.8) as a child process
// on a free loopback port, with its own config, storage, htpasswd file and TLS certificate in
// a temp dir. It has no referrers API and no token service (see testserver.ts for those).

import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { testTls } from "./tls.js";

const run = promisify(execFile);

export const REGISTRY_BINARY = process.env.KOMPAT_TEST_REGISTRY ?? "/usr/bin/docker-registry";

export interface Distribution {
  /** `http(s)://127.0.0.1:port` */
  url: string;
  /** `127.0.0.1:port`, as in an image reference. */
  host: string;
  /** The CA that signed the server certificate (tls only). */
  caFile?: string;
  ca?: string;
  /** The process's output so far, for failure messages. */
  log(): string;
  /** The registry's process id (benchmarks read its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Whether the registry binary is installed (tests skip with a reason otherwise). */
export function haveDistribution(): boolean {
  return existsSync(REGISTRY_BINARY);
}

const running = new Set<ChildProcess>();
const killAll = () => {
  for (const p of running) p.kill("SIGKILL");
};
process.once("exit", killAll);
// "exit" does not run when the test runner kills this process: stop the registries, then die
// of the same signal.
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig);
  });
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
}

async function htpasswd(file: string, username: string, password: string): Promise<void> {
  let out: string;
  try {
    ({ stdout: out } = await run("htpasswd", ["-Bbn", username, password]));
  } catch (e) {
    throw new Error(`htpasswd failed (is apache2-utils installed?): ${(e as Error).message}`, {
      cause: e,
    });
  }
  await writeFile(file, out);
  // Distribution silently creates a missing file with a random user: make sure ours is there.
  if ((await stat(file)).size === 0) throw new Error(`htpasswd wrote an empty ${file}`);
}

/** GET /v2/ until the server answers (any HTTP status), or fail after `ms`. */
async function waitReady(url: string, ca: string | undefined, ms: number, proc: ChildProcess) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((done) => {
      const req = (url.startsWith("https:") ? httpsRequest : httpRequest)(
        `${url}/v2/`,
        { method: "GET", ...(ca ? { ca } : {}), timeout: 1000 },
        (res) => {
          res.resume();
          done(true);
        },
      );
      req.on("error", () => done(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface DistributionOptions {
  auth?: { username: string; password: string };
  tls?: boolean;
}

export async function startDistribution(opts: DistributionOptions = {}): Promise<Distribution> {
  // The free port may be taken between probing and binding: try a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/exited with/.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(opts: DistributionOptions): Promise<Distribution> {
  if (!haveDistribution())
    throw new Error(`${REGISTRY_BINARY} not found: install Debian's docker-registry package`);
  const dir = await mkdtemp(join(tmpdir(), "kompat-registry-"));
  const port = await freePort();
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(join(dir, "data"))}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${JSON.stringify(`kompat-test-${port}`)}`,
  ];
  const tls = opts.tls ? await testTls() : undefined;
  if (tls) {
    lines.push(
      "  tls:",
      `    certificate: ${JSON.stringify(tls.certFile)}`,
      `    key: ${JSON.stringify(tls.keyFile)}`,
    );
  }
  if (opts.auth) {
    const file = join(dir, "htpasswd");
    await htpasswd(file, opts.auth.username, opts.auth.password);
    lines.push(
      "auth:",
      "  htpasswd:",
      "    realm: kompat-test",
      `    path: ${JSON.stringify(file)}`,
    );
  }
  const config = join(dir, "config.yml");
  await writeFile(config, lines.join("\n") + "\n");

  const proc = spawn(REGISTRY_BINARY, ["serve", config], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
  });
  running.add(proc);
  let output = "";
  const keep = (b: Buffer) => {
    output = (output + b.toString("utf8")).slice(-20000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const exited = new Promise<void>((ok) => proc.once("exit", () => ok()));
  proc.once("exit", () => running.delete(proc));

  const scheme = tls ? "https" : "http";
  const url = `${scheme}://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, tls?.ca, 15000, proc);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${output}`, { cause: e });
  }
  const d: Distribution = {
    url,
    host: `127.0.0.1:${port}`,
    log: () => output,
    pid: proc.pid,
    stop,
  };
  if (tls) {
    d.caFile = tls.caFile;
    d.ca = tls.ca;
  }
  return d;
}
