// Go's string helpers as NFD uses them, so values come out byte-for-byte like NFD's:
// Go's notion of white space differs from String.prototype.trim (U+0085 yes, U+FEFF no).

const GO_SPACE =
  "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
const SPACE = new Set(GO_SPACE);

/** strings.TrimSpace */
export function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && SPACE.has(s[start] as string)) start++;
  while (end > start && SPACE.has(s[end - 1] as string)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** strings.Trim(s, cutset): drop any of `cutset`'s characters at both ends. */
export function trimChars(s: string, cutset: string): string {
  return trimRightChars(trimLeftChars(s, cutset), cutset);
}

export function trimLeftChars(s: string, cutset: string): string {
  let start = 0;
  while (start < s.length && cutset.includes(s[start] as string)) start++;
  return s.slice(start);
}

/** strings.TrimRight(s, cutset) */
export function trimRightChars(s: string, cutset: string): string {
  let end = s.length;
  while (end > 0 && cutset.includes(s[end - 1] as string)) end--;
  return s.slice(0, end);
}

/** strings.Fields */
export function fields(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const ch of s) {
    if (SPACE.has(ch)) {
      if (cur !== "") out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur !== "") out.push(cur);
  return out;
}

/**
 * Go orders strings by their UTF-8 bytes; JS by UTF-16 units. They agree unless a string
 * holds a surrogate pair or a character in U+E000–U+FFFF.
 */
export function compareBytes(a: string, b: string): number {
  if (!NEEDS_BYTES.test(a) && !NEEDS_BYTES.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const NEEDS_BYTES = /[\ud800-\uffff]/;

/** Sorts in place in Go's order (fast path when no string needs byte comparison). */
export function sortGo(list: string[]): string[] {
  return list.some((s) => NEEDS_BYTES.test(s)) ? list.sort(compareBytes) : list.sort();
}
