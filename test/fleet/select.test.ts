// kompat select against the real registry: the best of several builds for a node, pinned
// by digest, ties to the earlier candidate, candidates without a spec, multi-platform
// candidates per entry, and nothing fitting.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { haveDistribution } from "../helpers/registry.js";
import { join } from "node:path";
import { REPO, runCli } from "../helpers/cli.js";
import {
  ATOM_NODE,
  CPU_NODE,
  GPU_NEW,
  GPU_OLD,
  fleetFile,
  userEnv,
  type NodeType,
} from "./helpers.js";
import { startFleet, type Fleet } from "./registry-setup.js";

const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";

interface SelectJson {
  selected: string | null;
  candidates: Array<{
    ref: string;
    pinned: string | null;
    platform?: string;
    state: string;
    fits: boolean;
    selected: boolean;
    weight: number | null;
    reasons: string[];
  }>;
}

describe("select: the best image for a node, on a real registry", { skip }, () => {
  let fleet: Fleet;
  const env = userEnv();
  before(async () => {
    fleet = await startFleet();
  });
  after(async () => {
    await fleet?.stop();
  });
  const ref = (tag: string) => `${fleet.repo}:${tag}`;
  const pinned = (tag: string) => `${fleet.repo}@${fleet.digests[tag]}`;
  const node = (t: NodeType) => fleetFile([["node-1", t]]);
  const select = (t: NodeType, tags: string[], ...more: string[]) =>
    runCli(
      [
        "select",
        "--plain-http",
        "--features",
        node(t),
        ...tags.flatMap((x) => ["--image", ref(x)]),
        ...more,
      ],
      { env },
    );

  it("prints the heaviest fitting candidate alone, pinned by digest", async () => {
    const builds = ["cuda12", "cuda11", "cpu"];
    for (const [t, want] of [
      [GPU_NEW, "cuda12"],
      [GPU_OLD, "cuda11"],
      [CPU_NODE, "cpu"],
    ] as const) {
      const r = await select(t, builds);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${pinned(want)}\n`);
      assert.equal(r.stderr, "");
    }
  });

  it("the order given does not beat weight", async () => {
    const r = await select(GPU_NEW, ["cpu", "cuda11", "cuda12"]);
    assert.equal(r.stdout, `${pinned("cuda12")}\n`);
  });

  it("a tie goes to the earlier candidate", async () => {
    const a = await select(CPU_NODE, ["cpu", "cpu-too"]);
    assert.equal(a.stdout, `${pinned("cpu")}\n`);
    const b = await select(CPU_NODE, ["cpu-too", "cpu"]);
    assert.equal(b.stdout, `${pinned("cpu-too")}\n`);
  });

  it("no candidate fits: exit 1, nothing on stdout, each candidate's reason on stderr", async () => {
    const r = await select(ATOM_NODE, ["cuda12", "cpu"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /no candidate fits this node/);
    assert.match(
      r.stderr,
      /app:cuda12: does not fit: set 1 .*pci\.device vendor In \[10de\] \(host: 1 instance: "8086"\)/,
    );
    assert.match(
      r.stderr,
      /app:cpu: does not fit: .*cpu\.cpuid AVX2 Exists \(host: element missing\)/,
    );
  });

  it("a candidate without a spec fits, with weight 0, only with --allow-unspecified", async () => {
    const without = await select(ATOM_NODE, ["nospec", "cpu"]);
    assert.equal(without.code, 1);
    assert.match(without.stderr, /app:nospec: no spec attached/);
    const allowed = await select(ATOM_NODE, ["nospec", "cpu"], "--allow-unspecified");
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.stdout, `${pinned("nospec")}\n`);
    // Any fitting spec outweighs no spec.
    const weighed = await select(CPU_NODE, ["nospec", "cpu"], "--allow-unspecified");
    assert.equal(weighed.stdout, `${pinned("cpu")}\n`);
  });

  it("a multi-platform candidate: the entry of the node's platform, with its own spec", async () => {
    const arm = await select(CPU_NODE, ["multi"], "--platform", "linux/arm64");
    assert.equal(arm.code, 0, arm.stderr);
    assert.equal(arm.stdout, `${fleet.repo}@${fleet.multi.arm64.digest}\n`);
    const amd = await select(GPU_NEW, ["multi"], "--platform", "linux/amd64");
    assert.equal(amd.stdout, `${fleet.repo}@${fleet.multi.amd64.digest}\n`);
    // amd64's entry wants CUDA 12: a CPU node gets nothing, though arm64's spec would fit.
    const none = await select(CPU_NODE, ["multi"], "--platform", "linux/amd64");
    assert.equal(none.code, 1);
    const off = await select(CPU_NODE, ["multi"], "--platform", "linux/riscv64");
    assert.equal(off.code, 1);
    assert.match(off.stderr, /has no manifest for linux\/riscv64/);
  });

  it("an entry without its own spec takes the index's, and is pinned by the entry's digest", async () => {
    const shared = `${fleet.reg.host}/shared:1`;
    const r = await runCli(
      [
        "select",
        "--plain-http",
        "--features",
        node(CPU_NODE),
        "--image",
        shared,
        "--platform",
        "linux/amd64",
        "-o",
        "json",
      ],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as SelectJson;
    assert.equal(out.selected, `${fleet.reg.host}/shared@${fleet.shared.amd64.digest}`);
    assert.equal(out.candidates[0]?.platform, "linux/amd64");
  });

  it("discovers a host tree (--host-root), reading only what the specs name", async () => {
    const root = join(REPO, "test/fixtures/hosts/firecracker-debian12-amd64");
    const r = await runCli(
      [
        "select",
        "--plain-http",
        "--host-root",
        root,
        "--image",
        ref("cuda12"),
        "--image",
        ref("cpu"),
      ],
      { env },
    );
    // The captured VM has AVX2 and no NVIDIA GPU.
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${pinned("cpu")}\n`);
  });

  it("-o json lists every candidate with its verdict", async () => {
    const r = await select(GPU_OLD, ["cuda12", "cuda11", "nospec"], "-o", "json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as SelectJson;
    assert.equal(out.selected, pinned("cuda11"));
    assert.deepEqual(
      out.candidates.map((c) => [c.ref, c.pinned, c.state, c.fits, c.selected, c.weight]),
      [
        [ref("cuda12"), pinned("cuda12"), "incompatible", false, false, null],
        [ref("cuda11"), pinned("cuda11"), "compatible", true, true, 50],
        [ref("nospec"), pinned("nospec"), "no-spec", false, false, null],
      ],
    );
    assert.match(
      out.candidates[0]?.reasons[0] ?? "",
      /kernel\.version major Ge \[6\] \(host: "5"\)/,
    );
  });

  it("a candidate that cannot be checked is an error (exit 2): it might have been the best", async () => {
    const r = await select(GPU_NEW, ["missing", "cpu"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /select: .*app:missing: .*missing/);
    assert.match(r.stderr, /1 candidate could not be checked; no choice made/);
    const bad = await select(GPU_NEW, ["broken"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the spec attached to .* is invalid/);
  });

  it("bad input: a clear message, exit 2", async () => {
    const none = await runCli(["select", "--features", node(CPU_NODE)], { env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /select: give the candidates with --image REF/);
    const badRef = await runCli(
      ["select", "--features", node(CPU_NODE), "--image", "app@sha256:nothex"],
      {
        env,
      },
    );
    assert.equal(badRef.code, 2);
    assert.match(badRef.stderr, /--image app@sha256:nothex: invalid reference "app@sha256:nothex"/);
    const two = fleetFile([
      ["a", CPU_NODE],
      ["b", GPU_NEW],
    ]);
    const many = await runCli(["select", "--features", two, "--image", ref("cpu")], { env });
    assert.equal(many.code, 2);
    assert.match(many.stderr, /holds 2 nodes; choose one with --node NAME/);
    const picked = await runCli(
      [
        "select",
        "--plain-http",
        "--features",
        two,
        "--node",
        "b",
        "--image",
        ref("cuda12"),
        "--image",
        ref("cpu"),
      ],
      { env },
    );
    assert.equal(picked.stdout, `${pinned("cuda12")}\n`);
    const plat = await runCli(
      ["select", "--features", two, "--node", "a", "--image", ref("cpu"), "--platform", "/x"],
      { env },
    );
    assert.equal(plat.code, 2);
    assert.match(plat.stderr, /select: --platform: invalid platform "\/x": the OS is empty/);
  });
});
