import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { BIN, REPO, runBin, runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "kompat-cli-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const NODE = JSON.stringify({
  flags: { "kernel.loadedmodule": { elements: { kvm: {}, vfio_pci: {} } } },
  attributes: {
    "kernel.version": { elements: { full: "6.8.0-45-generic", major: "6", minor: "8" } },
    "cpu.model": { elements: { vendor_id: "AMD" } },
  },
  instances: { "pci.device": { elements: [{ attributes: { vendor: "10de", class: "0302" } }] } },
});
const nodeFile = file("node.json", NODE);

const SPEC = `version: v1alpha1
compatibilities:
- description: gpu nodes
  tag: gpu
  weight: 50
  rules:
  - name: nvidia
    matchFeatures:
    - feature: pci.device
      matchExpressions:
        vendor: {op: In, value: ["10de"]}
  - name: kernel
    matchFeatures:
    - feature: kernel.version
      matchExpressions:
        full: {op: Ge, value: ["6.1"], type: version}
- description: intel only
  tag: cpu
  weight: 5
  rules:
  - name: intel
    matchFeatures:
    - feature: cpu.model
      matchExpressions:
        vendor_id: {op: In, value: ["Intel"]}
`;
const specFile = file("spec.yaml", SPEC);

/** A multi-node report as [node, compatible, number of sets] rows. */
function fleetOutline(data: unknown): Array<[string, boolean, number]> {
  const nodes = data as Array<{ node: string; compatible: boolean; report: unknown[] }>;
  return nodes.map((n) => [n.node, n.compatible, n.report.length]);
}

