// `validate-node --image` against a real registry (Debian's Distribution 2.8) on loopback,
// whole process: with the content cache cold (--no-cache) and warm.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveDistribution, startDistribution } from "../test/helpers/registry.js";
import { Raw } from "../test/oci/raw.js";
import { medianWall, wallMs } from "./process.js";
import { REPO, fmt, line } from "./util.js";

export async function benchRegistry(): Promise<void> {
  if (!haveDistribution()) {
    line("validate-node --image", "skipped: docker-registry is not installed");
    return;
  }
  const reg = await startDistribution({});
  const cache = mkdtempSync(join(tmpdir(), "kompat-bench-cache-"));
  try {
    await new Raw(reg.url).pushSingle("bench/app", "1.0", "linux", "amd64");
    const image = `${reg.host}/bench/app:1.0`;
    const bin = join(REPO, "bin/kompat");
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const spec = join(REPO, "examples/compat-spec.yaml");
    wallMs(bin, ["attach", "--image", image, "--spec", spec, "--plain-http"], env);
    const args = [
      "validate-node",
      "--image",
      image,
      "--plain-http",
      "--features",
      join(REPO, "examples/node-features.json"),
    ];
    const cold = medianWall(bin, [...args, "--no-cache"], 15, env);
    const warm = medianWall(bin, args, 15, env);
    line("validate-node --image, loopback registry, no cache", `${fmt(cold)} ms (median of 15)`);
    line("validate-node --image, loopback registry, warm cache", `${fmt(warm)} ms (median of 15)`);
  } finally {
    await reg.stop();
    rmSync(cache, { recursive: true, force: true });
  }
}
