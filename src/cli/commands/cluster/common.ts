// What every `cluster` command shares: kubectl's connection flags, the spec from --spec
// or --image (the registry flags of validate-node), --tags and -o.

import { createHash } from "node:crypto";
import { formatDiagnostic, hasErrors } from "../../../spec/diagnostic.js";
import { MAX_SPEC_BYTES } from "../../../spec/index.js";
import type { Spec } from "../../../spec/model.js";
import { loadSpec } from "../../../rules/index.js";
import { checkTags, ValidateInputError } from "../../../compat/validate.js";
import { commaList, parseFlags, readInput } from "../../flags.js";
import { UserError, type Io } from "../../io.js";
import { imageSpec, REGISTRY_FLAGS, type RegistryFlagValues } from "../../registry-flags.js";
import { CONNECTION_FLAGS, CONNECTION_HELP, type ConnectionFlagValues } from "./connection.js";

export {
  chunkSize,
  clusterCall,
  connect,
  CONNECTION_FLAGS,
  CONNECTION_HELP,
} from "./connection.js";

export const CLUSTER_FLAGS = {
  ...REGISTRY_FLAGS,
  spec: { type: "string" },
  ...CONNECTION_FLAGS,
  tags: { type: "string", multiple: true },
  output: { type: "string", short: "o" },
} as const;

export const CLUSTER_HELP = `Where the spec comes from:
  --spec FILE                 a compatibility spec (YAML or JSON; - for stdin)
  --image REF                 the spec attached to an image (registry flags as validate-node:
                              --platform, --plain-http, --insecure, --ca-file, --registry-*,
                              --no-cache, --timeout)
  --tags a,b                  only the compatibility sets with these tags

${CONNECTION_HELP}`;

export type Format = "text" | "json" | "yaml";

export function outputFormat(
  o: string | undefined,
  allowed: Format[] = ["text", "json", "yaml"],
): Format {
  const f = o ?? "text";
  if ((allowed as string[]).includes(f)) return f as Format;
  throw new UserError(`-o ${f}: expected ${allowed.join(", ")}`);
}

/**
 * A cluster command's start: its flags parsed, -o checked against the formats it prints
 * (the first is the default). Undefined when --help was asked for and printed (exit 0).
 */
export function clusterFlags<O extends typeof CLUSTER_FLAGS>(
  argv: string[],
  io: Io,
  command: string,
  options: O,
  help: string,
  formats: Format[] = ["text", "json", "yaml"],
): { f: ReturnType<typeof parseFlags<O>>["values"]; format: Format } | undefined {
  const { values: f } = parseFlags(argv, options, command);
  const v = f as { help?: boolean; output?: string };
  if (v.help) {
    io.stdout(help);
    return undefined;
  }
  return { f, format: outputFormat(v.output ?? formats[0], formats) };
}

export interface SpecOrigin {
  spec: Spec;
  /** `registry/app:1.2` or the spec file. */
  image?: string;
  /** The digest of the manifest the artifact is attached to. */
  subjectDigest?: string;
  /** `registry/app@sha256:…`. */
  subject?: string;
  artifactDigest?: string;
  /** sha256 of the spec's text: what names objects made from a --spec file. */
  specDigest: string;
}

export type ClusterFlagValues = RegistryFlagValues &
  ConnectionFlagValues & {
    spec?: string | undefined;
    platform?: string | undefined;
    tags?: string[] | string | undefined;
  };

/**
 * Fetches the spec an image carries. One small function on purpose: the library's name
 * for this use case may change, and only this line knows it.
 */
async function fetchImageSpec(
  f: ClusterFlagValues,
  io: Io,
  command: string,
): Promise<import("../../../oci/usecases.js").ImageSpec> {
  return imageSpec(f, io, command);
}

export async function specFrom(f: ClusterFlagValues, io: Io, command: string): Promise<SpecOrigin> {
  if ((f.spec === undefined) === (f.image === undefined))
    throw new UserError(`${command}: give exactly one of --spec FILE or --image REF`);
  if (f.platform !== undefined && f.image === undefined)
    throw new UserError(`${command}: --platform goes with --image`);
  let text: string;
  let name: string;
  let origin: Omit<SpecOrigin, "spec" | "specDigest"> = {};
  if (f.spec !== undefined) {
    ({ text, name } = await readInput(f.spec, io, "spec", MAX_SPEC_BYTES));
  } else {
    const got = await fetchImageSpec(f, io, command);
    text = got.specText;
    name = `${got.subject} (artifact ${got.artifactDigest})`;
    const at = got.subject.lastIndexOf("@");
    origin = {
      image: f.image as string,
      subject: got.subject,
      subjectDigest: at >= 0 ? got.subject.slice(at + 1) : got.subject,
      artifactDigest: got.artifactDigest,
    };
  }
  const parsed = loadSpec(text, { file: name });
  for (const d of parsed.diagnostics) {
    if (d.severity === "error" || f.verbose || d.code === "unquoted-scalar")
      io.stderr(`${formatDiagnostic(d)}\n`);
  }
  if (hasErrors(parsed.diagnostics) || !parsed.spec)
    throw new UserError(`the spec ${name} is invalid (run 'kompat spec lint' for details)`);
  const specDigest = `sha256:${createHash("sha256").update(text).digest("hex")}`;
  return { spec: parsed.spec, specDigest, ...origin };
}

/** --tags, checked against the spec as validate-node checks it. */
export function tagsOf(f: ClusterFlagValues, spec: Spec): string[] | undefined {
  const tags = commaList(f.tags);
  try {
    checkTags(spec, tags);
  } catch (e) {
    if (e instanceof ValidateInputError) throw new UserError(e.message);
    throw e;
  }
  return tags;
}
