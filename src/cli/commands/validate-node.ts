// `kompat validate-node`: is this node (or a saved snapshot, or a fleet of them) compatible
// with the image's spec? Exit 0 compatible, 1 incompatible, 2 any error.

import { stringify as toYaml } from "yaml";
import { formatDiagnostic, hasErrors } from "../../spec/diagnostic.js";
import { MAX_SPEC_BYTES } from "../../spec/limits.js";
import { specFeatures } from "../../spec/features.js";
import type { Spec } from "../../spec/model.js";
import { loadSpec } from "../../rules/index.js";
import type { Report } from "../../rules/report.js";
import type { NodeSnapshot } from "../../features/snapshot.js";
import {
  checkTags,
  nodeReports,
  nodeVerdicts,
  snapshotsPlatform,
  ValidateInputError,
  type NodeVerdict,
} from "../../compat/validate.js";
import { pickNode, readNodes } from "../fleet-input.js";
import type { Platform } from "../../oci/platform.js";
import { UserError, type Io } from "../io.js";
import { claimStdin, commaList, parseFlags, readInput } from "../flags.js";
import {
  imageSpec,
  REGISTRY_FLAGS,
  registryHelp,
  type RegistryFlagValues,
  stdinReaders,
} from "../registry-flags.js";
import { renderReport, style, summaryLine, verdictLine } from "../render.js";
import { printable } from "../../lib/text/untrusted.js";

const HELP = `Usage: kompat validate-node (--spec FILE | --image REF) [options]

Checks whether this host (or saved features of one or many nodes) is compatible with an
image's compatibility spec, the way 'nfd compat validate-node' does.

Where the spec comes from:
  --spec FILE                 a compatibility spec (YAML or JSON; - for stdin)
  --image REF                 fetch the spec attached to an image (registry or oci-layout:DIR[:tag]);
                              the registry access flags below go with it

What it is checked against (default: discover this host):
  --features FILE             saved features: nfd export JSON, NodeFeature, a list or a map of nodes (- for stdin)
  --node NAME                 with a multi-node --features file: only this node
  --host-root DIR             discover a host tree mounted at DIR (env KOMPAT_HOST_ROOT)
  --host-prefix PREFIX        discover NFD's container layout (/host-sys, /host-proc, …)

Output:
  --tags a,b                  evaluate only the sets with these tags
  --summary                   one verdict line per node, no reports (fast for fleets);
                              with -o json|yaml: node, compatible, bestSet, matchedSets
  --output-json               NFD's JSON report
  -o, --output text|json|yaml

${registryHelp("warnings, discovery problems; with --image, requests too")}
Exit status: 0 compatible, 1 incompatible, 2 error.
`;

const OPTIONS = {
  ...REGISTRY_FLAGS,
  spec: { type: "string" },
  features: { type: "string" },
  node: { type: "string" },
  "host-root": { type: "string" },
  "host-prefix": { type: "string" },
  tags: { type: "string", multiple: true },
  summary: { type: "boolean" },
  "output-json": { type: "boolean" },
  output: { type: "string", short: "o" },
} as const;

type Format = "text" | "json" | "yaml";

export async function run(argv: string[], io: Io): Promise<number> {
  try {
    return await validateNode(argv, io);
  } catch (e) {
    if (e instanceof ValidateInputError) throw new UserError(e.message);
    throw e;
  }
}

async function validateNode(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "validate-node");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = outputFormat(f["output-json"], f.output);
  if ((f.spec === undefined) === (f.image === undefined)) {
    throw new UserError("validate-node: give exactly one of --spec FILE or --image REF");
  }
  claimStdin("validate-node", [
    f.spec === "-" && "--spec -",
    f.features === "-" && "--features -",
    ...stdinReaders(f),
  ]);
  if (
    f.features !== undefined &&
    (f["host-root"] !== undefined || f["host-prefix"] !== undefined)
  ) {
    throw new UserError(
      "validate-node: --features cannot be combined with --host-root/--host-prefix",
    );
  }
  if (f.platform !== undefined && f.image === undefined) {
    throw new UserError("validate-node: --platform goes with --image");
  }
  if (f.node !== undefined && f.features === undefined) {
    throw new UserError("validate-node: --node selects a node of a --features file");
  }

  // A snapshot is read first: with --image, its platform picks an index's entry.
  const saved = f.features !== undefined ? await savedNodes(f.features, f.node, io) : undefined;
  const { text, name, origin, provenance } = await specText(
    f,
    io,
    saved && snapshotsPlatform(saved, f.features ?? "-"),
  );
  const parsed = loadSpec(text, { file: name });
  const errors = hasErrors(parsed.diagnostics);
  for (const d of parsed.diagnostics) {
    if (d.severity === "error" || f.verbose || d.code === "unquoted-scalar")
      io.stderr(`${formatDiagnostic(d)}\n`);
  }
  if (errors || !parsed.spec) {
    throw new UserError(`the spec ${origin} is invalid (run 'kompat spec lint' for details)`);
  }
  const spec = parsed.spec;
  // Which artifact was used, in the text report (the JSON keeps NFD's shape).
  if (provenance !== undefined && format === "text") io.stdout(`Spec: ${provenance}\n`);
  const tags = commaList(f.tags);
  checkTags(spec, tags);

  const nodes = saved ?? (await discoverHost(f, io, spec));
  const opts = tags ? { tags } : {};
  if (f.summary) {
    const verdicts = nodeVerdicts(spec, nodes, opts);
    printSummary(verdicts, spec, format, io);
    return verdicts.every((v) => v.compatible) ? 0 : 1;
  }
  return printReports(nodeReports(spec, nodes, opts), nodes.length > 1, format, io) ? 0 : 1;
}

