// Sprig's semverCompare: Masterminds/semver v3 constraint checking, re-implemented
// (kompat's own version rules live in src/rules, which this generic engine must not import).
import { def, fail, type FuncDef } from "../funcdef.js";

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
}

const IDENT = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
const VERSION_RE = new RegExp(
  `^v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?(?:-(${IDENT}))?(?:\\+(${IDENT}))?$`,
);
const CV = `v?([0-9xX*]+)(\\.[0-9xX*]+)?(\\.[0-9xX*]+)?(?:-(${IDENT}))?(?:\\+(?:${IDENT}))?`;
const OPS = "!=|>=|=>|<=|=<|~>|=|>|<|~|\\^|";
const ONE_RE = new RegExp(`^\\s*(${OPS})\\s*(${CV})\\s*$`);
const FIND_RE = new RegExp(`(${OPS})\\s*(${CV})`, "g");
const VALID_RE = new RegExp(
  `^(\\s*(?:${OPS})\\s*(?:${CV})\\s*)((?:\\s+|,\\s*)(?:${OPS})\\s*(?:${CV})\\s*)*$`,
);
const RANGE_RE = new RegExp(`\\s*(${CV})\\s+-\\s+(${CV})\\s*`, "g");

function parseVersion(s: string): Version {
  const m = VERSION_RE.exec(s);
  if (m === null) fail("Invalid Semantic Version");
  const seg = (x: string | undefined): bigint =>
    x === undefined ? 0n : BigInt(x.replace(/^\./, ""));
  const pre = m[4] ?? "";
  for (const part of pre === "" ? [] : pre.split(".")) {
    if (/^\d+$/.test(part) && part.length > 1 && part.startsWith("0"))
      fail("Version segment starts with 0");
  }
  return { major: seg(m[1]), minor: seg(m[2]), patch: seg(m[3]), pre };
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  const isNum = (x: string): boolean => /^\d+$/.test(x);
  if (o === "") return isNum(s) ? 1 : -1;
  if (s === "") return isNum(o) ? -1 : 1;
  if (!isNum(s) && !isNum(o)) return s > o ? 1 : -1;
  if (!isNum(o)) return -1;
  if (!isNum(s)) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function compare(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === "") return 1;
  if (b.pre === "") return -1;
  const x = a.pre.split(".");
  const y = b.pre.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = comparePrePart(x[i] ?? "", y[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

interface Constraint {
  op: string;
  con: Version;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (s: string | undefined): boolean => s === "x" || s === "X" || s === "*";

function parseConstraint(text: string): Constraint {
  const m = ONE_RE.exec(text);
  if (m === null) fail(`improper constraint: ${text}`);
  const [, op = "", , major, minorDot, patchDot, pre] = m;
  const minor = minorDot?.slice(1);
  const patch = patchDot?.slice(1);
  const preSuffix = pre === undefined ? "" : `-${pre}`;
  let ver: string;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major)) {
    ver = `0.0.0${preSuffix}`;
    dirty = true;
  } else if (minor === undefined || isX(minor)) {
    [ver, dirty, minorDirty] = [`${major}.0.0${preSuffix}`, true, true];
  } else if (patch === undefined || isX(patch)) {
    [ver, dirty, patchDirty] = [`${major}.${minor}.0${preSuffix}`, true, true];
  } else {
    ver = `${major}.${minor}.${patch}${preSuffix}`;
  }
  return { op, con: parseVersion(ver), dirty, minorDirty, patchDirty };
}

function tilde(v: Version, c: Constraint): boolean {
  if (compare(v, c.con) < 0) return false;
  const { con } = c;
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && !c.minorDirty && !c.patchDirty)
    return true;
  if (v.major !== con.major) return false;
  return !(v.minor !== con.minor && !c.minorDirty);
}

function caret(v: Version, c: Constraint): boolean {
  const { con } = c;
  if (compare(v, con) < 0) return false;
  if (con.major > 0n || c.minorDirty) return v.major === con.major;
  if (v.major > 0n) return false;
  if (con.minor > 0n || c.patchDirty) return v.minor === con.minor;
  if (v.minor > 0n) return false;
  return v.patch === con.patch;
}

function check(v: Version, c: Constraint): boolean {
  const { con } = c;
  // A prerelease version only satisfies constraints that mention a prerelease.
  if (v.pre !== "" && con.pre === "") return false;
  switch (c.op) {
    case "":
    case "=":
      return c.dirty ? tilde(v, c) : compare(v, con) === 0;
    case "!=":
      if (c.dirty) {
        if (con.major !== v.major) return true;
        if (c.minorDirty) return false;
        if (con.minor !== v.minor) return true;
        if (c.patchDirty)
          return (v.pre !== "" || con.pre !== "") && comparePrePart(v.pre, con.pre) !== 0;
      }
      return compare(v, con) !== 0;
    case ">":
      if (!c.dirty) return compare(v, con) > 0;
      if (v.major !== con.major) return v.major > con.major;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return compare(v, con) > 0;
    case "<":
      return compare(v, con) < 0;
    case ">=":
    case "=>":
      return compare(v, con) >= 0;
    case "<=":
    case "=<":
      if (!c.dirty) return compare(v, con) <= 0;
      if (v.major > con.major) return false;
      return !(v.major === con.major && v.minor > con.minor && !c.minorDirty);
    case "~":
    case "~>":
      return tilde(v, c);
    default:
      return caret(v, c);
  }
}

/** semver.NewConstraint(constraint).Check(semver.NewVersion(version)). */
export function semverCompare(constraint: string, version: string): boolean {
  // "A - B" ranges mean ">= A, <= B"; groups 1 and 6 are the two versions.
  const rewritten = constraint.replace(RANGE_RE, (...g: string[]) => `>= ${g[1]}, <= ${g[6]}`);
  const ors = rewritten.split("||").map((segment) => {
    if (!VALID_RE.test(segment)) fail(`improper constraint: ${segment}`);
    const found = [...segment.matchAll(FIND_RE)].map((m) => m[0]);
    return (found.length > 0 ? found : [segment]).map(parseConstraint);
  });
  const v = parseVersion(version);
  return ors.some((and) => and.every((c) => check(v, c)));
}

export const SEMVER_FUNCS: Record<string, FuncDef> = {
  semverCompare: def(["string", "string"], ([c, v]) => semverCompare(c as string, v as string)),
};
