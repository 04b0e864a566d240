// `kompat discover`: list the compatibility artifacts attached to an image, newest first,
// with what their specs hold (number of sets, tags) when they can be read.

import { loadSpec } from "../../rules/index.js";
import { hasErrors } from "../../spec/diagnostic.js";
import { asRegistryError, openImage } from "../../oci/client.js";
import { findCompatArtifacts, readArtifactSpec, type ArtifactSpec } from "../../oci/compat.js";
import type { CompatibilitySet } from "../../spec/model.js";
import type { Descriptor } from "../../oci/descriptor.js";
import { ANNOTATION_CREATED } from "../../oci/mediatypes.js";
import { parseFlags } from "../flags.js";
import type { Io } from "../io.js";
import {
  clientOptions,
  REGISTRY_FLAGS,
  REGISTRY_HELP,
  registryCall,
  requireImage,
} from "../registry-flags.js";
import { printable } from "../../lib/text/untrusted.js";

const HELP = `Usage: kompat discover --image REF [--output-json] [options]

Lists the compatibility artifacts attached to what REF resolves to (with --platform, to
that platform's entry), newest first; the first is the one validate-node uses.

  --output-json               machine-readable output

${REGISTRY_HELP}`;

const OPTIONS = { ...REGISTRY_FLAGS, "output-json": { type: "boolean" } } as const;

interface Listed {
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | undefined;
  created: string | undefined;
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
  const image = requireImage(f, "discover");
  const opts = await clientOptions(f, io, "discover");
  const out = await registryCall(async () => {
    const img = await openImage(image, opts).catch((e: unknown) => {
      throw asRegistryError(e);
    });
    try {
      const found = await findCompatArtifacts(img, {
        ...(f.platform !== undefined ? { platform: f.platform } : {}),
        ...(opts.verbose ? { log: opts.verbose } : {}),
      });
      const artifacts: Listed[] = [];
      for (const a of found.artifacts)
        artifacts.push(
          await describe(a, () => readArtifactSpec(img, a, found.subject, opts.verbose)),
        );
      return { found, artifacts };
    } catch (e) {
      throw asRegistryError(e);
    } finally {
      await img.close();
    }
  });
  const { found, artifacts } = out;
  if (f["output-json"]) {
    const doc = {
      subject: { reference: found.subjectName, ...found.subject },
      source: found.source,
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
      : `unreadable: ${a.error ?? "?"}`;
    io.stdout(
      `  ${printable(`${a.digest}  ${a.created ?? "(no created date)"}  ${what}`)}${i === 0 ? "  <- used" : ""}\n`,
    );
  }
  return 0;
}

async function describe(a: Descriptor, read: () => Promise<ArtifactSpec>): Promise<Listed> {
  const listed: Listed = {
    digest: a.digest,
    mediaType: a.mediaType,
    size: a.size,
    artifactType: a.artifactType,
    created: a.annotations?.[ANNOTATION_CREATED],
    annotations: a.annotations ?? {},
  };
  try {
    const spec = await read();
    const parsed = loadSpec(spec.text, {
      file: spec.layer.annotations?.["org.opencontainers.image.title"] ?? "spec",
    });
    const sets: readonly CompatibilitySet[] = parsed.spec?.compatibilities ?? [];
    const tags = [
      ...new Set(sets.flatMap((s) => (s.tag !== undefined && s.tag !== "" ? [s.tag] : []))),
    ];
    listed.spec = {
      digest: spec.layer.digest,
      size: spec.layer.size,
      title: spec.layer.annotations?.["org.opencontainers.image.title"],
      sets: sets.length,
      tags,
      valid: !hasErrors(parsed.diagnostics),
    };
  } catch (e) {
    listed.error = (asRegistryError(e) as Error).message;
  }
  return listed;
}
