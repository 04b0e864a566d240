// `kompat fetch-spec`: print the compatibility spec validate-node would use for an image.

import { parseFlags } from "../flags.js";
import type { Io } from "../io.js";
import { imageSpec, REGISTRY_FLAGS, REGISTRY_HELP } from "../registry-flags.js";

const HELP = `Usage: kompat fetch-spec --image REF [options]

Prints the compatibility spec attached to the image: the newest artifact referring to what
REF resolves to (with --platform, to that platform's entry); when an index has none, the one
attached to this machine's platform entry, as validate-node does.

${REGISTRY_HELP}`;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f } = parseFlags(argv, REGISTRY_FLAGS, "fetch-spec");
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  const got = await imageSpec(f, io, "fetch-spec");
  io.stdout(
    got.specText.endsWith("\n") || got.specText === "" ? got.specText : `${got.specText}\n`,
  );
  return 0;
}
