// Flags every registry-facing command shares (NFD's names), turned into client options;
// registry failures turned into user errors (exit 2, no stack).

import { RegistryError } from "../oci/errors.js";
import type { ClientOptions } from "../oci/client.js";
import { UserError, type Io } from "./io.js";
import { parseDuration, claimStdin } from "./flags.js";
import { printable } from "../lib/text/untrusted.js";

export const REGISTRY_FLAGS = {
  image: { type: "string" },
  platform: { type: "string" },
  "plain-http": { type: "boolean" },
  insecure: { type: "boolean" },
  "ca-file": { type: "string" },
  "registry-username": { type: "string" },
  "registry-password-stdin": { type: "boolean" },
  "registry-token-stdin": { type: "boolean" },
  "no-cache": { type: "boolean" },
  timeout: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * The registry flags' help, the one description every registry command shows; `verbose`
 * says what -v shows in that command.
 */
export function registryHelp(verbose = "show requests and decisions on stderr"): string {
  return `Registry access:
  --platform OS/ARCH[/VAR]    the platform entry of a multi-platform image
  --plain-http                talk HTTP, not HTTPS
  --insecure                  do not verify the registry's TLS certificate
  --ca-file FILE              also trust this CA (PEM)
  --registry-username USER    with --registry-password-stdin
  --registry-password-stdin   read the registry password from stdin
  --registry-token-stdin      read a registry access token from stdin
  --no-cache                  do not use or fill the content cache
  --timeout DURATION          deadline for the command's registry work as a whole, retries,
                              backoff and credential helpers included, 1 s later per MiB
                              moved (500ms, 30s, 2m; default 60s)
  -v, --verbose               ${verbose}
Without credential flags, Docker's config.json and podman's auth.json are consulted.
REF is registry/repository[:tag|@digest] or oci-layout:DIR[:tag|@digest].
`;
}

export const REGISTRY_HELP = registryHelp();

export interface RegistryFlagValues {
  image?: string | undefined;
  "plain-http"?: boolean | undefined;
  insecure?: boolean | undefined;
  "ca-file"?: string | undefined;
  "registry-username"?: string | undefined;
  "registry-password-stdin"?: boolean | undefined;
  "registry-token-stdin"?: boolean | undefined;
  "no-cache"?: boolean | undefined;
  timeout?: string | undefined;
  verbose?: boolean | undefined;
}

/** The registry flags that read stdin, for claimStdin. */
export function stdinReaders(
  f: Pick<RegistryFlagValues, "registry-password-stdin" | "registry-token-stdin">,
): (string | false | undefined)[] {
  return [
    f["registry-password-stdin"] === true && "--registry-password-stdin",
    f["registry-token-stdin"] === true && "--registry-token-stdin",
  ];
}

/** A password or token from stdin: one trailing newline dropped, nothing else. */
function secretFromStdin(text: string, what: string): string {
  const s = text.replace(/\r?\n$/, "");
  if (s === "") throw new UserError(`${what}: stdin is empty`);
  return s;
}

export async function clientOptions(
  f: RegistryFlagValues,
  io: Io,
  command: string,
): Promise<ClientOptions> {
  claimStdin(command, stdinReaders(f));
  if (f["registry-password-stdin"] && f["registry-username"] === undefined) {
    throw new UserError(`${command}: --registry-password-stdin needs --registry-username`);
  }
  if (f["registry-username"] !== undefined && !f["registry-password-stdin"]) {
    throw new UserError(
      `${command}: --registry-username needs --registry-password-stdin (the password is read from stdin)`,
    );
  }
  const opts: ClientOptions = { env: io.env, cwd: io.cwd };
  if (f["plain-http"]) opts.plainHttp = true;
  if (f.insecure) opts.insecure = true;
  if (f["ca-file"] !== undefined) opts.caFile = f["ca-file"];
  if (f["no-cache"]) opts.noCache = true;
  if (f.timeout !== undefined) opts.timeoutMs = parseDuration(f.timeout, "--timeout");
  if (f["registry-username"] !== undefined) {
    opts.username = f["registry-username"];
    opts.password = secretFromStdin(await io.readStdin(), "--registry-password-stdin");
  }
  if (f["registry-token-stdin"])
    opts.token = secretFromStdin(await io.readStdin(), "--registry-token-stdin");
  if (f.verbose) opts.verbose = (msg) => io.stderr(`  ${printable(msg)}\n`);
  return opts;
}

export function requireImage(f: RegistryFlagValues, command: string): string {
  if (f.image === undefined || f.image === "")
    throw new UserError(`${command}: --image REF is required`);
  return f.image;
}

/** Runs `fn`, turning registry and layout failures into user errors. */
export async function registryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RegistryError) throw new UserError(e.message);
    throw e;
  }
}

/**
 * The spec attached to `--image` (what validate-node and fetch-spec use); notes on which
 * subject was used go to stderr. The registry client is loaded only when needed.
 */
export async function imageSpec(
  f: RegistryFlagValues & { platform?: string | undefined },
  io: Io,
  command: string,
  /** The checked node's platform for an index's fallback (default: this machine's). */
  nodePlatform?: import("../oci/usecases.js").CompatSpecOptions["hostPlatform"],
): Promise<import("../oci/usecases.js").ImageSpec> {
  const image = requireImage(f, command);
  const opts = await clientOptions(f, io, command);
  const { fetchCompatSpec } = await import("../oci/usecases.js");
  const platform = f.platform !== undefined ? { platform: f.platform } : {};
  const node = nodePlatform !== undefined ? { hostPlatform: nodePlatform } : {};
  const got = await registryCall(() => fetchCompatSpec(image, { ...opts, ...platform, ...node }));
  for (const n of got.notes) io.stderr(`kompat: note: ${printable(n)}\n`);
  opts.verbose?.(`spec from ${got.specSource}`);
  return got;
}
