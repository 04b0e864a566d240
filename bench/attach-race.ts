// Parallel attaches "from several machines" to Debian's Distribution 2.8 (no referrers API,
// If-Match ignored): each trial runs N `kompat attach` processes at once, each with its own
// cache (so its own lock), then counts the entries of the fallback index. A loss is an
// attach that exited 0 with its artifact not listed.
//
//   npm run build && node dist/bench/attach-race.js [trials=20] [writers=6]

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveDistribution, startDistribution } from "../test/helpers/registry.js";
import { Raw } from "../test/oci/raw.js";
import { REPO } from "./util.js";

function attach(image: string, spec: string, cache: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const child = spawn(
      join(REPO, "bin/kompat"),
      ["attach", "--image", image, "--spec", spec, "--plain-http"],
      { env: { PATH: process.env.PATH, HOME: cache, XDG_CACHE_HOME: cache } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

async function main() {
  const trials = Number(process.argv[2] ?? 20);
  const writers = Number(process.argv[3] ?? 6);
  if (!haveDistribution()) throw new Error("docker-registry is not installed");
  const reg = await startDistribution();
  const raw = new Raw(reg.url);
  const dir = mkdtempSync(join(tmpdir(), "kompat-race-"));
  let lost = 0;
  let failed = 0;
  try {
    for (let t = 1; t <= trials; t++) {
      const repo = `race/t${t}`;
      const { index } = await raw.pushImage(repo, "v1", ["linux/amd64"]);
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: writers }, (_, w) => {
          const spec = join(dir, `t${t}-w${w}.yaml`);
          writeFileSync(
            spec,
            `version: v1alpha1\ncompatibilities:\n- rules:\n  - name: w${w}\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Exists}\n`,
          );
          return attach(`${reg.host}/${repo}:v1`, spec, mkdtempSync(join(dir, "cache-")));
        }),
      );
      const listed = new Set((await raw.fallbackEntries(repo, index.digest)).map((e) => e.digest));
      const ok = results.filter((r) => r.code === 0);
      const missing = ok.filter((r) => !listed.has(r.stdout.trim())).length;
      lost += missing;
      failed += results.length - ok.length;
      for (const r of results) if (r.code !== 0) process.stdout.write(`  failed: ${r.stderr}`);
      process.stdout.write(
        `trial ${t}: ${listed.size} listed, ${ok.length} of ${writers} exited 0, ${missing} lost, ${Date.now() - started} ms\n`,
      );
    }
    process.stdout.write(
      `${trials} trials of ${writers} parallel separate-cache attaches: ${lost} lost, ${failed} failed\n`,
    );
  } finally {
    await raw.close();
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (lost > 0) process.exitCode = 1;
}

await main();
