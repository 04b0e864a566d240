// `kompat select`: of several candidate images, the one this node should run — printed
// alone on stdout, pinned by digest, so that `image=$(kompat select …)` works.
// Exit 0 a candidate fits, 1 none does, 2 any error (a candidate that could not be read
// included: it might have been the best).

import { stringify as toYaml } from "yaml";
import type { Features } from "../../features/nodefeatures.js";
import type { Candidate, Selection } from "../../fleet/select.js";
import { parsePlatform, hostPlatform, type Platform } from "../../oci/platform.js";
import { UserError, type Io } from "../io.js";
import { parseFlags, claimStdin } from "../flags.js";
import { clientOptions, REGISTRY_FLAGS, REGISTRY_HELP, stdinReaders } from "../registry-flags.js";
import { pickNode, readImageRefs, readNodes } from "../fleet-input.js";
import { failureText, setText } from "../fleet-render.js";

const HELP = `Usage: kompat select --image REF --image REF… [options]

Prints the best candidate for this node: the one whose best matching compatibility set has
the highest weight (a tie goes to the earlier candidate), pinned by digest. A multi-platform
candidate is considered once per index entry of the node's platform.

  --image REF                 a candidate (repeat, in order of preference)
  --allow-unspecified         a candidate without a spec fits, with weight 0
  --features FILE             saved features of the node (- for stdin) instead of discovery
  --node NAME                 with a multi-node --features file: this node
  --host-root DIR             discover a host tree mounted at DIR (env KOMPAT_HOST_ROOT)
  --host-prefix PREFIX        discover NFD's container layout (/host-sys, /host-proc, …)
  --platform OS/ARCH[/VAR]    the node's platform (default: this machine's, or the
                              --host-root tree's architecture)
  -o, --output text|json|yaml json/yaml: every candidate with its verdict

${REGISTRY_HELP}
Exit status: 0 a candidate fits, 1 none fits, 2 error.
`;

const OPTIONS = {
  ...REGISTRY_FLAGS,
  image: { type: "string", multiple: true },
  "allow-unspecified": { type: "boolean" },
  features: { type: "string" },
  node: { type: "string" },
  "host-root": { type: "string" },
  "host-prefix": { type: "string" },
  output: { type: "string", short: "o" },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "select");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = f.output ?? "text";
  if (format !== "text" && format !== "json" && format !== "yaml")
    throw new UserError(`select: -o ${format}: expected text, json or yaml`);
  if (f.image === undefined || f.image.length === 0)
    throw new UserError("select: give the candidates with --image REF (repeatable)");
  if (f.features !== undefined && (f["host-root"] !== undefined || f["host-prefix"] !== undefined))
    throw new UserError("select: --features cannot be combined with --host-root/--host-prefix");
  if (f.node !== undefined && f.features === undefined)
    throw new UserError("select: --node selects a node of a --features file");
  claimStdin("select", [f.features === "-" && "--features -", ...stdinReaders(f)]);
  const images = await readImageRefs(f.image, io, "--image", false);

  const nodes = f.features === undefined ? undefined : await readNodes(f.features, io);
  let node: Features | ((names: Set<string>) => Promise<Features>);
  if (nodes !== undefined) {
    if (nodes.length > 1 && f.node === undefined)
      throw new UserError(
        `select: ${f.features} holds ${nodes.length} nodes; choose one with --node NAME`,
      );
    node = (f.node === undefined ? nodes[0] : pickNode(nodes, f.node, f.features as string))
      ?.features as Features;
  } else node = await liveNode(f, io);
  const platform = await nodePlatform(f, io);

  const opts = await clientOptions({ ...f, image: undefined }, io, "select");
  const { selectImage } = await import("../../fleet/select.js");
  const sel = await selectImage({
    images,
    node,
    platform,
    allowUnspecified: f["allow-unspecified"] === true,
    fetch: opts,
  });
  const errors = sel.candidates.filter((c) => c.state === "error");
  if (format !== "text") printData(sel, format, io);
  if (errors.length > 0) {
    for (const c of errors) io.stderr(`kompat: select: ${c.ref}: ${c.reason ?? "error"}\n`);
    throw new UserError(
      `select: ${errors.length} candidate${errors.length === 1 ? "" : "s"} could not be checked; no choice made`,
    );
  }
  const winner = sel.selected === null ? undefined : sel.candidates[sel.selected];
  if (winner === undefined) {
    if (format === "text") {
      io.stderr("kompat: select: no candidate fits this node\n");
      for (const c of sel.candidates) io.stderr(`  ${candidateLine(c)}\n`);
    }
    return 1;
  }
  if (format === "text") {
    io.stdout(`${winner.pinned}\n`);
    if (f.verbose) for (const c of sel.candidates) io.stderr(`  ${candidateLine(c)}\n`);
  }
  return 0;
}

