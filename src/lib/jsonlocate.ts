// Where a value sits in JSON text, found by scanning, not parsing: one pass over the
// text, no tree built, so locating an error in a huge file costs no more than reading it.
// The text must be valid JSON (JSON.parse accepted it).

export type JsonPath = ReadonlyArray<string | number>;

function skipWs(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** The index just after the string starting at `i` (a `"`). */
function stringEnd(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return t.length;
}

/** The index just after the value starting at `i`. */
function valueEnd(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 0x22) return stringEnd(t, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === 0x22) j = stringEnd(t, j) - 1;
      else if (d === 0x7b || d === 0x5b) depth++;
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return j + 1;
    }
    return t.length;
  }
  let j = i;
  for (; j < t.length; j++) {
    const d = t.charCodeAt(j);
    if (
      d === 0x2c ||
      d === 0x5d ||
      d === 0x7d ||
      d === 0x20 ||
      d === 0x0a ||
      d === 0x0d ||
      d === 0x09
    )
      return j;
  }
  return j;
}

function keyText(t: string, start: number, end: number): string {
  const raw = t.slice(start + 1, end - 1);
  return raw.includes("\\") ? (JSON.parse(t.slice(start, end)) as string) : raw;
}

/** Offset of the value at `path` in `text`; of its deepest present ancestor if absent. */
export function locateJsonPath(text: string, path: JsonPath): number {
  let at = skipWs(text, 0);
  for (const step of path) {
    const open = text.charCodeAt(at);
    let found: number | undefined;
    let i = skipWs(text, at + 1);
    if (open === 0x7b) {
      const want = String(step);
      while (text.charCodeAt(i) === 0x22) {
        const end = stringEnd(text, i);
        const isIt = end - i - 2 >= 0 && keyText(text, i, end) === want;
        i = skipWs(text, skipWs(text, end) + 1); // past ':'
        // JSON.parse keeps the last of duplicate keys: so does this.
        if (isIt) found = i;
        i = skipWs(text, valueEnd(text, i));
        if (text.charCodeAt(i) !== 0x2c) break;
        i = skipWs(text, i + 1);
      }
    } else if (open === 0x5b && typeof step === "number") {
      for (let n = 0; text.charCodeAt(i) !== 0x5d && i < text.length; n++) {
        if (n === step) {
          found = i;
          break;
        }
        i = skipWs(text, valueEnd(text, i));
        if (text.charCodeAt(i) !== 0x2c) break;
        i = skipWs(text, i + 1);
      }
    }
    if (found === undefined) return at;
    at = found;
  }
  return at;
}

/** 1-based line and column of an offset. */
export function linePosition(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}
