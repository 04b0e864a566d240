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

/** User + system CPU time (ms) in fields 14 and 15 of a /proc stat line (clock ticks of 10 ms). */
function statCpuMs(path: string, children: boolean): number | undefined {
  try {
    const stat = readFileSync(path, "utf8");
    // Fields after the command name (which may hold spaces): utime, stime are 12, 13 there,
    // cutime, cstime 14, 15.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const at = children ? 13 : 11;
    return (Number(f[at]) + Number(f[at + 1])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) of this process's reaped children, from /proc (Linux). Other work on the
 * machine disturbs it less than wall time.
 */
const childCpuMs = () => statCpuMs("/proc/self/stat", true);

interface Case {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

interface Measured {
  wall: number;
  cpu?: number;
  /** CPU time the registry spent meanwhile. */
  registryCpu?: number;
}

/**
 * Medians of wall and CPU time (kompat's, and the registry's: it shares the machine's cores)
 * over `rounds` rounds, each running every case once, in turn.
 */
function interleaved(cases: Case[], rounds: number, registryPid?: number): Measured[] {
  for (const c of cases) wallMs(c.cmd, c.args, c.env); // warm the page cache
  const registryCpu = () =>
    registryPid === undefined ? undefined : statCpuMs(`/proc/${registryPid}/stat`, false);
  const walls = cases.map((): number[] => []);
  const cpus = cases.map((): number[] => []);
  const regs = cases.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    cases.forEach((c, j) => {
      const before = childCpuMs();
      const regBefore = registryCpu();
      walls[j]?.push(wallMs(c.cmd, c.args, c.env));
      const after = childCpuMs();
      const regAfter = registryCpu();
      if (before !== undefined && after !== undefined) cpus[j]?.push(after - before);
      if (regBefore !== undefined && regAfter !== undefined) regs[j]?.push(regAfter - regBefore);
    });
  }
  return cases.map((_, j) => {
    const cpu = cpus[j] ?? [];
    const reg = regs[j] ?? [];
    return {
      wall: median(walls[j] ?? []),
      ...(cpu.length > 0 ? { cpu: median(cpu) } : {}),
      ...(reg.length > 0 ? { registryCpu: median(reg) } : {}),
    };
  });
}

/**
 * What the registry's round trips cost without kompat: a plain node script that reads the
 * same features file, then asks what a warm audit asks of each image (a HEAD of its tag, a
 * HEAD of its referrers tag), 8 at a time. Run for 1 image and for all, its difference is
 * the floor for the audit's extra time on this machine and this registry.
 */
const PLAIN_HEADS = `
const fs = require("node:fs"), http = require("node:http");
const [list, features, count] = process.argv.slice(2);
const refs = fs.readFileSync(list, "utf8").trim().split("\\n").slice(0, Number(count));
JSON.parse(fs.readFileSync(features, "utf8"));
const agent = new http.Agent({ keepAlive: true });
const accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
const head = (url) => new Promise((ok, fail) => {
  const req = http.request(url, { method: "HEAD", agent, headers: { accept } }, (res) => {
    res.resume();
    res.on("end", () => res.statusCode === 200 ? ok(res.headers["docker-content-digest"]) : fail(new Error(url + ": " + res.statusCode)));
  });
  req.on("error", fail);
  req.end();
});
let next = 0;
const worker = async () => {
  while (next < refs.length) {
    const ref = refs[next++];
    const slash = ref.indexOf("/"), colon = ref.lastIndexOf(":");
    const base = "http://" + ref.slice(0, slash) + "/v2/" + ref.slice(slash + 1, colon) + "/manifests/";
    const digest = await head(base + ref.slice(colon + 1));
    await head(base + "sha256-" + digest.slice(7));
  }
};
Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(worker)).then(() => agent.destroy(), (e) => { console.error(e.message); process.exit(2); });
`;

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
    const pinned: string[] = [];
    for (let i = 0; i < IMAGES; i++) {
      const config = await raw.blob("bench/fleet", '{"os":"linux","architecture":"amd64"}');
      const layer = await raw.blob("bench/fleet", `image ${i}`);
      const doc = { schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] };
      const image = await raw.manifest("bench/fleet", doc, `app-${i}`);
      const ref = `${reg.host}/bench/fleet:app-${i}`;
      // Each image its own spec: another description and kernel bound.
      const own = spec
        .replace("modern kernel", `modern kernel (build ${i})`)
        .replace('["5.15"]', `["5.${i % 20}"]`);
      const file = join(tmp, `spec-${i}.yaml`);
      writeFileSync(file, own);
      wallMs(bin, ["attach", "--image", ref, "--spec", file, "--plain-http"], env);
      refs.push(ref);
      pinned.push(`${reg.host}/bench/fleet@${image.digest}`);
    }
    const list = join(tmp, "images.txt");
    writeFileSync(list, `${refs.join("\n")}\n`);
    // As --images-from-cluster lists them (the digest each Pod runs): no tag to resolve.
    const pinnedList = join(tmp, "images-pinned.txt");
    writeFileSync(pinnedList, `${pinned.join("\n")}\n`);
    const base = parseSnapshots(readFileSync(join(REPO, "examples/node-features.json"), "utf8"))[0];
    if (!base) throw new Error("no example snapshot");
    const features = join(tmp, "fleet.json");
    writeFileSync(features, JSON.stringify(fleet(base.features)));
    const common = ["--plain-http", "--features", features, "--summary"];
    const plain = join(tmp, "plain-heads.cjs");
    writeFileSync(plain, PLAIN_HEADS);
    const cases = [
      { cmd: bin, args: ["validate-node", "--image", refs[0] as string, ...common], env },
      { cmd: bin, args: ["audit", "--images", list, ...common], env },
      { cmd: bin, args: ["audit", "--images", pinnedList, ...common], env },
      { cmd: process.execPath, args: [plain, list, features, "1"], env },
      { cmd: process.execPath, args: [plain, list, features, String(IMAGES)], env },
    ];
    const [
      one = { wall: 1 },
      all = { wall: 0 },
      byDigest = { wall: 0 },
      plainOne = { wall: 0 },
      plainAll = { wall: 0 },
    ] = interleaved(cases, rounds, reg.pid);
    const cpu = (c: Measured) =>
      (c.cpu !== undefined ? `, CPU ${fmt(c.cpu)} ms` : "") +
      (c.registryCpu !== undefined ? ` (registry ${fmt(c.registryCpu)} ms)` : "");
    line(`fleet: ${NODES} nodes in ${TYPES} types, warm cache, median of ${rounds}`, "");
    line(`  validate-node --summary, 1 image`, `${fmt(one.wall)} ms${cpu(one)}`);
    line(
      `  audit --summary, ${IMAGES} images`,
      `${fmt(all.wall)} ms = ${fmt(all.wall / one.wall)}× (target ≤ 1.5)${cpu(all)}`,
    );
    if (one.cpu !== undefined && all.cpu !== undefined && one.cpu > 0)
      line(`  CPU time ratio (less disturbed by load)`, `${fmt(all.cpu / one.cpu)}×`);
    // Pinned by digest, a warm image costs one request (the referrers tag) instead of two:
    // what the registry's share of the audit is.
    line(
      `  audit --summary, ${IMAGES} images pinned by digest`,
      `${fmt(byDigest.wall)} ms = ${fmt(byDigest.wall / one.wall)}×${cpu(byDigest)}`,
    );
    // The registry's share: the same HEADs from plain node, 1 image against all.
    const floor = plainAll.wall - plainOne.wall;
    line(
      `  plain node, the same HEADs, 1 / ${IMAGES} images`,
      `${fmt(plainOne.wall)} / ${fmt(plainAll.wall)} ms${cpu(plainAll)}`,
    );
    line(
      `  floor: validate-node + those ${2 * (IMAGES - 1)} HEADs`,
      `${fmt((one.wall + floor) / one.wall)}× (kompat's own share: ${fmt(all.wall - one.wall - floor)} ms)`,
    );
  } finally {
    await raw.close();
    await reg.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
