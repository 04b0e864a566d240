// `kompat attach`: lint a compatibility spec, then attach it to an image as an OCI artifact
// (the shape `oras attach` writes). Prints the artifact digest.

import { loadSpec } from "../../rules/index.js";
import { formatDiagnostic, hasErrors } from "../../spec/diagnostic.js";
import { attachSpec } from "../../oci/usecases.js";
import { parsePlatform } from "../../oci/platform.js";
import { MAX_SPEC_BYTES } from "../../spec/limits.js";
import { claimStdin, parseFlags, readInput } from "../flags.js";
import { UserError, type Io } from "../io.js";
import {
  clientOptions,
  REGISTRY_FLAGS,
  REGISTRY_HELP,
  registryCall,
  requireImage,
  stdinReaders,
} from "../registry-flags.js";

const HELP = `Usage: kompat attach --image REF --spec FILE [options]

Checks the spec (nothing is pushed when it has errors), then attaches it to the image as an
OCI artifact (${"application/vnd.nfd.image-compatibility.v1alpha1"}), the way
'oras attach' does. Without --platform the artifact refers to what REF points to (the index
of a multi-platform image), which is where 'nfd compat validate-node' looks.

  --image REF                 the image
  --spec FILE                 the compatibility spec (- for stdin)
  --annotation KEY=VALUE      an annotation of the artifact manifest (repeatable)

${REGISTRY_HELP}`;

const OPTIONS = {
  ...REGISTRY_FLAGS,
  spec: { type: "string" },
  annotation: { type: "string", multiple: true },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "attach");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const image = requireImage(f, "attach");
  if (f.spec === undefined) throw new UserError("attach: --spec FILE is required");
  claimStdin("attach", [f.spec === "-" && "--spec -", ...stdinReaders(f)]);
  const annotations = parseAnnotations(f.annotation ?? []);
  if (f.platform !== undefined) platformOf(f.platform);

  const { text, name } = await readInput(f.spec, io, "spec", MAX_SPEC_BYTES);
  const parsed = loadSpec(text, { file: name });
  for (const d of parsed.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  if (hasErrors(parsed.diagnostics) || !parsed.spec) {
    throw new UserError(`the spec ${name} is invalid; nothing was pushed`);
  }

  const opts = await clientOptions(f, io, "attach");
  const res = await registryCall(() =>
    attachSpec(image, text, {
      ...opts,
      ...(f.platform !== undefined ? { platform: f.platform } : {}),
      fileName: f.spec === "-" ? "spec.yaml" : (f.spec as string),
      annotations,
      warn: (m) => io.stderr(`kompat: warning: ${m}\n`),
    }),
  );
  opts.verbose?.(
    `attached to ${res.subjectName}${res.via === "fallback-tag" ? ` (recorded in the referrers tag ${res.fallbackTag})` : ""}`,
  );
  io.stdout(`${res.artifact.digest}\n`);
  return 0;
}

function platformOf(s: string) {
  try {
    return parsePlatform(s);
  } catch (e) {
    throw new UserError(`attach: --platform: ${(e as Error).message}`);
  }
}

function parseAnnotations(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    const eq = a.indexOf("=");
    if (eq <= 0)
      throw new UserError(`attach: --annotation ${JSON.stringify(a)}: expected KEY=VALUE`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}
