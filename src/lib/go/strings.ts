// Go's string behaviour that kompat's output depends on: byte order, white space, trimming.
// JS differs from Go in both: `<` compares UTF-16 units, and trim() strips U+FEFF but keeps
// U+0085.

/**
 * Go's string order (UTF-8 bytes, which is code point order). JS `<` compares UTF-16 units;
 * the two differ only when both strings have a unit at or above U+D800 at the first
 * difference: surrogates (astral code points) then sort after U+E000..U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

const NEEDS_CODE_POINTS = /[\ud800-\uffff]/;

/** Sorts in place in Go's order (JS's own sort when no string can order differently). */
export function sortStrings(list: string[]): string[] {
  return list.some((s) => NEEDS_CODE_POINTS.test(s)) ? list.sort(compareStrings) : list.sort();
}

/** Go's unicode.IsSpace for one code point. */
export function isSpace(c: number): boolean {
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

/**
 * strings.TrimSpace. Every Go space is one UTF-16 unit, so units are tested directly (a loop:
 * a regexp anchored at the end is quadratic on hostile input).
 */
export function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** strings.Fields: the words between runs of white space. */
export function fields(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isSpace(s.charCodeAt(i))) {
      if (start >= 0) out.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** strings.Trim(s, cutset): drops any of cutset's code points at both ends. */
export function trim(s: string, cutset: string): string {
  return trimRight(trimLeft(s, cutset), cutset);
}

/** strings.TrimLeft(s, cutset) */
export function trimLeft(s: string, cutset: string): string {
  const set = new Set(cutset);
  let start = 0;
  while (start < s.length) {
    const c = String.fromCodePoint(s.codePointAt(start) ?? 0);
    if (!set.has(c)) break;
    start += c.length;
  }
  return s.slice(start);
}

/** strings.TrimRight(s, cutset) */
export function trimRight(s: string, cutset: string): string {
  const set = new Set(cutset);
  let end = s.length;
  while (end > 0) {
    const low = s.charCodeAt(end - 1);
    const pair = end >= 2 && low >= 0xdc00 && low <= 0xdfff && isHighSurrogate(s, end - 2);
    const c = s.slice(pair ? end - 2 : end - 1, end);
    if (!set.has(c)) break;
    end -= c.length;
  }
  return s.slice(0, end);
}

function isHighSurrogate(s: string, i: number): boolean {
  const u = s.charCodeAt(i);
  return u >= 0xd800 && u <= 0xdbff;
}
