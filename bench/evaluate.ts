// Rule-engine figures: evaluations per second, and one spec against 10,000 snapshots read
// from one JSON file (parse vs evaluate).

import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec, evaluate, verdict } from "../src/rules/index.js";
import { parseSnapshots } from "../src/features/snapshot.js";
import type { Features } from "../src/features/nodefeatures.js";
import type { Spec } from "../src/spec/model.js";
import { REPO, fmt, line } from "./util.js";
import { medianWall } from "./process.js";

function spec(text: string, file: string): Spec {
  const p = loadSpec(text, { file });
  if (!p.spec) throw new Error(`${file}: invalid`);
  return p.spec;
}

/**
 * A 200-rule spec over the features of the example snapshot, mixing every kind of term.
 * Every rule is distinct (values vary with the rule's number), so no term is shared.
 */
export function bigSpec(): string {
  const flags = ["AVX2", "SSE42", "FMA3", "AESNI", "AVX512F", "BMI2", "F16C", "POPCNT"];
  const rules: string[] = [];
  for (let i = 0; i < 200; i++) {
    const name = `  - name: r${i}\n`;
    switch (i % 5) {
      case 0:
        rules.push(
          `${name}    matchFeatures:\n    - feature: cpu.cpuid\n      matchExpressions: {${flags[i % 8]}: {op: Exists}, NOPE${i}: {op: DoesNotExist}}`,
        );
        break;
      case 1:
        rules.push(
          `${name}    matchFeatures:\n    - feature: kernel.version\n      matchExpressions: {full: {op: Ge, value: ["5.${i}"], type: version}, major: {op: Gt, value: ["${i % 5}"]}}`,
        );
        break;
      case 2:
        rules.push(
          `${name}    matchFeatures:\n    - feature: pci.device\n      matchExpressions: {vendor: {op: In, value: ["10de", "${(4096 + i).toString(16)}"]}, class: {op: InRegexp, value: ["^0[23]0${i % 10}"]}}`,
        );
        break;
      case 3:
        rules.push(
          `${name}    matchAny:\n    - matchFeatures: [{feature: system.osrelease, matchExpressions: {ID: {op: In, value: [ubuntu, distro${i}]}}}]\n    - matchFeatures: [{feature: system.osrelease, matchExpressions: {VERSION_ID.major: {op: Ge, value: ["${i % 30}"]}}}]`,
        );
        break;
      default:
        rules.push(
          `${name}    matchFeatures:\n    - feature: cpu.cpuid\n      matchName: {op: InRegexp, value: ["^AVX512.{0,${i % 7}}$"]}`,
        );
    }
  }
  return `version: v1alpha1\ncompatibilities:\n- description: big\n  rules:\n${rules.join("\n")}\n`;
}

function perSecond(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 200; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** Varies the example snapshot so that nodes differ (kernel, GPU, vendor). */
function fleet(base: Features, n: number): Record<string, Features> {
  const out: Record<string, Features> = {};
  for (let i = 0; i < n; i++) {
    const f = structuredClone(base);
    const kv = f.attributes["kernel.version"];
    if (kv) kv.elements.full = `${5 + (i % 3)}.${i % 20}.0-${i % 100}-generic`;
    const cm = f.attributes["cpu.model"];
    if (cm) cm.elements.vendor_id = i % 2 ? "Intel" : "AMD";
    if (i % 4 === 0) f.instances["pci.device"] = { elements: [] };
    out[`node-${i}`] = f;
  }
  return out;
}

export function benchEvaluate(): void {
  const node = parseSnapshots(readFileSync(join(REPO, "examples/node-features.json"), "utf8"))[0];
  if (!node) throw new Error("no example snapshot");
  const example = spec(
    readFileSync(join(REPO, "bench/fixtures/nfd-example.yaml"), "utf8"),
    "nfd-example.yaml",
  );
  const big = spec(bigSpec(), "200-rules.yaml");

  line(
    "evaluate: NFD example spec, one snapshot",
    `${fmt(perSecond(() => evaluate(example, node.features)))} evaluations/s`,
  );
  line(
    "evaluate: 200-rule spec, one snapshot",
    `${fmt(perSecond(() => evaluate(big, node.features)))} evaluations/s`,
  );

  const tmp = mkdtempSync(join(tmpdir(), "kompat-bench-"));
  try {
    const file = join(tmp, "fleet.json");
    writeFileSync(file, JSON.stringify(fleet(node.features, 10_000)));
    for (const [name, s] of [
      ["NFD example", example],
      ["200-rule", big],
    ] as const) {
      const runs: Array<{
        read: number;
        parse: number;
        evaluate: number;
        verdict: number;
        compatible: number;
      }> = [];
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        const text = readFileSync(file, "utf8");
        const t1 = performance.now();
        const nodes = parseSnapshots(text, file);
        const t2 = performance.now();
        let compatible = 0;
        for (const n of nodes) if (evaluate(s, n.features).compatible) compatible++;
        const t3 = performance.now();
        let agree = 0;
        for (const n of nodes) if (verdict(s, n.features).compatible) agree++;
        const t4 = performance.now();
        if (agree !== compatible)
          throw new Error(`verdict and evaluate disagree: ${agree} vs ${compatible}`);
        runs.push({
          read: t1 - t0,
          parse: t2 - t1,
          evaluate: t3 - t2,
          verdict: t4 - t3,
          compatible,
        });
      }
      runs.sort((a, b) => a.parse + a.evaluate - (b.parse + b.evaluate));
      const m = runs[Math.floor(runs.length / 2)];
      if (!m) continue;
      line(
        `10,000 snapshots, ${name} spec (median of 5)`,
        `read ${fmt(m.read)} ms + parse ${fmt(m.parse)} ms; full reports ${fmt(m.evaluate)} ms, verdicts ${fmt(m.verdict)} ms (${m.compatible} compatible)`,
      );
    }
    // The same through the CLI, whole process: text reports, or --summary (verdicts only).
    const specFile = join(tmp, "200-rules.yaml");
    writeFileSync(specFile, bigSpec());
    const bin = join(REPO, "bin/kompat");
    for (const extra of [[], ["--summary"]]) {
      const args = ["validate-node", "--spec", specFile, "--features", file, ...extra];
      line(
        `validate-node ${extra.join(" ") || "(reports)"}: 10,000 nodes, 200-rule spec`,
        `${fmt(medianWall(bin, args, 5))} ms (whole process, median of 5)`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
