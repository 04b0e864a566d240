// `audit --summary` against `validate-node --summary`: 100 images, each with its own spec
// on the loopback registry (warm content cache), × 5,000 real-shaped node snapshots of 20
// node types. Whole processes; the ratio says what the 99 extra images cost.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveDistribution, startDistribution } from "../test/helpers/registry.js";
import { MANIFEST, Raw } from "../test/oci/raw.js";
import type { Features } from "../src/features/nodefeatures.js";
import { parseSnapshots } from "../src/features/snapshot.js";
import { wallMs } from "./process.js";
import { REPO, fmt, line, median } from "./util.js";

const IMAGES = 100;
const NODES = 5000;
const TYPES = 20;

/**
 * CPU time (user + system, ms) of this process's reaped children, from /proc (Linux; clock
 * ticks of 10 ms, USER_HZ). Other work on the machine disturbs it less than wall time.
 */
function childCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name (which may hold spaces): cutime and cstime are 16 and 17.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return undefined;
  }
}

interface Case {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Medians of wall and CPU time over `rounds` rounds, each running every case once, in turn. */
function interleaved(cases: Case[], rounds: number): Array<{ wall: number; cpu?: number }> {
  for (const c of cases) wallMs(c.cmd, c.args, c.env); // warm the page cache
  const walls = cases.map((): number[] => []);
  const cpus = cases.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    cases.forEach((c, j) => {
      const before = childCpuMs();
      walls[j]?.push(wallMs(c.cmd, c.args, c.env));
      const after = childCpuMs();
      if (before !== undefined && after !== undefined) cpus[j]?.push(after - before);
    });
  }
  return cases.map((_, j) => {
    const cpu = cpus[j] ?? [];
    return { wall: median(walls[j] ?? []), ...(cpu.length > 0 ? { cpu: median(cpu) } : {}) };
  });
}

/** The example snapshot in 20 node types (kernel, distribution, GPU), every node named. */
function fleet(base: Features): Record<string, Features> {
  const out: Record<string, Features> = {};
  for (let i = 0; i < NODES; i++) {
    const t = i % TYPES;
    const f = structuredClone(base);
    const kv = f.attributes["kernel.version"];
    if (kv) kv.elements.full = `${5 + (t % 2)}.${t}.0-${t}-generic`;
    const os = f.attributes["system.osrelease"];
    if (os) os.elements.ID = t % 3 === 0 ? "rhel" : "ubuntu";
    if (t % 4 === 0) f.instances["pci.device"] = { elements: [] };
    f.attributes["system.name"] = { elements: { nodename: `node-${t}-${i}` } };
    out[`node-${i}`] = f;
  }
  return out;
}

export async function benchFleet(rounds = 7): Promise<void> {
  if (!haveDistribution()) {
    line("audit --summary", "skipped: docker-registry is not installed");
    return;
  }
  const reg = await startDistribution({});
  const tmp = mkdtempSync(join(tmpdir(), "kompat-bench-fleet-"));
  const raw = new Raw(reg.url);
  try {
    const bin = join(REPO, "bin/kompat");
    const env = { ...process.env, XDG_CACHE_HOME: join(tmp, "cache") };
    const spec = readFileSync(join(REPO, "examples/compat-spec.yaml"), "utf8");
    const refs: string[] = [];
    for (let i = 0; i < IMAGES; i++) {
      const config = await raw.blob("bench/fleet", '{"os":"linux","architecture":"amd64"}');
      const layer = await raw.blob("bench/fleet", `image ${i}`);
      const doc = { schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] };
      await raw.manifest("bench/fleet", doc, `app-${i}`);
      const ref = `${reg.host}/bench/fleet:app-${i}`;
      // Each image its own spec: another description and kernel bound.
      const own = spec
        .replace("modern kernel", `modern kernel (build ${i})`)
        .replace('["5.15"]', `["5.${i % 20}"]`);
      const file = join(tmp, `spec-${i}.yaml`);
      writeFileSync(file, own);
      wallMs(bin, ["attach", "--image", ref, "--spec", file, "--plain-http"], env);
      refs.push(ref);
    }
    const list = join(tmp, "images.txt");
    writeFileSync(list, `${refs.join("\n")}\n`);
    const base = parseSnapshots(readFileSync(join(REPO, "examples/node-features.json"), "utf8"))[0];
    if (!base) throw new Error("no example snapshot");
    const features = join(tmp, "fleet.json");
    writeFileSync(features, JSON.stringify(fleet(base.features)));
    const common = ["--plain-http", "--features", features, "--summary"];
    const cases = [
      { cmd: bin, args: ["validate-node", "--image", refs[0] as string, ...common], env },
      { cmd: bin, args: ["audit", "--images", list, ...common], env },
    ];
    const [one = { wall: 1 }, all = { wall: 0 }] = interleaved(cases, rounds);
    const cpu = (c: { cpu?: number }) => (c.cpu !== undefined ? `, CPU ${fmt(c.cpu)} ms` : "");
    line(`fleet: ${NODES} nodes in ${TYPES} types, warm cache, median of ${rounds}`, "");
    line(`  validate-node --summary, 1 image`, `${fmt(one.wall)} ms${cpu(one)}`);
    line(
      `  audit --summary, ${IMAGES} images`,
      `${fmt(all.wall)} ms = ${fmt(all.wall / one.wall)}× (target ≤ 1.5)${cpu(all)}`,
    );
    if (one.cpu !== undefined && all.cpu !== undefined && one.cpu > 0)
      line(`  CPU time ratio (less disturbed by load)`, `${fmt(all.cpu / one.cpu)}×`);
  } finally {
    await raw.close();
    await reg.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
