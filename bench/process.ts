// Whole-process figures: kompat's start-up plus work, against `node -e 0`.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO, fmt, line, median } from "./util.js";

export function wallMs(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr.toString()}`);
  }
  return ms;
}

export function medianWall(
  cmd: string,
  args: string[],
  runs: number,
  env?: NodeJS.ProcessEnv,
): number {
  wallMs(cmd, args, env); // warm the page cache
  return median(Array.from({ length: runs }, () => wallMs(cmd, args, env)));
}

export function benchProcess(): void {
  const runs = 15;
  const nodeOnly = medianWall(process.execPath, ["-e", "0"], runs);
  const bin = join(REPO, "bin/kompat");
  const spec = join(REPO, "examples/compat-spec.yaml");
  const live = medianWall(bin, ["validate-node", "--spec", spec], runs);
  const snap = medianWall(
    bin,
    ["validate-node", "--spec", spec, "--features", join(REPO, "examples/node-features.json")],
    runs,
  );
  line("node -e 0 (median of 15)", `${fmt(nodeOnly)} ms`);
  line(
    "validate-node --spec, live discovery (median)",
    `${fmt(live)} ms = ${fmt(live / nodeOnly)}× node -e 0`,
  );
  line(
    "validate-node --spec --features (median)",
    `${fmt(snap)} ms = ${fmt(snap / nodeOnly)}× node -e 0`,
  );
}
