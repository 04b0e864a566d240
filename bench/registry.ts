// `validate-node --image` against a real registry (Debian's Distribution 2.8) on loopback,
// whole process, with the content cache cold (--no-cache) and warm, as ratios to
// `validate-node --spec` with the same spec and features (the target: at most 1.2×).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveDistribution, startDistribution } from "../test/helpers/registry.js";
import { Raw } from "../test/oci/raw.js";
import { interleavedMedians, wallMs } from "./process.js";
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
    const features = join(REPO, "examples/node-features.json");
    const image_ = ["validate-node", "--image", image, "--plain-http", "--features", features];
    const cases = [
      {
        what: "validate-node --spec (same spec and features)",
        cmd: bin,
        args: ["validate-node", "--spec", spec, "--features", features],
        env,
      },
      {
        what: "validate-node --image, loopback registry, no cache",
        cmd: bin,
        args: [...image_, "--no-cache"],
        env,
      },
      { what: "validate-node --image, loopback registry, warm cache", cmd: bin, args: image_, env },
    ];
    // Interleaved, so that the ratios compare runs made under the same load.
    const [local = 0, cold = 0, warm = 0] = interleavedMedians(cases, 21);
    line(cases[0]?.what ?? "", `${fmt(local)} ms (median of 21)`);
    line(cases[1]?.what ?? "", `${fmt(cold)} ms, ${(cold / local).toFixed(2)}× --spec`);
    line(
      cases[2]?.what ?? "",
      `${fmt(warm)} ms, ${(warm / local).toFixed(2)}× --spec, ${(warm / cold).toFixed(2)}× no cache`,
    );
  } finally {
    await reg.stop();
    rmSync(cache, { recursive: true, force: true });
  }
}
