// Sprig string functions (Go strings/goutils semantics; lengths and offsets in UTF-8 bytes).
import { def, fail, type CallContext, type FuncDef } from "../funcdef.js";
import { goQuote } from "../../go/quote.js";
import { isSpace, trim, trimSpace } from "../../go/strings.js";
import { byteLength, type Value } from "../values.js";
import { strslice, strval } from "./convert.js";

/** unicode.IsSpace of one character. */
const isGoSpace = (c: string): boolean => isSpace(c.codePointAt(0) ?? 0);

/** Maps each code point, keeping it when the case mapping is not a single code point (as Go does). */
function mapRunes(s: string, f: (c: string) => string): string {
  let out = "";
  for (const c of s) {
    const m = f(c);
    out += [...m].length === 1 ? m : c;
  }
  return out;
}

const upper = (s: string): string => mapRunes(s, (c) => c.toUpperCase());
const lower = (s: string): string => mapRunes(s, (c) => c.toLowerCase());

/** strings.Title's word boundary test. */
function isSeparator(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/^[\p{L}\p{Nd}]$/u.test(c)) return false;
  return isGoSpace(c);
}

function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const c of s) {
    out += isSeparator(prev) ? upper(c) : c;
    prev = c;
  }
  return out;
}

/** goutils Uncapitalize / Initials work on whitespace-separated words. */
function untitle(s: string): string {
  let prevSpace = true;
  let out = "";
  for (const c of s) {
    out += prevSpace ? lower(c) : c;
    prevSpace = isGoSpace(c);
  }
  return out;
}

function initials(s: string): string {
  let prevSpace = true;
  let out = "";
  for (const c of s) {
    if (prevSpace && !isGoSpace(c)) out += c;
    prevSpace = isGoSpace(c);
  }
  return out;
}

/** s[a:b] on UTF-8 bytes, with Go's bounds check. */
function byteSlice(s: string, a: number, b?: number): string {
  const bytes = Buffer.from(s, "utf8");
  const end = b ?? bytes.length;
  if (a < 0 || end > bytes.length || a > end)
    fail(`runtime error: slice bounds out of range [${a}:${end}]`);
  return bytes.subarray(a, end).toString("utf8");
}

function substr(start: number, end: number, s: string): string {
  if (start < 0) return byteSlice(s, 0, end);
  if (end < 0 || end > byteLength(s)) return byteSlice(s, start);
  return byteSlice(s, start, end);
}

function trunc(c: number, s: string): string {
  const len = byteLength(s);
  if (c < 0 && len + c > 0) return byteSlice(s, len + c);
  if (c >= 0 && len > c) return byteSlice(s, 0, c);
  return s;
}

function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  const len = byteLength(s);
  if (s === "") return "";
  if (len <= maxWidth) return s;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return byteSlice(s, 0, maxWidth - 3) + "...";
  if (offset + maxWidth - 3 < len)
    return "..." + abbreviateFull(byteSlice(s, offset), 0, maxWidth - 3);
  return "..." + byteSlice(s, len - (maxWidth - 3));
}

function checkSize(n: number, ctx: CallContext): void {
  if (n > ctx.maxSize) fail(`result of ${n} bytes exceeds the ${ctx.maxSize}-byte limit`);
}

function repeat(count: number, s: string, ctx: CallContext): string {
  if (count < 0) fail("strings: negative Repeat count");
  checkSize(count * byteLength(s), ctx);
  return s.repeat(count);
}

function indent(spaces: number, s: string, ctx: CallContext): string {
  if (spaces < 0) fail("strings: negative Repeat count");
  const lines = s.split("\n").length;
  checkSize(spaces * lines + byteLength(s), ctx);
  const pad = " ".repeat(spaces);
  return pad + s.replaceAll("\n", "\n" + pad);
}

/** strings.Split / SplitN: an empty separator splits into UTF-8 sequences. */
function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const chars = [...s];
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || n >= parts.length) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function indexedMap(parts: string[]): Value {
  return new Map(parts.map((p, i) => [`_${i}`, p]));
}

/** Words for snake/kebab case: separators ' ', '_', '-' and lower-to-upper / acronym boundaries. */
function caseWords(s: string): string[] {
  const words: string[] = [];
  for (const seg of s.split(/[\s_-]+/u)) {
    if (seg === "") continue;
    const chars = [...seg];
    let word = "";
    chars.forEach((c, i) => {
      const prev = chars[i - 1] ?? "";
      const next = chars[i + 1] ?? "";
      const isUp = (x: string): boolean => /^\p{Lu}$/u.test(x);
      const isLow = (x: string): boolean => /^\p{Ll}$/u.test(x);
      const boundary =
        word !== "" &&
        isUp(c) &&
        (isLow(prev) || /^\p{Nd}$/u.test(prev) || (isUp(prev) && isLow(next)));
      if (boundary) {
        words.push(word);
        word = "";
      }
      word += c;
    });
    if (word !== "") words.push(word);
  }
  return words;
}