/** Discovery of this host (or --host-root), reading only what the specs name. */
async function liveNode(
  f: { "host-root"?: string; "host-prefix"?: string; verbose?: boolean },
  io: Io,
): Promise<(names: Set<string>) => Promise<Features>> {
  const { hostFromFlags, reportProblems } = await import("../host-flags.js");
  const host = await hostFromFlags(f, io, "select");
  return async (names) => {
    const { discover } = await import("../../features/discover.js");
    const found = await discover({ host, env: io.env, features: names });
    if (f.verbose) reportProblems(found, io);
    return found.features;
  };
}

async function nodePlatform(
  f: { platform?: string; "host-root"?: string },
  io: Io,
): Promise<Platform> {
  if (f.platform !== undefined) {
    try {
      return parsePlatform(f.platform);
    } catch (e) {
      throw new UserError(`select: --platform: ${(e as Error).message}`);
    }
  }
  const own = hostPlatform();
  const root = f["host-root"] ?? io.env.KOMPAT_HOST_ROOT;
  if (root === undefined || root === "") return own;
  const { hostFromFlags } = await import("../host-flags.js");
  const { hostArch } = await import("../../features/arch.js");
  return { os: own.os, architecture: await hostArch(await hostFromFlags(f, io, "select")) };
}

function candidateName(c: Candidate): string {
  return `${c.ref}${c.platform !== undefined ? ` (${c.platform})` : ""}`;
}

function candidateLine(c: Candidate): string {
  const name = candidateName(c);
  switch (c.state) {
    case "compatible":
      return `${name}: fits: best ${c.bestSet ? setText(c.bestSet) : "set"}`;
    case "incompatible": {
      const why = c.reason ?? c.failed.map(failureText).join("; ");
      return `${name}: does not fit: ${why}`;
    }
    case "no-spec":
      return `${name}: ${c.fits ? "fits (no spec, --allow-unspecified)" : "no spec attached"}`;
    case "error":
      return `${name}: error: ${c.reason ?? ""}`;
  }
}

function printData(sel: Selection, format: "json" | "yaml", io: Io): void {
  const winner = sel.selected === null ? undefined : sel.candidates[sel.selected];
  const data = {
    selected: winner?.pinned ?? null,
    candidates: sel.candidates.map((c, i) => ({
      ref: c.ref,
      pinned: c.pinned,
      ...(c.platform !== undefined ? { platform: c.platform } : {}),
      state: c.state,
      fits: c.fits,
      selected: i === sel.selected,
      weight: c.weight,
      bestSet: c.bestSet,
      subject: c.subject ?? null,
      artifact: c.artifact ?? null,
      reasons: c.reason !== undefined ? [c.reason] : c.failed.map(failureText),
    })),
  };
  if (format === "json") io.stdout(`${JSON.stringify(data, null, 2)}\n`);
  else io.stdout(toYaml(data, { aliasDuplicateObjects: false }));
}
