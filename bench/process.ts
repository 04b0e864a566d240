// Whole-process figures: kompat's start-up plus work, against `node -e 0`. Other work on the
// machine shifts every figure, so each round runs every command once, in turn, and the
// ratios compare medians taken over the same rounds.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installTarball, packCheckout } from "../test/helpers/install.js";
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

export interface Case {
  what: string;
  cmd: string;
  args: string[];
  /** A function is called before each run (e.g. a fresh cache directory for each). */
  env?: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
}

const envOf = (c: Case) => (typeof c.env === "function" ? c.env() : c.env);

/** Medians of `rounds` rounds, each running every case once, in turn. */
export function interleavedMedians(cases: Case[], rounds: number): number[] {
  for (const c of cases) wallMs(c.cmd, c.args, envOf(c)); // warm the page cache
  const times = cases.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    cases.forEach((c, j) => times[j]?.push(wallMs(c.cmd, c.args, envOf(c))));
  }
  return times.map(median);
}

export function benchProcess(rounds = 31): void {
  const bin = join(REPO, "bin/kompat");
  const spec = join(REPO, "examples/compat-spec.yaml");
  const features = join(REPO, "examples/node-features.json");
  const plain = { ...process.env, KOMPAT_NO_SNAPSHOT: "1" };
  const cases: Case[] = [
    { what: "node -e 0", cmd: process.execPath, args: ["-e", "0"] },
    { what: "kompat --version (start-up only)", cmd: bin, args: ["--version"] },
    {
      what: "validate-node --spec (live discovery)",
      cmd: bin,
      args: ["validate-node", "--spec", spec],
    },
    {
      what: "  same, KOMPAT_NO_SNAPSHOT=1",
      cmd: bin,
      args: ["validate-node", "--spec", spec],
      env: plain,
    },
    {
      what: "validate-node --spec --features",
      cmd: bin,
      args: ["validate-node", "--spec", spec, "--features", features],
    },
  ];
  // The package as `npm install` of its tarball leaves it (postinstall's blob), same rounds.
  const tmp = mkdtempSync(join(tmpdir(), "kompat-bench-install-"));
  try {
    const installed = installTarball(packCheckout(tmp), join(tmp, "project"));
    cases.push({
      what: "installed tarball: validate-node --spec (live)",
      cmd: installed,
      args: ["validate-node", "--spec", spec],
    });
  } catch (e) {
    line("installed tarball", `not measured: ${e instanceof Error ? e.message : String(e)}`);
  }
  let ms: number[];
  try {
    ms = interleavedMedians(cases, rounds);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  line(`whole processes, median of ${rounds} interleaved rounds`, "");
  const nodeOnly = ms[0] ?? 1;
  cases.forEach((c, i) => {
    const t = ms[i] ?? 0;
    const ratio = i === 0 ? "" : ` = ${fmt(t / nodeOnly)}× node -e 0`;
    line(c.what, `${fmt(t)} ms${ratio}`);
  });
}
