// `kompat discover`: list the compatibility artifacts attached to an image, newest first,
// with what their specs hold (number of sets, tags) for the newest few. The list itself
// comes from the index entries alone, so a huge fallback index costs one read, not one per
// artifact.

import { summariseSpec } from "../../compat/summary.js";
import { findCompatArtifacts, type ReadSpec } from "../../oci/usecases.js";
import type { Descriptor } from "../../oci/descriptor.js";
import { ANNOTATION_CREATED } from "../../oci/mediatypes.js";
import { createdState } from "../../oci/referrers.js";
import { parseFlags } from "../flags.js";
import { UserError, type Io } from "../io.js";
import {
  clientOptions,
  REGISTRY_FLAGS,
  REGISTRY_HELP,
  registryCall,
  requireImage,
} from "../registry-flags.js";
import { printable } from "../../lib/text/untrusted.js";

/** Specs read (newest first) to describe them; the rest are listed from the index alone. */
const SPECS_READ = 20;

const HELP = `Usage: kompat discover --image REF [-o json] [options]

Lists the compatibility artifacts attached to what REF resolves to (with --platform, to
that platform's entry), newest first; the first is the one validate-node uses. The specs of
the newest ${SPECS_READ} are read to show their sets and tags.

  -o, --output text|json      json: the subject, the artifact used and every artifact
  --output-json               the same as -o json

${REGISTRY_HELP}`;

const OPTIONS = {
  ...REGISTRY_FLAGS,
  "output-json": { type: "boolean" },
  output: { type: "string", short: "o" },
} as const;

interface Listed {
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | undefined;
  created: string | undefined;
  /** NFD sorts a missing or unparsable `created` oldest; kompat says which it was. */
  createdState: "valid" | "missing" | "invalid";
  annotations: Record<string, string>;
  spec?: {
    digest: string;
    size: number;
    title: string | undefined;
    sets: number;
    tags: string[];
    valid: boolean;
  };
  error?: string;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "discover");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const json = f["output-json"] === true || f.output === "json";
  if (f.output !== undefined && f.output !== "json" && f.output !== "text")
    throw new UserError(`discover: -o ${f.output}: expected text or json`);
  const image = requireImage(f, "discover");
  const opts = await clientOptions(f, io, "discover");
  const found = await registryCall(() =>
    findCompatArtifacts(image, {
      ...opts,
      ...(f.platform !== undefined ? { platform: f.platform } : {}),
      readSpecs: SPECS_READ,
    }),
  );
  const artifacts = found.artifacts.map((a, i) => {
    const read = found.specs[i];
    return read === undefined ? listed(a) : describe(a, read);
  });
  if (json) {
    const doc = {
      subject: { reference: found.subjectName, ...found.subject },
      source: found.source,
      /** The artifact validate-node and fetch-spec use. */
      used: artifacts[0]?.digest ?? null,
      specsRead: Math.min(SPECS_READ, artifacts.length),
      artifacts,
    };
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const via =
    found.source === "api"
      ? "referrers API"
      : found.source === "tag"
        ? "referrers tag"
        : "OCI layout";
  // Names, dates and errors come from the registry: escaped for the terminal.
  io.stdout(`${printable(`${found.subjectName} (${found.subject.mediaType})`)}\n`);
  if (artifacts.length === 0) {
    io.stdout(`no compatibility artifacts (looked up via the ${via})\n`);
    if (found.resolved.kind === "index" && f.platform === undefined) {
      io.stdout("hint: artifacts attached to one platform are listed with --platform OS/ARCH\n");
    }
    return 0;
  }
  io.stdout(
    `${artifacts.length} compatibility artifact${artifacts.length === 1 ? "" : "s"} (via the ${via}), newest first:\n`,
  );
  for (const [i, a] of artifacts.entries()) {
    const what = a.spec
      ? `${a.spec.sets} set${a.spec.sets === 1 ? "" : "s"}${a.spec.tags.length > 0 ? `, tags ${a.spec.tags.join(",")}` : ""}${a.spec.valid ? "" : ", spec has errors"}`
      : a.error !== undefined
        ? `unreadable: ${a.error}`
        : "";
    const created =
      a.createdState === "valid"
        ? a.created
        : a.createdState === "missing"
          ? "(no created date)"
          : `(invalid created date ${JSON.stringify(a.created)}: sorts oldest)`;
    io.stdout(
      `  ${printable(`${a.digest}  ${created}${what && `  ${what}`}`)}${i === 0 ? "  <- used" : ""}\n`,
    );
  }
  if (artifacts.length > SPECS_READ)
    io.stdout(
      `(the specs of the newest ${SPECS_READ} were read; the other ${artifacts.length - SPECS_READ} are listed from the index)\n`,
    );
  return 0;
}

function listed(a: Descriptor): Listed {
  return {
    digest: a.digest,
    mediaType: a.mediaType,
    size: a.size,
    artifactType: a.artifactType,
    created: a.annotations?.[ANNOTATION_CREATED],
    createdState: createdState(a),
    annotations: a.annotations ?? {},
  };
}

function describe(a: Descriptor, read: ReadSpec): Listed {
  const listed_ = listed(a);
  if ("error" in read) {
    listed_.error = read.error.message;
    return listed_;
  }
  try {
    const { spec } = read;
    const title = spec.layer.annotations?.["org.opencontainers.image.title"];
    const summary = summariseSpec(spec.text, title ?? "spec");
    listed_.spec = { digest: spec.layer.digest, size: spec.layer.size, title, ...summary };
  } catch (e) {
    listed_.error = (e as Error).message;
  }
  return listed_;
}