function outputFormat(json: boolean | undefined, output: string | undefined): Format {
  if (json) {
    if (output !== undefined && output !== "json")
      throw new UserError("--output-json conflicts with -o " + output);
    return "json";
  }
  if (output === undefined) return "text";
  if (output === "text" || output === "json" || output === "yaml") return output;
  throw new UserError(`-o ${output}: expected text, json or yaml`);
}

async function specText(
  f: RegistryFlagValues & { spec?: string | undefined; platform?: string | undefined },
  io: Io,
  nodePlatform: (() => Platform) | undefined,
): Promise<{ text: string; name: string; origin: string; provenance?: string }> {
  if (f.spec !== undefined) {
    const { text, name } = await readInput(f.spec, io, "spec", MAX_SPEC_BYTES);
    return { text, name, origin: name };
  }
  const got = await imageSpec(f, io, "validate-node", nodePlatform);
  return {
    text: got.specText,
    name: `${got.subject} (artifact ${got.artifactDigest})`,
    origin: `attached to ${got.subject}`,
    provenance: `artifact ${got.artifactDigest} attached to ${got.subject}`,
  };
}

/** The nodes of a --features file (only `--node` when given). */
async function savedNodes(path: string, node: string | undefined, io: Io): Promise<NodeSnapshot[]> {
  const nodes = await readNodes(path, io);
  return node === undefined ? nodes : [pickNode(nodes, node, path === "-" ? "stdin" : path)];
}

/** This host (or a host tree), discovered for the features the spec names. */
async function discoverHost(
  f: {
    "host-root"?: string | undefined;
    "host-prefix"?: string | undefined;
    verbose?: boolean | undefined;
  },
  io: Io,
  spec: Spec,
): Promise<NodeSnapshot[]> {
  const { discover } = await import("../../features/discover.js");
  const { hostFromFlags, reportProblems, failOnSourceErrors } = await import("../host-flags.js");
  const host = await hostFromFlags(f, io, "validate-node");
  // Only the features the spec names: the rest cannot change the verdict.
  const found = await discover({ host, env: io.env, features: specFeatures(spec) });
  if (f.verbose) reportProblems(found, io);
  failOnSourceErrors(found, "validate-node");
  const features = found.features;
  return [{ name: "this host", features }];
}

/**
 * Each node's report, printed as soon as it is made: a fleet's reports are never all in
 * memory (10,000 nodes of a 200-rule spec spent a third of their time collecting garbage).
 * NFD's shape for one node; a list of {node, compatible, report} for several. Whether all
 * nodes are compatible.
 */
function printReports(
  reports: Iterable<{ node: string; report: Report }>,
  many: boolean,
  format: Format,
  io: Io,
): boolean {
  const st = style(io.color);
  const verdicts: Array<{ node: string; line: string; compatible: boolean }> = [];
  if (format === "json" && many) io.stdout("[");
  let i = 0;
  for (const { node, report } of reports) {
    const first = i++ === 0;
    verdicts.push({ node, line: verdictLine(report, st), compatible: report.compatible });
    if (format === "text") {
      if (many) io.stdout(`${st.bold(`== node ${printable(node)}`)}\n`);
      io.stdout(renderReport(report, st));
      if (many) io.stdout("\n");
      continue;
    }
    const data = many ? { node, compatible: report.compatible, report: report.sets } : report.sets;
    if (format === "json") io.stdout((first ? "" : ",") + JSON.stringify(data));
    // One sequence entry per node; no anchors: reports share expression objects.
    else io.stdout(toYaml(many ? [data] : data, { aliasDuplicateObjects: false }));
  }
  // NFD prints no trailing newline; add one only for a person at a terminal.
  if (format === "json") io.stdout((many ? "]" : "") + (io.tty ? "\n" : ""));
  if (format === "text" && many) {
    const ok = verdicts.filter((v) => v.compatible).length;
    io.stdout(`${ok} of ${verdicts.length} nodes compatible\n`);
    for (const v of verdicts)
      io.stdout(`  ${printable(v.node)}: ${v.line.replace(/^Verdict: /, "")}\n`);
  }
  return verdicts.every((v) => v.compatible);
}

/** --summary: a verdict per node. Set numbers count from 1, as the text reports do. */
function printSummary(verdicts: NodeVerdict[], spec: Spec, format: Format, io: Io): void {
  if (format === "text") {
    const st = style(io.color);
    for (const { node, verdict: v } of verdicts)
      io.stdout(`${printable(node)}: ${summaryLine(v, spec, st)}\n`);
    if (verdicts.length > 1) {
      const ok = verdicts.filter((v) => v.compatible).length;
      io.stdout(`${ok} of ${verdicts.length} nodes compatible\n`);
    }
    return;
  }
  const data = verdicts.map(({ node, compatible, bestSet, matchedSets }) => ({
    node,
    compatible,
    bestSet,
    matchedSets,
  }));
  if (format === "json") io.stdout(JSON.stringify(data) + (io.tty ? "\n" : ""));
  else io.stdout(toYaml(data, { aliasDuplicateObjects: false }));
}
