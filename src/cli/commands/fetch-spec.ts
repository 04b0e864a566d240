// `kompat fetch-spec`: print the compatibility spec validate-node would use for an image,
// or with -o json the spec with where it came from (subject, artifact and layer digests).

import { parseFlags } from "../flags.js";
import { UserError, type Io } from "../io.js";
import { imageSpec, REGISTRY_FLAGS, REGISTRY_HELP } from "../registry-flags.js";

const HELP = `Usage: kompat fetch-spec --image REF [-o json] [options]

Prints the compatibility spec attached to the image: the newest artifact referring to what
REF resolves to (with --platform, to that platform's entry); when an index has none, the one
attached to this machine's platform entry, as validate-node does.

  -o, --output text|json      json: {subject, subjectDigest, artifact, created, specDigest,
                              source, notes, spec} — the spec with its provenance

${REGISTRY_HELP}`;

const OPTIONS = { ...REGISTRY_FLAGS, output: { type: "string", short: "o" } } as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, OPTIONS, "fetch-spec");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  if (f.output !== undefined && f.output !== "json" && f.output !== "text")
    throw new UserError(`fetch-spec: -o ${f.output}: expected text or json`);
  const got = await imageSpec(f, io, "fetch-spec");
  if (f.output === "json") {
    const doc = {
      subject: got.subject,
      subjectDigest: got.subjectDigest,
      artifact: got.artifactDigest,
      created: got.created ?? null,
      specDigest: got.specDigest,
      source: got.source,
      notes: got.notes,
      spec: got.specText,
    };
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    got.specText.endsWith("\n") || got.specText === "" ? got.specText : `${got.specText}\n`,
  );
  return 0;
}
