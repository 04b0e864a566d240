// Small pieces of Go string behaviour that NFD's output depends on.

import type { MatchExpression } from "../spec/model.js";
import { goQuote } from "../lib/gotemplate/fmt.js";

/** Go's string order (UTF-8 bytes, i.e. code points); JS `<` compares UTF-16 units. */
export function compareGo(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after U+E000..U+FFFF in code point order.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** NFD's MatchExpression.String(), the last sort key of report lists. */
export function expressionText(e: MatchExpression): string {
  if (e.value.length === 0) return `{op: ${goQuote(e.op)}}`;
  return `{op: ${goQuote(e.op)}, value: [${e.value.map((v) => goQuote(v)).join(" ")}]}`;
}

// Go's unicode.IsSpace; JS trim() also strips U+FEFF and keeps U+0085.
function isGoSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Go's strings.TrimSpace (a loop: a regexp anchored at the end is quadratic on hostile input). */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
