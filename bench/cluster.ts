// `cluster validate --summary` over 5,000 NodeFeature objects shaped like real ones (this
// machine's `kompat export features`, varied per node: kernel, modules, a GPU or not),
// served 500 per page by the test API server fake, against `validate-node --summary
// --features` on the same 5,000 snapshots from one file; and peak memory at 5,000 nodes
// against 500. The fake runs in this process, so children are spawned asynchronously.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeApiServer, kubeconfigFor, NODEFEATURES, NODES } from "../test/helpers/apiserver.js";
import { REPO, fmt, line, median } from "./util.js";

type Raw = {
  attributes: Record<string, { elements: Record<string, string> }>;
  flags: Record<string, { elements: Record<string, object> }>;
  instances: Record<string, { elements: Array<{ attributes: Record<string, string> }> }>;
};

interface Run {
  ms: number;
  maxRssKb: number;
  code: number;
}

/** Wall time and peak RSS (GNU time's %M) of one process. */
function measure(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%M", ...args], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      const rss = Number(/(\d+)\s*$/.exec(err.trim())?.[1] ?? "0");
      if (code !== 0 && code !== 1) reject(new Error(`${args.join(" ")}: exit ${code}: ${err}`));
      else resolve({ ms, maxRssKb: rss, code: code ?? -1 });
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

/** Node i's features: the base, varied as node pools differ. */
function variant(base: Raw, i: number): Raw {
  const f = structuredClone(base);
  f.attributes["system.name"] = { elements: { nodename: `node-${i}` } };
  const kernels = ["6.8.0-45-generic", "5.15.0-119-generic", "6.1.0-25-amd64", "5.4.0-190-generic"];
  const full = kernels[i % kernels.length] as string;
  const [major, minor] = full.split(".");
  f.attributes["kernel.version"] = {
    elements: { full, major: major as string, minor: minor as string, revision: "0" },
  };
  const mods = (f.flags["kernel.loadedmodule"] ??= { elements: {} }).elements;
  if (i % 3 !== 0) mods["nvidia"] = {};
  const pci = (f.instances["pci.device"] ??= { elements: [] }).elements;
  if (i % 5 !== 0)
    pci.push({
      attributes: {
        class: "0302",
        vendor: "10de",
        device: "2330",
        subsystem_vendor: "10de",
        subsystem_device: "16c1",
      },
    });
  return f;
}

async function fake(base: Raw, n: number): Promise<FakeApiServer> {
  const api = await FakeApiServer.start({ tokens: { bench: "bench" } });
  for (let i = 0; i < n; i++) {
    const node = `node-${String(i).padStart(5, "0")}`;
    api.put(NODES, { metadata: { name: node } });
    api.put(NODEFEATURES, {
      metadata: {
        name: node,
        namespace: "node-feature-discovery",
        labels: { "nfd.node.kubernetes.io/node-name": node },
      },
      spec: { features: variant(base, i), labels: {} },
    });
  }
  return api;
}

export async function benchCluster(nodes = 5000, rounds = 5): Promise<void> {
  const bin = join(REPO, "bin/kompat");
  const spec = join(REPO, "examples/compat-spec.yaml");
  const dir = mkdtempSync(join(tmpdir(), "kompat-bench-cluster-"));
  const base = await exportFeatures(bin);
  const perObject = JSON.stringify({ spec: { features: variant(base, 1) } }).length;
  const fleet: Record<string, Raw> = {};
  for (let i = 0; i < nodes; i++) fleet[`node-${String(i).padStart(5, "0")}`] = variant(base, i);
  const fleetFile = join(dir, "fleet.json");
  writeFileSync(fleetFile, JSON.stringify(fleet));
  const big = await fake(base, nodes);
  const small = await fake(base, nodes / 10);
  try {
    const env = (api: FakeApiServer, name: string): NodeJS.ProcessEnv => {
      const file = join(dir, name);
      writeFileSync(
        file,
        kubeconfigFor(api.url, api.tls.caFile, [{ name: "bench", token: "bench" }]),
      );
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
    for (let i = 0; i < rounds; i++) {
      c.push(await measure([bin, ...cluster], bigEnv));
      v.push(await measure(local, process.env));
      s.push(await measure([bin, ...cluster], smallEnv));
    }
    const cMs = median(c.map((r) => r.ms));
    const vMs = median(v.map((r) => r.ms));
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
    line("  ratio cluster / file (target ≤ 1.5)", `${fmt(cMs / vMs)}`);
    line(
      `peak RSS cluster validate: ${nodes} nodes / ${nodes / 10} nodes (target ≤ 1.5)`,
      `${fmt(cRss / 1024)} MB / ${fmt(sRss / 1024)} MB = ${fmt(cRss / sRss)}`,
    );
    line(
      `  (validate-node --features of the ${nodes}-node file: ${fmt(median(v.map((r) => r.maxRssKb)) / 1024)} MB)`,
      "",
    );
  } finally {
    await big.close();
    await small.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
