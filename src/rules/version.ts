// Versions as NFD compares them (`type: version`): Masterminds semver v3 NewVersion in its
// coercing mode, with the pre-release dropped before comparing — so only major.minor.patch
// count. kompat also accepts what NFD rejects after the first "-" or "+" (kernel flavors
// such as "5.14.0-427.13.1.el9_4.x86_64"); both agree wherever NFD accepts.

import { quoted } from "../lib/text/untrusted.js";

export interface Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
}

const MAX_UINT64 = 2n ** 64n - 1n;
// The numeric core Masterminds accepts: optional "v", 1-3 digit groups, leading zeros allowed.
const CORE = /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?$/;
const IDENT = /^[0-9A-Za-z-]+$/;
const DIGITS = /^[0-9]+$/;

function cutFlavor(s: string): { core: string; pre?: string; build?: string } {
  const plus = s.indexOf("+");
  const dash = s.indexOf("-");
  if (dash >= 0 && (plus < 0 || dash < plus)) {
    const rest = s.slice(dash + 1);
    const p = rest.indexOf("+");
    return p < 0
      ? { core: s.slice(0, dash), pre: rest }
      : { core: s.slice(0, dash), pre: rest.slice(0, p), build: rest.slice(p + 1) };
  }
  if (plus >= 0) return { core: s.slice(0, plus), build: s.slice(plus + 1) };
  return { core: s };
}

/** kompat's reading of a version; a string that explains the problem when it is not one. */
export function parseVersion(s: string): Version | string {
  const { core } = cutFlavor(s);
  const m = CORE.exec(core);
  if (m === null) return versionCoreProblem(s, core);
  // Leading zeros are allowed; beyond 20 significant digits it cannot fit 64 bits anyway.
  const parts = [m[1], m[2], m[3]].map((p) => {
    const digits = p === undefined ? "0" : p.replace(/^0+(?=.)/, "");
    return digits.length > 20 ? MAX_UINT64 + 1n : BigInt(digits);
  });
  if (parts.some((p) => p > MAX_UINT64)) {
    return `${quoted(s)}: a version number is larger than 2^64-1`;
  }
  return { major: parts[0] ?? 0n, minor: parts[1] ?? 0n, patch: parts[2] ?? 0n };
}

function versionCoreProblem(s: string, core: string): string {
  const q = quoted(s);
  if (s === "") return "an empty string is not a version";
  if (/^V[0-9]/.test(core)) return `${q}: only a lower-case "v" prefix is allowed`;
  if (/^v?[0-9]+(\.[0-9]+){3,}$/.test(core)) {
    return `${q} has more than three numeric parts (major.minor.patch)`;
  }
  return `${q} is not a version (expected [v]MAJOR[.MINOR[.PATCH]], digits only)`;
}

export function compareVersions(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  return 0;
}

function identifiersProblem(kind: string, text: string, numericNoLeadingZero: boolean) {
  for (const id of text.split(".")) {
    if (id === "") return `its ${kind} has an empty identifier`;
    if (!IDENT.test(id)) {
      const bad = [...id].find((c) => !/[0-9A-Za-z-]/.test(c)) ?? "";
      return `its ${kind} contains ${quoted(bad)}, outside [0-9A-Za-z-.]`;
    }
    if (numericNoLeadingZero && DIGITS.test(id) && id.length > 1 && id.startsWith("0")) {
      return `its ${kind} identifier ${quoted(id)} is numeric with a leading zero`;
    }
  }
  return undefined;
}

/**
 * Why NFD (Masterminds semver NewVersion) would reject a version kompat accepts, or
 * undefined when NFD accepts it too. Only meaningful when parseVersion succeeded.
 */
export function nfdVersionProblem(s: string): string | undefined {
  const { pre, build } = cutFlavor(s);
  if (pre !== undefined) {
    const p = identifiersProblem("pre-release", pre, true);
    if (p) return p;
  }
  if (build !== undefined) {
    const p = identifiersProblem("build metadata", build, false);
    if (p) return p;
  }
  return undefined;
}
