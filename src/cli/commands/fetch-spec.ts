// `kompat fetch-spec`: print the compatibility spec validate-node would use for an image.

import { resolveImageSpec } from "../../oci/compat.js";
import { parseFlags } from "../flags.js";
import type { Io } from "../io.js";
import {
  clientOptions,
  REGISTRY_FLAGS,
  REGISTRY_HELP,
  registryCall,
  requireImage,
} from "../registry-flags.js";

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
  const image = requireImage(f, "fetch-spec");
  const opts = await clientOptions(f, io, "fetch-spec");
  const got = await registryCall(() =>
    resolveImageSpec({
      ...opts,
      image,
      ...(f.platform !== undefined ? { platform: f.platform } : {}),
    }),
  );
  for (const n of got.notes) io.stderr(`kompat: note: ${n}\n`);
  opts.verbose?.(`spec from ${got.specSource}`);
  io.stdout(
    got.specText.endsWith("\n") || got.specText === "" ? got.specText : `${got.specText}\n`,
  );
  return 0;
}
