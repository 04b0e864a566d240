// Platforms as NFD's `--platform` reads them: `os[/arch[/variant]][:os_version]`, the
// architecture defaulting to the machine's, and matched exactly on every field given.

import { endianness } from "node:os";
import { goArch } from "../lib/go/arch.js";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

/** The `platform` object of an OCI index entry or image config (OCI field names). */
export interface DescriptorPlatform {
  os?: string;
  architecture?: string;
  variant?: string;
  "os.version"?: string;
}

export class InvalidPlatformError extends Error {
  override name = "InvalidPlatformError";
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid platform ${JSON.stringify(input)}: ${reason}`);
  }
}

/** The platform this process runs on: Node's platform name is already OCI's for linux. */
export function hostPlatform(
  nodeArch: string = process.arch,
  nodeOs: string = process.platform,
  littleEndian: boolean = endianness() === "LE",
): Platform {
  return {
    os: nodeOs === "win32" ? "windows" : nodeOs,
    architecture: goArch(nodeArch, littleEndian),
  };
}

/**
 * Parse like NFD: the text after the first ":" is the OS version; up to three "/" parts;
 * the OS alone takes the host's architecture (`defaultArch`, OCI name).
 */
export function parsePlatform(
  input: string,
  defaultArch: string = hostPlatform().architecture,
): Platform {
  const fail = (reason: string): never => {
    throw new InvalidPlatformError(input, reason);
  };
  const colon = input.indexOf(":");
  const main = colon === -1 ? input : input.slice(0, colon);
  const osVersion = colon === -1 ? "" : input.slice(colon + 1);
  const parts = main.split("/");
  if (parts.length > 3) fail("expected os[/arch[/variant]][:os_version]");
  const [os = "", arch = defaultArch, variant = ""] = parts;
  if (os === "") fail("the OS is empty");
  if (arch === "") fail("the architecture is empty");
  const p: Platform = { os, architecture: arch };
  if (variant !== "") p.variant = variant;
  if (osVersion !== "") p.osVersion = osVersion;
  return p;
}

/** `os/arch[/variant][:os_version]`. */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}${p.osVersion ? `:${p.osVersion}` : ""}`;
}

/**
 * Whether an index entry's platform satisfies the target: OS and architecture always equal,
 * variant and OS version equal when the target sets them. An entry without a platform never
 * matches.
 */
export function matchPlatform(
  target: Platform,
  candidate: DescriptorPlatform | undefined,
): boolean {
  if (candidate === undefined) return false;
  if (candidate.os !== target.os || candidate.architecture !== target.architecture) return false;
  if (target.variant !== undefined && candidate.variant !== target.variant) return false;
  if (target.osVersion !== undefined && candidate["os.version"] !== target.osVersion) return false;
  return true;
}

/** The OCI `platform` object for a descriptor (as copied into an artifact's subject). */
export function toDescriptorPlatform(p: Platform): DescriptorPlatform {
  const d: DescriptorPlatform = { os: p.os, architecture: p.architecture };
  if (p.variant !== undefined) d.variant = p.variant;
  if (p.osVersion !== undefined) d["os.version"] = p.osVersion;
  return d;
}