test("compatible node: exit 0, text report names the best set and what the host had", async () => {
  const r = await runCli(["validate-node", "--spec", specFile, "--features", nodeFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Verdict: compatible: best set 1 "gpu nodes" \(tag gpu, weight 50\)/);
  assert.match(r.stdout, /vendor_id\s+In \[Intel\]\s+host: "AMD"/);
  assert.match(r.stdout, /1 instance: "10de"/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, "no colour when not a TTY");
});

test("--tags selects sets; an incompatible selection exits 1", async () => {
  const r = await runCli([
    "validate-node",
    "--spec",
    specFile,
    "--features",
    nodeFile,
    "--tags",
    "cpu",
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Verdict: incompatible: none of 1 compatibility set matched/);
  assert.doesNotMatch(r.stdout, /gpu nodes/);
});

test("--tags that selects nothing is an error (exit 2) listing the spec's tags", async () => {
  const r = await runCli([
    "validate-node",
    "--spec",
    specFile,
    "--features",
    nodeFile,
    "--tags",
    "fpga",
  ]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /--tags fpga selects no compatibility set \(the spec's tags are: cpu, gpu\)/,
  );
});

test("--output-json prints NFD's report shape", async () => {
  const r = await runCli([
    "validate-node",
    "--spec",
    specFile,
    "--features",
    nodeFile,
    "--output-json",
  ]);
  assert.equal(r.code, 0);
  assert.ok(!r.stdout.endsWith("\n"), "NFD prints no trailing newline");
  const sets = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.equal(sets.length, 2);
  assert.deepEqual(Object.keys(sets[0] ?? {}).slice(0, 4), [
    "rules",
    "description",
    "weight",
    "tag",
  ]);
  const rule = (sets[1]?.rules as Array<Record<string, unknown>>)[0];
  assert.deepEqual(
    { ...(rule?.matchedExpressions as Array<Record<string, unknown>>)[0], host: undefined },
    {
      feature: "cpu.model",
      name: "vendor_id",
      expression: { op: "In", value: ["Intel"] },
      matcherType: "matchExpression",
      isMatch: false,
      host: undefined,
    },
  );
});

test("-o yaml", async () => {
  const r = await runCli([
    "validate-node",
    "--spec",
    specFile,
    "--features",
    nodeFile,
    "-o",
    "yaml",
  ]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^- rules:\n/);
});

test("an invalid spec is refused with file:line:col (exit 2)", async () => {
  const bad = file(
    "bad.yaml",
    SPEC.replace('op: In, value: ["Intel"]', 'op: Equals, value: ["Intel"]'),
  );
  const r = await runCli(["validate-node", "--spec", bad, "--features", nodeFile]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, "\\.")}:\\d+:\\d+: error: .*Equals`));
});

test("missing files and bad features are clear errors (exit 2)", async () => {
  let r = await runCli(["validate-node", "--spec", join(tmp, "nope.yaml"), "--features", nodeFile]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read spec .*nope\.yaml: no such file/);

  const truncated = file(
    "trunc.json",
    '{"flags": {"kernel.loadedmodule": {"elements": {"kvm": {}}}',
  );
  r = await runCli(["validate-node", "--spec", specFile, "--features", truncated]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /invalid features: .*trunc\.json:1:\d+: invalid JSON: (Unexpected end of JSON input|Expected .*)\n$/,
  );

  r = await runCli(["validate-node", "--spec", specFile, "--host-root", join(tmp, "no-such-root")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--host-root .*no-such-root: no such directory/);

  const badNode = file("badnode.yaml", "flags:\n  kernel.loadedmodule:\n    elements: [kvm]\n");
  r = await runCli(["validate-node", "--spec", specFile, "--features", badNode]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid features: .*badnode\.yaml:3:15: flag elements must be a map/);
});

test("NodeFeature objects and multi-node files; --node picks one", async () => {
  const nf = file(
    "nf.yaml",
    `apiVersion: nfd.k8s-sigs.io/v1alpha1\nkind: NodeFeature\nmetadata:\n  name: worker-1\nspec:\n  features: ${NODE}\n`,
  );
  let r = await runCli(["validate-node", "--spec", specFile, "--features", nf, "--output-json"]);
  assert.equal(r.code, 0, r.stderr);

  const fleet = file("fleet.json", JSON.stringify({ good: JSON.parse(NODE), empty: {} }));
  r = await runCli(["validate-node", "--spec", specFile, "--features", fleet]);
  assert.equal(r.code, 1, "one incompatible node makes the fleet incompatible");
  assert.match(r.stdout, /1 of 2 nodes compatible/);
  r = await runCli(["validate-node", "--spec", specFile, "--features", fleet, "--output-json"]);
  assert.deepEqual(fleetOutline(JSON.parse(r.stdout)), [
    ["good", true, 2],
    ["empty", false, 2],
  ]);
  r = await runCli(["validate-node", "--spec", specFile, "--features", fleet, "--node", "good"]);
  assert.equal(r.code, 0);
  r = await runCli(["validate-node", "--spec", specFile, "--features", fleet, "--node", "other"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--node other: no such node .*\(nodes: good, empty\)/);
});

test("features from stdin, through the real binary", async () => {
  const r = await runBin(["validate-node", "--spec", specFile, "--features", "-"], { stdin: NODE });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Verdict: compatible/);
});

test("the bundled example works as the README says", async () => {
  const r = await runBin([
    "validate-node",
    "--spec",
    join(REPO, "examples/compat-spec.yaml"),
    "--features",
    join(REPO, "examples/node-features.json"),
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /best set 1 "GPU nodes/);
});

test("usage errors exit 2", async () => {
  let r = await runCli(["validate-node", "--features", nodeFile]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /exactly one of --spec FILE or --image REF/);
  r = await runCli(["validate-node", "--spec", specFile, "--bogus"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown option '--bogus'/);
  r = await runCli(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
});

test("a closed pipe (kompat … | head) ends quietly", async () => {
  const { spawnSync } = await import("node:child_process");
  // Several hundred KB of report, far more than a pipe buffers.
  const many = Object.fromEntries(
    Array.from({ length: 500 }, (_, i) => [`n${i}`, JSON.parse(NODE)]),
  );
  const fleet = file("pipe-fleet.json", JSON.stringify(many));
  const cmd = `set -o pipefail; '${BIN}' validate-node --spec '${specFile}' --features '${fleet}' | head -c 10 >/dev/null`;
  const r = spawnSync("bash", ["-c", cmd], { encoding: "utf8" });
  assert.equal(r.stderr, "", "no EPIPE stack trace");
  assert.equal(r.status, 0);
});

test("colours only when the output is a terminal without NO_COLOR", async (t) => {
  // A real terminal: script(1) runs the binary on a pseudo-terminal.
  const onTty = (env: Record<string, string>) => {
    const cmd = `${BIN} validate-node --spec ${specFile} --features ${nodeFile}`;
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    return r.error ? undefined : r.stdout;
  };
  const plain = onTty({});
  if (plain === undefined) return t.skip("script(1) is not installed");
  assert.match(plain, /\x1b\[32mcompatible\x1b\[0m/);
  assert.doesNotMatch(onTty({ NO_COLOR: "1" }) ?? "", /\x1b\[/);
  const piped = await runBin(["validate-node", "--spec", specFile, "--features", nodeFile]);
  assert.doesNotMatch(piped.stdout, /\x1b\[/);
  assert.match(piped.stdout, /compatible/);
  const r = await runCli(["validate-node", "--spec", specFile, "--features", nodeFile], {
    color: true,
  });
  assert.match(r.stdout, /\x1b\[32mcompatible\x1b\[0m/);
  assert.match(r.stdout, /\x1b\[31m✗\x1b\[0m/);
});

test("--summary: one verdict line per node, as the full report's summary says", async () => {
  const intel = JSON.parse(NODE) as { attributes: Record<string, { elements: object }> };
  intel.attributes["cpu.model"] = { elements: { vendor_id: "Intel" } };
  const fleet = file(
    "summary-fleet.json",
    JSON.stringify({ good: JSON.parse(NODE), empty: {}, intel }),
  );
  const r = await runCli(["validate-node", "--spec", specFile, "--features", fleet, "--summary"]);
  assert.equal(r.code, 1, "one incompatible node makes the fleet incompatible");
  assert.equal(
    r.stdout,
    [
      'good: compatible: best set 1 "gpu nodes" (tag gpu, weight 50)',
      "empty: incompatible: none of 2 compatibility sets matched",
      'intel: compatible: best set 1 "gpu nodes" (tag gpu, weight 50)',
      "2 of 3 nodes compatible",
      "",
    ].join("\n"),
  );
  // The same verdicts as the full reports' closing summary.
  const full = await runCli(["validate-node", "--spec", specFile, "--features", fleet]);
  for (const line of r.stdout.split("\n").slice(0, 3))
    assert.ok(full.stdout.includes(`  ${line}\n`), `${line} not in the full output`);

  const json = await runCli([
    "validate-node",
    "--spec",
    specFile,
    "--features",
    fleet,
    "--summary",
    "-o",
    "json",
  ]);
  assert.deepEqual(JSON.parse(json.stdout), [
    { node: "good", compatible: true, bestSet: 1, matchedSets: [1] },
    { node: "empty", compatible: false, bestSet: null, matchedSets: [] },
    { node: "intel", compatible: true, bestSet: 1, matchedSets: [1, 2] },
  ]);

  // Set numbers stay the spec's with --tags; a lone node prints no count.
  const cpu = await runCli([
    "validate-node",
    "--spec",
    specFile,
    "--features",
    fleet,
    "--node",
    "intel",
    "--tags",
    "cpu",
    "--summary",
  ]);
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.equal(cpu.stdout, 'intel: compatible: best set 2 "intel only" (tag cpu, weight 5)\n');
});

test("a fleet as YAML: one plain sequence, no anchors shared between nodes' reports", async () => {
  const fleet = file(
    "yaml-fleet.json",
    JSON.stringify({ a: JSON.parse(NODE), b: JSON.parse(NODE) }),
  );
  const r = await runCli(["validate-node", "--spec", specFile, "--features", fleet, "-o", "yaml"]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[&*]a\d/);
  const back: unknown = parseYaml(r.stdout);
  assert.deepEqual(fleetOutline(back), [
    ["a", true, 2],
    ["b", true, 2],
  ]);
  // The same data as the JSON output.
  const json = await runCli([
    "validate-node",
    "--spec",
    specFile,
    "--features",
    fleet,
    "-o",
    "json",
  ]);
  assert.deepEqual(back, JSON.parse(json.stdout));
});

test("a features file with no node is an error, not a vacuous pass", async () => {
  const none = file("no-nodes.json", "[]");
  const r = await runCli(["validate-node", "--spec", specFile, "--features", none]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid features: .*no-nodes\.json holds no node/);
});
