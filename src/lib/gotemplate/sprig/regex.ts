// Sprig regular-expression functions with Go's RE2 semantics, via re2js (never JavaScript RegExp).
import { RE2JS } from "re2js";
import { def, fail, type CallContext, type FuncDef } from "../funcdef.js";
import type { Value } from "../values.js";

const cache = new Map<string, RE2JS | string>();
const CACHE_SIZE = 64;

function goQuoteExpr(expr: string): string {
  return /^[^`\x00-\x08\x0a-\x1f\x7f]*$/.test(expr) ? "`" + expr + "`" : JSON.stringify(expr);
}

/** Compiles like regexp.Compile; a string result is Go's error message. */
function compile(expr: string): RE2JS | string {
  const hit = cache.get(expr);
  if (hit !== undefined) return hit;
  let re: RE2JS | string;
  try {
    re = RE2JS.compile(expr);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    re = `regexp: Compile(${goQuoteExpr(expr)}): ${msg}`;
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value ?? "");
  cache.set(expr, re);
  return re;
}

/** regexp.MustCompile: panics (here: fails) on a bad expression. */
function mustCompile(expr: string): RE2JS {
  const re = compile(expr);
  if (typeof re === "string") fail(re);
  return re;
}

function runeWidth(s: string, pos: number): number {
  const c = s.codePointAt(pos);
  return c !== undefined && c > 0xffff ? 2 : 1;
}

/** Go's allMatches: successive matches, ignoring empty matches that abut a previous match. */
function allMatches(re: RE2JS, s: string, n: number): [number, number][] {
  const out: [number, number][] = [];
  if (n < 0) n = s.length + 1;
  const m = re.matcher(s);
  let pos = 0;
  let prevEnd = -1;
  while (out.length < n && pos <= s.length) {
    if (!m.find(pos)) break;
    const a = m.start();
    const b = m.end();
    let accept = true;
    if (b === pos) {
      if (a === prevEnd) accept = false;
      pos += pos < s.length ? runeWidth(s, pos) : 1;
    } else {
      pos = b;
    }
    prevEnd = b;
    if (accept) out.push([a, b]);
  }
  return out;
}

/** Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
function expand(
  template: string,
  groups: (string | null)[],
  names: Record<string, number>,
): string {
  let out = "";
  let t = template;
  for (;;) {
    const i = t.indexOf("$");
    if (i < 0) break;
    out += t.slice(0, i);
    t = t.slice(i + 1);
    if (t.startsWith("$")) {
      out += "$";
      t = t.slice(1);
      continue;
    }
    let name: string | undefined;
    let rest = t;
    const brace = /^\{(\w+)\}/.exec(t);
    const bare = /^\w+/.exec(t);
    if (t.startsWith("{")) {
      if (brace !== null) [name, rest] = [brace[1], t.slice(brace[0].length)];
    } else if (bare !== null) {
      [name, rest] = [bare[0], t.slice(bare[0].length)];
    }
    if (name === undefined) {
      out += "$";
      continue;
    }
    t = rest;
    const idx = /^\d+$/.test(name) ? Number(name) : names[name];
    if (idx !== undefined) out += groups[idx] ?? "";
  }
  return out + t;
}

function replaceAll(re: RE2JS, src: string, repl: (groups: (string | null)[]) => string): string {
  const m = re.matcher(src);
  const groupCount = re.groupCount();
  let out = "";
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const a = m.start();
    const b = m.end();
    out += src.slice(lastEnd, a);
    if (b > lastEnd || a === 0) {
      const groups: (string | null)[] = [];
      for (let g = 0; g <= groupCount; g++) groups.push(m.group(g));
      out += repl(groups);
    }
    lastEnd = b;
    const width = searchPos < src.length ? runeWidth(src, searchPos) : 0;
    if (searchPos + width > b) searchPos += width;
    else if (searchPos + 1 > b) searchPos++;
    else searchPos = b;
  }
  return out + src.slice(lastEnd);
}

function split(re: RE2JS, s: string, n: number): string[] {
  if (n === 0) return [];
  if (re.pattern().length > 0 && s.length === 0) return [""];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [a, b] of allMatches(re, s, n)) {
    if (n > 0 && out.length === n - 1) break;
    end = a;
    if (b !== 0) out.push(s.slice(beg, end));
    beg = b;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

const str = (v: Value | undefined): string => v as string;

/**
 * Charges a search of `s` for `pattern` to the step budget: RE2 runs in time linear in the
 * input, times the size of the pattern's program (which its source length stands for).
 */
function charged(ctx: CallContext, pattern: Value | undefined, s: Value | undefined): string {
  ctx.charge((str(s).length + 1) * (str(pattern).length + 1));
  return str(s);
}

export const REGEX_FUNCS: Record<string, FuncDef> = {
  regexMatch: def(["string", "string"], ([r, s], ctx) => {
    const re = compile(str(r));
    return typeof re !== "string" && re.test(charged(ctx, r, s));
  }),
  mustRegexMatch: def(["string", "string"], ([r, s], ctx) =>
    mustCompile(str(r)).test(charged(ctx, r, s)),
  ),
  regexFind: def(["string", "string"], ([r, s], ctx) => {
    const [first] = allMatches(mustCompile(str(r)), charged(ctx, r, s), 1);
    return first === undefined ? "" : str(s).slice(first[0], first[1]);
  }),
  regexFindAll: def(["string", "string", "int"], ([r, s, n], ctx) =>
    allMatches(mustCompile(str(r)), charged(ctx, r, s), Number(n)).map(([a, b]) =>
      str(s).slice(a, b),
    ),
  ),
  regexReplaceAll: def(["string", "string", "string"], ([r, s, repl], ctx) => {
    const re = mustCompile(str(r));
    const names = re.namedGroups();
    return replaceAll(re, charged(ctx, r, s), (groups) => expand(str(repl), groups, names));
  }),
  regexReplaceAllLiteral: def(["string", "string", "string"], ([r, s, repl], ctx) =>
    replaceAll(mustCompile(str(r)), charged(ctx, r, s), () => str(repl)),
  ),
  regexSplit: def(["string", "string", "int"], ([r, s, n], ctx) =>
    split(mustCompile(str(r)), charged(ctx, r, s), Number(n)),
  ),
  regexQuoteMeta: def(["string"], ([s]) => str(s).replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")),
};
