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
import { interleavedMedians, wallMs } from "./process.js";
import { REPO, fmt, line } from "./util.js";

const IMAGES = 100;
const NODES = 5000;
const TYPES = 20;

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
      {
        what: "validate-node --summary, 1 image",
        cmd: bin,
        args: ["validate-node", "--image", refs[0] as string, ...common],
        env,
      },
      {
        what: `audit --summary, ${IMAGES} images`,
        cmd: bin,
        args: ["audit", "--images", list, ...common],
        env,
      },
    ];
    const [one = 1, all = 0] = interleavedMedians(cases, rounds);
    line(`fleet: ${NODES} nodes in ${TYPES} types, warm cache, median of ${rounds}`, "");
    line(`  validate-node --summary, 1 image`, `${fmt(one)} ms`);
    line(
      `  audit --summary, ${IMAGES} images`,
      `${fmt(all)} ms = ${fmt(all / one)}× (target ≤ 1.5)`,
    );
  } finally {
    await raw.close();
    await reg.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
