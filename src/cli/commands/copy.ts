// `kompat copy SRC DST`: an image (every platform of an index) with its compatibility
// artifacts (-r: every referrer) from a registry or OCI layout to another, as `oras copy -r`
// does. Flags shared by both sides, plus --from-… / --to-… where the two sides differ.

import type { ClientOptions } from "../../oci/client.js";
import { parseFlags } from "../flags.js";
import { UserError, type Io } from "../io.js";
import { clientOptions, REGISTRY_FLAGS, registryCall } from "../registry-flags.js";

const HELP = `Usage: kompat copy SRC DST [options]

Copies the image SRC (with every platform of an index) and the compatibility artifacts
attached to it and to its platform manifests to DST, skipping blobs and manifests DST has.
On a registry without the referrers API, DST's referrers tag is updated as attach does.
SRC and DST are registry/repository[:tag|@digest] or oci-layout:DIR[:tag|@digest]; DST
without a tag takes SRC's.

  -r, --recursive             every referrer (signatures, SBOMs, …), not only compatibility
                              artifacts, and theirs in turn
  --from-plain-http, --to-plain-http    HTTP for one side only (--plain-http: both)
  --from-insecure, --to-insecure        no TLS verification for one side (--insecure: both)
  --from-ca-file FILE, --to-ca-file FILE
  --from-username USER --from-password-stdin   credentials for SRC's registry only
  --to-username USER --to-password-stdin       credentials for DST's registry only
  --plain-http, --insecure, --ca-file FILE, --no-cache, --timeout DURATION, -v
                              as for the other registry commands, for both sides
Without credential flags, Docker's config.json and podman's auth.json are consulted per
registry. Only one --…-password-stdin can be given (stdin is read once).
`;

const { image: _image, platform: _platform, ...SHARED } = REGISTRY_FLAGS;
const OPTIONS = {
  ...SHARED,
  recursive: { type: "boolean", short: "r" },
  "from-plain-http": { type: "boolean" },
  "to-plain-http": { type: "boolean" },
  "from-insecure": { type: "boolean" },
  "to-insecure": { type: "boolean" },
  "from-ca-file": { type: "string" },
  "to-ca-file": { type: "string" },
  "from-username": { type: "string" },
  "from-password-stdin": { type: "boolean" },
  "to-username": { type: "string" },
  "to-password-stdin": { type: "boolean" },
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values: f, positionals } = parseFlags(argv, OPTIONS, "copy", true);
  if (f.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 2)
    throw new UserError(
      `copy: expected SRC and DST, got ${positionals.length} argument${positionals.length === 1 ? "" : "s"} (kompat copy --help)`,
    );
  const [src, dstGiven] = positionals as [string, string];
  if (
    f["registry-username"] !== undefined ||
    f["registry-password-stdin"] ||
    f["registry-token-stdin"]
  )
    throw new UserError(
      "copy: credentials belong to one registry: give --from-username/--from-password-stdin or --to-username/--to-password-stdin",
    );
  if (f["from-password-stdin"] && f["to-password-stdin"])
    throw new UserError(
      "copy: --from-password-stdin and --to-password-stdin both read stdin; give one",
    );
  for (const side of ["from", "to"] as const) {
    if ((f[`${side}-username`] === undefined) !== !f[`${side}-password-stdin`])
      throw new UserError(`copy: --${side}-username and --${side}-password-stdin go together`);
  }

  const shared = await clientOptions(f, io, "copy");
  const side = async (s: "from" | "to"): Promise<ClientOptions> => {
    const o: ClientOptions = { ...shared };
    if (f[`${s}-plain-http`]) o.plainHttp = true;
    if (f[`${s}-insecure`]) o.insecure = true;
    const ca = f[`${s}-ca-file`];
    if (ca !== undefined) o.caFile = ca;
    const user = f[`${s}-username`];
    if (user !== undefined) {
      const pw = (await io.readStdin()).replace(/\r?\n$/, "");
      if (pw === "") throw new UserError(`--${s}-password-stdin: stdin is empty`);
      o.username = user;
      o.password = pw;
    }
    return o;
  };
  const fromOpts = await side("from");
  const toOpts = await side("to");
  const { copyImage } = await import("../../oci/usecases.js");
  const r = await registryCall(() =>
    copyImage(src, dstGiven, {
      from: fromOpts,
      to: toOpts,
      ...(f.recursive ? { allReferrers: true } : {}),
      ...(shared.verbose ? { log: shared.verbose } : {}),
    }),
  );
  io.stdout(
    `Copied ${r.from} => ${r.to}\n` +
      `Digest: ${r.root.digest}\n` +
      `${r.manifestsCopied} manifest${r.manifestsCopied === 1 ? "" : "s"} and ${r.blobsCopied} blob${r.blobsCopied === 1 ? "" : "s"} (${r.bytesCopied} bytes) copied, ` +
      `${r.manifestsSkipped} manifest${r.manifestsSkipped === 1 ? "" : "s"} and ${r.blobsSkipped} blob${r.blobsSkipped === 1 ? "" : "s"} already there; ${r.referrers} referrer${r.referrers === 1 ? "" : "s"}\n`,
  );
  return 0;
}