function camelcase(s: string): string {
  // Leading and trailing underscores stay; inner runs of several become one.
  const lead = /^_*/.exec(s)?.[0] ?? "";
  const body = s.slice(lead.length);
  const trail = /_*$/.exec(body)?.[0] ?? "";
  const core = body.slice(0, body.length - trail.length);
  let out = lead;
  let cap = true;
  let i = 0;
  const chars = [...core];
  while (i < chars.length) {
    const c = chars[i] ?? "";
    if (c === "_" || c === " " || c === "-") {
      let j = i;
      while (j < chars.length && /[_ -]/.test(chars[j] ?? "")) j++;
      if (j - i > 1 && chars.slice(i, j).every((x) => x === "_")) out += "_";
      cap = true;
      i = j;
      continue;
    }
    out += cap ? upper(c) : c;
    cap = false;
    i++;
  }
  return out + trail;
}

export const STRING_FUNCS: Record<string, FuncDef> = {
  trim: def(["string"], ([s]) => trimSpace(s as string)),
  trimAll: def(["string", "string"], ([cut, s]) => trim(s as string, cut as string)),
  trimall: def(["string", "string"], ([cut, s]) => trim(s as string, cut as string)),
  trimPrefix: def(["string", "string"], ([p, s]) => {
    const str = s as string;
    return str.startsWith(p as string) ? str.slice((p as string).length) : str;
  }),
  trimSuffix: def(["string", "string"], ([p, s]) => {
    const str = s as string;
    const suf = p as string;
    return suf !== "" && str.endsWith(suf) ? str.slice(0, str.length - suf.length) : str;
  }),
  upper: def(["string"], ([s]) => upper(s as string)),
  lower: def(["string"], ([s]) => lower(s as string)),
  title: def(["string"], ([s]) => title(s as string)),
  untitle: def(["string"], ([s]) => untitle(s as string)),
  swapcase: def(["string"], ([s]) =>
    mapRunes(s as string, (c) =>
      /^\p{Lu}$/u.test(c) ? lower(c) : /^\p{Ll}$/u.test(c) ? upper(c) : c,
    ),
  ),
  repeat: def(["int", "string"], ([n, s], ctx) => repeat(Number(n), s as string, ctx)),
  substr: def(["int", "int", "string"], ([a, b, s]) => substr(Number(a), Number(b), s as string)),
  trunc: def(["int", "string"], ([c, s]) => trunc(Number(c), s as string)),
  abbrev: def(["int", "string"], ([w, s]) =>
    Number(w) < 4 ? (s as string) : abbreviateFull(s as string, 0, Number(w)),
  ),
  abbrevboth: def(["int", "int", "string"], ([l, r, s]) => {
    const left = Number(l);
    const right = Number(r);
    if (right < 4 || (left > 0 && right < 7)) return s as string;
    return abbreviateFull(s as string, left, right);
  }),
  nospace: def(["string"], ([s]) => [...(s as string)].filter((c) => !isGoSpace(c)).join("")),
  initials: def(["string"], ([s]) => initials(s as string)),
  replace: def(["string", "string", "string"], ([o, n, s], ctx) => {
    const out = goReplaceAll(s as string, o as string, n as string);
    checkSize(byteLength(out), ctx);
    return out;
  }),
  contains: def(["string", "string"], ([sub, s]) => (s as string).includes(sub as string)),
  hasPrefix: def(["string", "string"], ([p, s]) => (s as string).startsWith(p as string)),
  hasSuffix: def(["string", "string"], ([p, s]) => (s as string).endsWith(p as string)),
  quote: def(
    [],
    (args) =>
      args
        .filter((a) => a !== null)
        .map((a) => goQuote(strval(a)))
        .join(" "),
    "any",
  ),
  squote: def(
    [],
    (args) =>
      args
        .filter((a) => a !== null)
        .map((a) => `'${strval(a)}'`)
        .join(" "),
    "any",
  ),
  cat: def(
    [],
    (args) =>
      args
        .filter((a) => a !== null)
        .map(strval)
        .join(" "),
    "any",
  ),
  indent: def(["int", "string"], ([n, s], ctx) => indent(Number(n), s as string, ctx)),
  nindent: def(["int", "string"], ([n, s], ctx) => "\n" + indent(Number(n), s as string, ctx)),
  split: def(["string", "string"], ([sep, s]) => indexedMap(goSplit(s as string, sep as string))),
  splitList: def(["string", "string"], ([sep, s]) => goSplit(s as string, sep as string)),
  splitn: def(["string", "int", "string"], ([sep, n, s]) =>
    indexedMap(goSplit(s as string, sep as string, Number(n))),
  ),
  join: def(["string", "any"], ([sep, l]) => strslice(l ?? null).join(sep as string)),
  toString: def(["any"], ([v]) => strval(v ?? null)),
  toStrings: def(["any"], ([v]) => strslice(v ?? null)),
  plural: def(["string", "string", "int"], ([one, many, n]) => (n === 1n ? one : many) ?? ""),
  snakecase: def(["string"], ([s]) =>
    caseWords(s as string)
      .map(lower)
      .join("_"),
  ),
  kebabcase: def(["string"], ([s]) =>
    caseWords(s as string)
      .map(lower)
      .join("-"),
  ),
  camelcase: def(["string"], ([s]) => camelcase(s as string)),
};

/** strings.Replace(s, old, new, -1): an empty old inserts between every UTF-8 sequence. */
function goReplaceAll(s: string, old: string, repl: string): string {
  if (old === "") return repl + [...s].join(repl) + (s === "" ? "" : repl);
  return s.split(old).join(repl);
}
