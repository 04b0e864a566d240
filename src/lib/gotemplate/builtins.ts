// Go's predefined template functions (text/template funcs.go semantics and messages).
import { def, fail, type FuncDef } from "./funcdef.js";
import { isPrint } from "../go/quote.js";
import { compareStrings } from "../go/strings.js";
import { sprint, sprintf, sprintln } from "./fmt.js";
import {
  byteLength,
  fromHost,
  isStringMap,
  kindOf,
  truth,
  typeName,
  type Value,
} from "./values.js";

type BasicKind = "bool" | "int" | "float" | "string" | "invalid";

function basicKind(v: Value): BasicKind {
  const k = kindOf(v);
  return k === "bool" || k === "int" || k === "float" || k === "string" ? k : "invalid";
}

function eq(a: Value, others: Value[]): boolean {
  if (others.length === 0) fail("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of others) {
    const k2 = basicKind(b);
    let same = false;
    if (k1 !== k2) {
      if (a !== null && b !== null) fail("incompatible types for comparison");
    } else if (k1 !== "invalid") {
      same = a === b;
    } else if (a === null || b === null) {
      same = a === b;
    } else if (kindOf(a) === "func" && kindOf(b) === "func") {
      same = a === b;
    } else {
      fail(`non-comparable types ${sprint([a])}: ${typeName(a)}, ${typeName(b)}: ${sprint([b])}`);
    }
    if (same) return true;
  }
  return false;
}

function lt(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid") fail("invalid type for comparison");
  if (k1 !== k2) fail("incompatible types for comparison");
  if (k1 === "bool") fail("invalid type for comparison");
  if (k1 === "string") return compareStrings(a as string, b as string) < 0;
  return (a as number | bigint) < (b as number | bigint);
}

function indexArg(index: Value, cap: number): number {
  if (index === null) fail("cannot index slice/array with nil");
  if (typeof index !== "bigint") fail(`cannot index slice/array with type ${typeName(index)}`);
  if (index < 0n || index > BigInt(cap)) fail(`index out of range: ${index}`);
  return Number(index);
}

function index(item: Value, indexes: Value[]): Value {
  if (item === null) fail("index of untyped nil");
  for (const i of indexes) {
    if (item === null) fail("index of nil pointer");
    if (typeof item === "string" || Array.isArray(item)) {
      const bytes: Buffer | undefined =
        typeof item === "string" ? Buffer.from(item, "utf8") : undefined;
      const len: number = bytes?.length ?? (item as Value[]).length;
      const x = indexArg(i, len);
      if (x === len) fail(`index out of range: ${x}`);
      item = bytes !== undefined ? BigInt(bytes[x] ?? 0) : ((item as Value[])[x] ?? null);
    } else if (item instanceof Map) {
      if (i === null) fail("value is nil; should be of type string");
      if (typeof i !== "string") fail(`value has type ${typeName(i)}; should be string`);
      // A missing key gives the element type's zero value.
      item = item.get(i) ?? (isStringMap(item) ? "" : null);
    } else {
      fail(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: Value, indexes: Value[]): Value {
  if (item === null) fail("slice of untyped nil");
  if (indexes.length > 3) fail(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === "string") {
    if (indexes.length === 3) fail("cannot 3-index slice a string");
    len = byteLength(item);
  } else if (Array.isArray(item)) {
    len = item.length;
  } else {
    fail(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((v, i) => (idx[i] = indexArg(v, len)));
  const [lo = 0, hi = len, max = len] = idx;
  if (lo > hi) fail(`invalid slice index: ${lo} > ${hi}`);
  if (indexes.length === 3 && hi > max) fail(`invalid slice index: ${hi} > ${max}`);
  if (typeof item === "string") return Buffer.from(item, "utf8").subarray(lo, hi).toString("utf8");
  return item.slice(lo, hi);
}

function length(item: Value): Value {
  switch (kindOf(item)) {
    case "string":
      return BigInt(byteLength(item as string));
    case "slice":
      return BigInt((item as Value[]).length);
    case "map":
      return BigInt((item as Map<string, Value>).size);
    case "nil":
      return fail("len of nil pointer");
    default:
      return fail(`len of type ${typeName(item)}`);
  }
}

/** The text of escaper arguments: one string as is, otherwise fmt.Sprint with nil as "<no value>". */
function evalArgs(args: Value[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null ? "<no value>" : a)));
}

function htmlEscape(s: string): string {
  return s.replace(
    /["'&<>]/g,
    (c) => ({ '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c] ?? c,
  );
}

function jsEscape(s: string): string {
  let out = "";
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    const named: Record<string, string> = {
      "\\": "\\\\",
      "'": "\\'",
      '"': '\\"',
      "<": "\\u003C",
      ">": "\\u003E",
      "&": "\\u0026",
      "=": "\\u003D",
    };
    const n = named[c];
    if (n !== undefined) out += n;
    else if (cp < 0x20) out += "\\u00" + cp.toString(16).toUpperCase().padStart(2, "0");
    else if (cp < 0x80 || isPrint(c)) out += c;
    else out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
  }
  return out;
}

/** url.QueryEscape. */
function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function call(fn: Value, args: Value[]): Value {
  if (fn === null) fail("call of nil");
  if (typeof fn !== "function") fail(`non-function of type ${typeName(fn)}`);
  let result: unknown;
  try {
    result = fn(...args);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  return fromHost(result);
}

export const BUILTINS: Record<string, FuncDef> = {
  // and/or are evaluated lazily by the executor; these definitions give their arity.
  and: def(["any"], ([a]) => a ?? null, "any"),
  or: def(["any"], ([a]) => a ?? null, "any"),
  not: def(["any"], ([a]) => !truth(a ?? null)),
  len: def(["any"], ([a]) => length(a ?? null)),
  index: def(["any"], ([a, ...rest]) => index(a ?? null, rest), "any"),
  slice: def(["any"], ([a, ...rest]) => slice(a ?? null, rest), "any"),
  print: def([], (args) => sprint(args), "any"),
  printf: def(["string"], ([f, ...rest]) => sprintf(f as string, rest), "any"),
  println: def([], (args) => sprintln(args), "any"),
  eq: def(["any"], ([a, ...rest]) => eq(a ?? null, rest), "any"),
  ne: def(["any", "any"], ([a, b]) => !eq(a ?? null, [b ?? null])),
  lt: def(["any", "any"], ([a, b]) => lt(a ?? null, b ?? null)),
  le: def(["any", "any"], ([a, b]) => lt(a ?? null, b ?? null) || eq(a ?? null, [b ?? null])),
  gt: def(["any", "any"], ([a, b]) => !(lt(a ?? null, b ?? null) || eq(a ?? null, [b ?? null]))),
  ge: def(["any", "any"], ([a, b]) => !lt(a ?? null, b ?? null)),
  html: def([], (args) => htmlEscape(evalArgs(args)), "any"),
  js: def([], (args) => jsEscape(evalArgs(args)), "any"),
  urlquery: def([], (args) => queryEscape(evalArgs(args)), "any"),
  call: def(["any"], ([f, ...rest]) => call(f ?? null, rest), "any"),
};
