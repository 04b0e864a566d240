// Platforms as NFD's `--platform` reads them: `os[/arch[/variant]][:os_version]`, the
// architecture defaulting to the machine's, and matched exactly on every field given.
// Unlike NFD (oras), names are normalised as containerd's platform parser does: a bare
// architecture is not an OS, and `x86_64`, `aarch64`, `armhf` mean amd64, arm64, arm/v7.

import { endianness } from "node:os";
import { KNOWN_GOARCH, KNOWN_GOOS, goArch } from "../lib/go/arch.js";

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
 * the OS alone takes the host's architecture (`defaultArch`, OCI name). As containerd's
 * parser does, a lone known architecture (`amd64`, `x86_64`) takes the host's OS instead
 * (`defaultOs`), and names are normalised (see normalizeArch).
 */
export function parsePlatform(
  input: string,
  defaultArch: string = hostPlatform().architecture,
  defaultOs: string = hostPlatform().os,
): Platform {
  const fail = (reason: string): never => {
    throw new InvalidPlatformError(input, reason);
  };
  const colon = input.indexOf(":");
  const main = colon === -1 ? input : input.slice(0, colon);
  const osVersion = colon === -1 ? "" : input.slice(colon + 1);
  const parts = main.split("/");
  if (parts.length > 3) fail("expected os[/arch[/variant]][:os_version]");
  if (parts.length === 1 && isBareArchitecture(parts[0] ?? "")) parts.unshift(defaultOs);
  const [os = "", arch = defaultArch, variant = ""] = parts;
  if (os === "") fail("the OS is empty");
  if (arch === "") fail("the architecture is empty");
  const normal = normalizeArch(arch, variant);
  const p: Platform = { os: normalizeOs(os), architecture: normal.architecture };
  if (normal.variant !== "") p.variant = normal.variant;
  if (osVersion !== "") p.osVersion = osVersion;
  return p;
}

/** A single name that is an architecture (after normalising) and not an OS. */
function isBareArchitecture(name: string): boolean {
  const lower = name.toLowerCase();
  return !KNOWN_GOOS.has(lower) && KNOWN_GOARCH.has(normalizeArch(lower, "").architecture);
}

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === "macos" ? "darwin" : lower;
}

/**
 * containerd's aliases: x86_64/x86-64 → amd64, aarch64 → arm64, i386 → 386, armhf →
 * arm/v7, armel → arm/v6, and a bare variant number for arm or arm64 (`7`) → `v7`. Unlike
 * containerd, a variant is never added or dropped otherwise (`linux/arm` still matches every
 * arm entry, `linux/arm64/v8` only v8), as kompat matches index entries exactly.
 */
function normalizeArch(arch: string, variant: string): { architecture: string; variant: string } {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  if (a === "x86_64" || a === "x86-64") a = "amd64";
  else if (a === "aarch64") a = "arm64";
  else if (a === "i386") [a, v] = ["386", ""];
  else if (a === "armhf") [a, v] = ["arm", "v7"];
  else if (a === "armel") [a, v] = ["arm", "v6"];
  if ((a === "arm" || a === "arm64") && /^[0-9]/.test(v)) v = `v${v}`;
  return { architecture: a, variant: v };
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
