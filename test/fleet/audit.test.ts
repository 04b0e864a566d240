// kompat audit against the real registry (Distribution on loopback): images × node groups
// from a fleet file with repeated node types, through the CLI and the library.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auditImages, auditFits } from "../../src/fleet/audit.js";
import { imageSpec } from "../../src/fleet/image-spec.js";
import { parseSnapshots } from "../../src/features/snapshot.js";
import { readFileSync } from "node:fs";
import { haveDistribution } from "../helpers/registry.js";
import { runCli } from "../helpers/cli.js";
import { ATOM_NODE, CPU_NODE, GPU_NEW, GPU_OLD, fleetFile, userEnv, writeFile } from "./helpers.js";
import { startFleet, type Fleet } from "./registry-setup.js";

const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";

interface AuditJson {
  images: Array<{
    ref: string;
    subject: string | null;
    artifact: string | null;
    state?: string;
    reason?: string;
  }>;
  groups: Array<{ id: string; nodes: string[] }>;
  cells: Array<{
    image: string;
    group: string;
    state: string;
    bestSet: { set: number; tag?: string; weight: number } | null;
    reasons: string[];
  }>;
}

describe("audit: images × node groups on a real registry", { skip }, () => {
  let fleet: Fleet;
  let fleetPath: string;
  const env = userEnv();
  before(async () => {
    fleet = await startFleet();
    // Node types repeated and interleaved; every node has its own name (system.name).
    fleetPath = fleetFile([
      ["gpu-new-1", GPU_NEW],
      ["gpu-old-1", GPU_OLD],
      ["gpu-new-2", GPU_NEW],
      ["cpu-1", CPU_NODE],
      ["cpu-2", CPU_NODE],
      ["gpu-new-3", GPU_NEW],
      ["atom-1", ATOM_NODE],
      ["gpu-old-2", GPU_OLD],
    ]);
  });
  after(async () => {
    await fleet?.stop();
  });
  const ref = (tag: string) => `${fleet.repo}:${tag}`;

  it("groups identical nodes, and tells per cell compatible / incompatible / no spec / error", async () => {
    const images = ["cuda12", "cuda11", "cpu", "nospec", "broken", "missing"].map(ref);
    const args = ["audit", "--plain-http", "--features", fleetPath, "-o", "json"];
    const r = await runCli([...args, ...images.flatMap((i) => ["--images", i])], { env });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as AuditJson;
    assert.deepEqual(out.groups, [
      { id: "G1", nodes: ["gpu-new-1", "gpu-new-2", "gpu-new-3"] },
      { id: "G2", nodes: ["gpu-old-1", "gpu-old-2"] },
      { id: "G3", nodes: ["cpu-1", "cpu-2"] },
      { id: "G4", nodes: ["atom-1"] },
    ]);
    const states = images.map((i) =>
      out.cells
        .filter((c) => c.image === i)
        .map((c) => `${c.group}:${c.state}`)
        .join(" "),
    );
    assert.deepEqual(states, [
      "G1:compatible G2:incompatible G3:incompatible G4:incompatible",
      "G1:compatible G2:compatible G3:incompatible G4:incompatible",
      "G1:compatible G2:compatible G3:compatible G4:incompatible",
      "G1:no-spec G2:no-spec G3:no-spec G4:no-spec",
      "G1:error G2:error G3:error G4:error",
      "G1:error G2:error G3:error G4:error",
    ]);
    const cell = (i: string, g: string) =>
      out.cells.find((c) => c.image === ref(i) && c.group === g);
    assert.deepEqual(cell("cuda12", "G1")?.bestSet, {
      set: 1,
      description: "CUDA 12: NVIDIA GPU, driver 550+",
      tag: "cuda12",
      weight: 90,
    });
    // The first failing expression, with what the node had.
    assert.deepEqual(cell("cuda12", "G2")?.reasons, [
      'set 1 "CUDA 12: NVIDIA GPU, driver 550+" (tag cuda12, weight 90): rule "driver 550": kernel.version major Ge [6] (host: "5")',
    ]);
    assert.match(
      cell("cuda12", "G3")?.reasons[0] ?? "",
      /rule "nvidia gpu": pci\.device vendor In \[10de\] \(host: 1 instance: "8086"\)/,
    );
    assert.match(
      cell("cpu", "G4")?.reasons[0] ?? "",
      /cpu\.cpuid AVX2 Exists \(host: element missing\)/,
    );
    assert.match(
      cell("nospec", "G1")?.reasons[0] ?? "",
      /^no compatibility artifact .* is attached to /,
    );
    assert.match(
      cell("broken", "G1")?.reasons[0] ?? "",
      /the spec attached to .* is invalid: line 1: /,
    );
    assert.match(cell("missing", "G1")?.reasons[0] ?? "", /missing/);

    const img = (i: string) => out.images.find((x) => x.ref === ref(i));
    assert.equal(img("cuda12")?.subject, `${fleet.repo}@${fleet.digests.cuda12}`);
    assert.match(img("cuda12")?.artifact ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.equal(img("nospec")?.subject, null);
    assert.equal(img("nospec")?.state, "no-spec");
    assert.equal(img("missing")?.state, "error");
  });

  it("exit 0 when every image with a spec fits every node, images without a spec aside", async () => {
    const cpuNodes = fleetFile([
      ["cpu-1", CPU_NODE],
      ["gpu-1", GPU_NEW],
    ]);
    const r = await runCli(
      [
        "audit",
        "--plain-http",
        "--features",
        cpuNodes,
        "--images",
        ref("cpu"),
        "--images",
        ref("nospec"),
      ],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 of 1 image with a spec fit every node; 1 without a spec/);
  });

  it("text: a compact table with short group ids, a legend, the groups' nodes and why not", async () => {
    const list = writeFile(
      `# the application's builds\n${ref("cuda12")}\n${ref("cpu")}   # CPU only\n\n${ref("nospec")}\n`,
      "images.txt",
    );
    const r = await runCli(["audit", "--plain-http", "--features", fleetPath, "--images", list], {
      env,
    });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "3 images × 4 node groups (8 nodes)");
    const header = lines.find((l) => /^\s+G1\s+G2\s+G3\s+G4$/.test(l));
    assert.ok(header, r.stdout);
    const row = (tag: string) =>
      lines
        .find((l) => l.startsWith(ref(tag)))
        ?.slice(ref("cuda12").length)
        .trim()
        .split(/\s+/);
    assert.deepEqual(row("cuda12"), ["✓cuda12", "✗", "✗", "✗"]);
    assert.deepEqual(row("cpu"), ["✓cpu", "✓cpu", "✓cpu", "✗"]);
    assert.deepEqual(row("nospec"), ["–", "–", "–", "–"]);
    assert.ok(lines.includes("  G1   3 nodes: gpu-new-1, gpu-new-2, gpu-new-3"), r.stdout);
    assert.match(r.stdout, /Legend: ✓tag compatible/);
    // Groups failing for the same reason share a line.
    assert.match(
      r.stdout,
      /✗ G3, G4: set 1 "CUDA 12: NVIDIA GPU, driver 550\+" \(tag cuda12, weight 90\): rule "nvidia gpu": pci\.device vendor In \[10de\]/,
    );
    assert.match(r.stdout, /0 of 2 images with a spec fit every node; 1 without a spec\n$/);
  });

  it("text: a wide fleet wraps its columns to the terminal's width", async () => {
    const many = fleetFile(
      Array.from({ length: 30 }, (_, i): [string, typeof GPU_NEW] => [
        `n${i}`,
        { gpu: i % 2 === 0, kernel: `6.${i}`, avx2: true },
      ]),
    );
    const r = await runCli(
      ["audit", "--plain-http", "--features", many, "--images", ref("cuda12"), "--summary"],
      { env: { ...env, COLUMNS: "80" } },
    );
    assert.equal(r.code, 1, r.stderr);
    const table = r.stdout.split("Node groups:")[0] ?? "";
    for (const l of table.split("\n")) assert.ok(l.length <= 80, `${l.length}: ${l}`);
    assert.match(table, /G1 /);
    assert.match(table, /G30/);
    assert.doesNotMatch(r.stdout, /Why not/);
  });

  it("the library: each distinct image's spec fetched once, evaluated per group", async () => {
    const calls: string[] = [];
    const audit = await auditImages({
      images: [ref("cpu"), ref("cuda11"), ref("cpu")],
      nodes: parseSnapshots(readFileSync(fleetPath, "utf8")),
      fetch: fleet.opts,
      specOf: (image) => {
        calls.push(image);
        return imageSpec(image, fleet.opts);
      },
    });
    assert.deepEqual(calls, [ref("cpu"), ref("cuda11")]);
    assert.equal(audit.images.length, 2);
    assert.equal(audit.cells.length, 2 * audit.groups.length);
    assert.equal(auditFits(audit), false);
  });

  it("the library: images attached the same spec text share one checked spec", async () => {
    const shared = `${fleet.reg.host}/shared:1`;
    const audit = await auditImages({
      images: [ref("cpu"), shared, ref("cuda11")],
      nodes: parseSnapshots(readFileSync(fleetPath, "utf8")),
      fetch: fleet.opts,
    });
    const [cpu, alike, other] = audit.images.map((i) => i.spec);
    assert.ok(cpu?.state === "spec" && alike?.state === "spec" && other?.state === "spec");
    assert.notEqual(cpu.subject, alike.subject);
    assert.equal(cpu.spec, alike.spec);
    assert.notEqual(cpu.spec, other.spec);
    // Same spec, same nodes: the same cells.
    const row = (i: number) =>
      audit.cells.filter((c) => c.image === i).map((c) => [c.state, c.bestSet?.set]);
    assert.deepEqual(row(1), row(0));
  });

  it("nodes as an async iterable (the seam NodeFeature listing plugs into)", async () => {
    async function* stream() {
      for (const n of parseSnapshots(readFileSync(fleetPath, "utf8"))) yield n;
    }
    const audit = await auditImages({ images: [ref("cpu")], nodes: stream(), fetch: fleet.opts });
    // The CPU spec reads cpu.cpuid only: every node with AVX2 looks the same to it.
    assert.deepEqual(
      audit.groups.map((g) => g.nodes.length),
      [7, 1],
    );
  });

  it("YAML has the same data as JSON", async () => {
    const args = ["audit", "--plain-http", "--features", fleetPath, "--images", ref("cpu")];
    const j = await runCli([...args, "-o", "json"], { env });
    const y = await runCli([...args, "-o", "yaml"], { env });
    const { parse } = await import("yaml");
    assert.deepEqual(parse(y.stdout), JSON.parse(j.stdout));
  });
});
