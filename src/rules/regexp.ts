// Spec regexps are Go RE2 (compat-spec §4): compiled with re2js, which matches in linear
// time — JavaScript's RegExp would backtrack and has different syntax.

import { RE2JS } from "re2js";
import { quoted } from "../lib/text/untrusted.js";

export interface Regexp {
  /** Unanchored search, like Go's MatchString. */
  test(s: string): boolean;
}

// Patterns come from specs (small, slowly changing), never from host data.
const cache = new Map<string, Regexp | string>();
const CACHE_LIMIT = 10_000;

/** The compiled regexp, or a readable reason why `pattern` is not valid RE2. */
export function compileRegexp(pattern: string): Regexp | string {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let out: Regexp | string;
  try {
    const re = RE2JS.compile(pattern);
    out = { test: (s) => re.test(s) };
  } catch (e) {
    out = readableRegexpError(pattern, e);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, out);
  return out;
}

function readableRegexpError(pattern: string, e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const detail = raw.replace(/^error parsing regexp:\s*/, "");
  let extra = "";
  if (/\(\?[=!]|\(\?<[=!]/.test(pattern)) extra = " (RE2 has no lookahead or lookbehind)";
  else if (/\\[1-9]/.test(pattern)) extra = " (RE2 has no backreferences)";
  return `invalid regular expression ${quoted(pattern)}: ${detail}${extra}`;
}
