// `cluster validate --summary` over 5,000 NodeFeature objects shaped like real ones (this
// machine's `kompat export features`, varied per node: kernel, modules, a GPU or not),
// served 500 per page by the test API server fake (in a process of its own), against
// `validate-node --summary --features` on the same 5,000 snapshots from one file; and peak
// memory at 5,000 nodes against 500.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kubeconfigFor } from "../test/helpers/apiserver.js";
import { nodeName, variant, type Raw } from "./cluster-fleet.js";
import { REPO, fmt, line, median } from "./util.js";

const HERE = dirname(fileURLToPath(import.meta.url));

interface Run {
  ms: number;
  /** User + system CPU time of the process. */
  cpuMs: number;
  maxRssKb: number;
  code: number;
}

/** Wall time and peak RSS (GNU time's %M) of one process. */
function measure(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%U %S %M", ...args], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      const m = /([\d.]+) ([\d.]+) (\d+)\s*$/.exec(err.trim());
      const cpuMs = (Number(m?.[1] ?? 0) + Number(m?.[2] ?? 0)) * 1000;
      const rss = Number(m?.[3] ?? 0);
      if (code !== 0 && code !== 1) reject(new Error(`${args.join(" ")}: exit ${code}: ${err}`));
      else resolve({ ms, cpuMs, maxRssKb: rss, code: code ?? -1 });
    });
  });
}

async function exportFeatures(bin: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["export", "features"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(JSON.parse(out) as Raw));
  });
}

interface Served {
  url: string;
  caFile: string;
  stop: () => Promise<void>;
}

/** The fake in a child process (bench/cluster-server.ts), serving n nodes. */
function serve(baseFile: string, n: number): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, "cluster-server.js"), baseFile, String(n)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the bench's API server exited (${code})`)));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("\n")) return;
      const { url, caFile } = JSON.parse(out) as { url: string; caFile: string };
      const stop = () =>
        new Promise<void>((done) => {
          child.once("close", () => done());
          child.stdin.end();
        });
      resolve({ url, caFile, stop });
    });
  });
}

export async function benchCluster(nodes = 5000, rounds = 5): Promise<void> {
  const bin = join(REPO, "bin/kompat");
  const spec = join(REPO, "examples/compat-spec.yaml");
  const dir = mkdtempSync(join(tmpdir(), "kompat-bench-cluster-"));
  const base = await exportFeatures(bin);
  const perObject = JSON.stringify({ spec: { features: variant(base, 1) } }).length;
  const fleet: Record<string, Raw> = {};
  for (let i = 0; i < nodes; i++) fleet[nodeName(i)] = variant(base, i);
  const fleetFile = join(dir, "fleet.json");
  writeFileSync(fleetFile, JSON.stringify(fleet));
  const baseFile = join(dir, "base.json");
  writeFileSync(baseFile, JSON.stringify(base));
  const big = await serve(baseFile, nodes);
  const small = await serve(baseFile, nodes / 10);
  try {
    const env = (api: Served, name: string): NodeJS.ProcessEnv => {
      const file = join(dir, name);
      writeFileSync(file, kubeconfigFor(api.url, api.caFile, [{ name: "bench", token: "bench" }]));
      return { ...process.env, KUBECONFIG: file, HOME: dir };
    };
    const bigEnv = env(big, "big");
    const smallEnv = env(small, "small");
    const cluster = ["cluster", "validate", "--spec", spec, "--summary"];
    const local = [bin, "validate-node", "--spec", spec, "--summary", "--features", fleetFile];
    await measure([bin, ...cluster], bigEnv); // warm up
    await measure(local, process.env);
    const c: Run[] = [];
    const v: Run[] = [];
    const s: Run[] = [];
    // Interleaved, the order turned every round: a load that comes and goes (other work
    // on the machine) falls on both sides alike. The ratio is the median of each round's.
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        c.push(await measure([bin, ...cluster], bigEnv));
        v.push(await measure(local, process.env));
      } else {
        v.push(await measure(local, process.env));
        c.push(await measure([bin, ...cluster], bigEnv));
      }
      s.push(await measure([bin, ...cluster], smallEnv));
    }
    const cMs = median(c.map((r) => r.ms));
    const vMs = median(v.map((r) => r.ms));
    const ratios = c.map((r, i) => r.ms / (v[i]?.ms ?? NaN));
    const cRss = median(c.map((r) => r.maxRssKb));
    const sRss = median(s.map((r) => r.maxRssKb));
    line(
      `cluster validate --summary, ${nodes} NodeFeatures of ~${fmt(perObject / 1024)} KB, 500 per page (median of ${rounds})`,
      `${fmt(cMs)} ms`,
    );
    line(
      `validate-node --summary --features, the same ${nodes} snapshots in one file`,
      `${fmt(vMs)} ms`,
    );
    line(
      "  ratio cluster / file, median of the rounds' (target ≤ 1.5)",
      `${fmt(median(ratios))} (rounds: ${ratios.map(fmt).join(", ")})`,
    );
    const cCpu = median(c.map((r) => r.cpuMs));
    const vCpu = median(v.map((r) => r.cpuMs));
    line(
      "  CPU time (user+sys) cluster / file",
      `${fmt(cCpu)} ms / ${fmt(vCpu)} ms = ${fmt(cCpu / vCpu)}`,
    );
    line(
      `peak RSS cluster validate: ${nodes} nodes / ${nodes / 10} nodes (target ≤ 1.5)`,
      `${fmt(cRss / 1024)} MB / ${fmt(sRss / 1024)} MB = ${fmt(cRss / sRss)}`,
    );
    line(
      `  (validate-node --features of the ${nodes}-node file: ${fmt(median(v.map((r) => r.maxRssKb)) / 1024)} MB)`,
      "",
    );
  } finally {
    await big.stop();
    await small.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
