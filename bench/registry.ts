// `validate-node --image` against a real registry (Debian's Distribution 2.8) on loopback,
// whole process, as ratios to `validate-node --spec` with the same spec and features (issue
// #10's target: at most 1.2× with a cold content cache and a warm one, warm faster than
// cold). Cold is a fresh, empty cache directory for every run (the run fills it, as a
// first run does); warm is a cache a run has filled; --no-cache neither reads nor writes one.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveDistribution, startDistribution } from "../test/helpers/registry.js";
import { Raw } from "../test/oci/raw.js";
import { interleavedMedians, wallMs, type Case } from "./process.js";
import { REPO, fmt, line } from "./util.js";

const ROUNDS = 21;
const TARGET = 1.2;

/** The requests a run sends, from its -v log: "GET http://…", "HEAD http://…". */
function requests(bin: string, args: string[], env: NodeJS.ProcessEnv): string[] {
  const r = spawnSync(bin, [...args, "-v"], { env, encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return r.stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(GET|HEAD) http/.test(l));
}

/** A request line, short: `GET manifests/sha256:79a084…`. */
const brief = (l: string) =>
  l
    .replace(/^(\S+) http:\/\/[^/]+\/v2\/bench\/app\//, "$1 ")
    .replace(/\?.*$/, "")
    .replace(/(sha256[:-][0-9a-f]{6})[0-9a-f]+/g, "$1…");

/**
 * The round trips without kompat: a plain node script sending the requests of a file
 * ("METHOD URL" lines) one after the other on one keep-alive connection, as a run does.
 * Sent for no request, a cold run's and a warm run's, it gives what those requests cost
 * alone: the floor of the ratios to --spec on this machine and this registry.
 */
const PLAIN_REQUESTS = `
const fs = require("node:fs"), http = require("node:http");
const lines = fs.readFileSync(process.argv[2], "utf8").split("\\n").filter(Boolean);
const agent = new http.Agent({ keepAlive: true });
const accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
const send = (method, url) => new Promise((ok, fail) => {
  const req = http.request(url, { method, agent, headers: { accept } }, (res) => {
    res.resume();
    res.on("end", ok);
  });
  req.on("error", fail);
  req.end();
});
(async () => {
  for (const l of lines) await send(...l.split(" "));
  agent.destroy();
})().catch((e) => { console.error(e.message); process.exit(2); });
`;

export async function benchRegistry(): Promise<void> {
  if (!haveDistribution()) {
    line("validate-node --image", "skipped: docker-registry is not installed");
    return;
  }
  const reg = await startDistribution({});
  const tmp = mkdtempSync(join(tmpdir(), "kompat-bench-registry-"));
  try {
    await new Raw(reg.url).pushSingle("bench/app", "1.0", "linux", "amd64");
    const image = `${reg.host}/bench/app:1.0`;
    const bin = join(REPO, "bin/kompat");
    const spec = join(REPO, "examples/compat-spec.yaml");
    const features = join(REPO, "examples/node-features.json");
    const cacheEnv = (dir: string) => ({ ...process.env, XDG_CACHE_HOME: dir });
    wallMs(bin, ["attach", "--image", image, "--spec", spec, "--plain-http", "--no-cache"]);
    const warm = cacheEnv(join(tmp, "warm"));
    mkdirSync(join(tmp, "warm"));
    let fresh = 0;
    const cold = () => {
      const dir = join(tmp, `cold-${fresh++}`);
      mkdirSync(dir);
      return cacheEnv(dir);
    };
    const byImage = ["validate-node", "--image", image, "--plain-http", "--features", features];

    // What the runs measure: cold and no-cache ask for everything, warm for what can move.
    wallMs(bin, byImage, warm);
    const coldAsks = requests(bin, byImage, cold());
    const warmAsks = requests(bin, byImage, warm);
    line("requests, cold cache", coldAsks.map(brief).join(", "));
    line("requests, warm cache", warmAsks.map(brief).join(", "));
    if (warmAsks.length >= coldAsks.length) throw new Error("the warm cache saves no request");
    const plain = join(tmp, "plain-requests.cjs");
    writeFileSync(plain, PLAIN_REQUESTS);
    const asks = (name: string, lines: string[]) => {
      const file = join(tmp, `requests-${name}.txt`);
      writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
      return [plain, file];
    };

    const cases: Case[] = [
      {
        what: "validate-node --spec (same spec and features)",
        cmd: bin,
        args: ["validate-node", "--spec", spec, "--features", features],
        env: warm,
      },
      { what: "validate-node --image, cold cache (fresh dir)", cmd: bin, args: byImage, env: cold },
      { what: "validate-node --image, warm cache", cmd: bin, args: byImage, env: warm },
      {
        what: "validate-node --image --no-cache",
        cmd: bin,
        args: [...byImage, "--no-cache"],
        env: warm,
      },
      { what: "plain node, no request", cmd: process.execPath, args: asks("none", []), env: warm },
      {
        what: "plain node, a cold run's requests",
        cmd: process.execPath,
        args: asks("cold", coldAsks),
        env: warm,
      },
      {
        what: "plain node, a warm run's requests",
        cmd: process.execPath,
        args: asks("warm", warmAsks),
        env: warm,
      },
    ];
    // Interleaved, so that the ratios compare runs made under the same load.
    const [local = 1, coldMs = 0, warmMs = 0, none = 0, plain0 = 0, plainCold = 0, plainWarm = 0] =
      interleavedMedians(cases, ROUNDS);
    const ratio = (ms: number) => `${(ms / local).toFixed(2)}× --spec`;
    line(cases[0]?.what ?? "", `${fmt(local)} ms (median of ${ROUNDS}, interleaved)`);
    line(cases[1]?.what ?? "", `${fmt(coldMs)} ms, ${ratio(coldMs)}`);
    line(
      cases[2]?.what ?? "",
      `${fmt(warmMs)} ms, ${ratio(warmMs)}, ${fmt(warmMs / coldMs)}× cold`,
    );
    line(cases[3]?.what ?? "", `${fmt(none)} ms, ${ratio(none)}`);
    // The round trips' own cost, added to --spec: no client can do better on this machine.
    line(
      "plain node: no / cold / warm requests",
      `${fmt(plain0)} / ${fmt(plainCold)} / ${fmt(plainWarm)} ms`,
    );
    line(
      "floor: --spec + those requests, cold / warm",
      `${fmt((local + plainCold - plain0) / local)}× / ${fmt((local + plainWarm - plain0) / local)}×`,
    );
    const met = coldMs / local <= TARGET && warmMs / local <= TARGET && warmMs < coldMs;
    line(
      `target: ≤ ${TARGET}× cold and warm, warm < cold`,
      met ? "met" : "NOT met (figures above)",
    );
  } finally {
    await reg.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
