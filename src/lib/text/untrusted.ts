// Text that did not come from kompat (spec values, host data, registry bodies, file names),
// made safe to print on a terminal and short enough to read. JSON output stays exact: these
// are for text output only.

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the Unicode
// format characters that reorder or hide text (bidi embeddings, overrides and isolates, line
// and paragraph separators).
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LINES =
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };

function escape(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const n = c.charCodeAt(0);
  return n < 0x100
    ? `\\x${n.toString(16).padStart(2, "0")}`
    : `\\u${n.toString(16).padStart(4, "0")}`;
}

/**
 * `s` with every control character shown as an escape (`\x1b`, `\n`, `\u202e`), so it cannot
 * move the cursor, change colours, retitle the window or reorder what follows. With
 * `lines`, newlines and tabs are kept (multi-line messages); `\r` is escaped still.
 */
export function printable(s: string, opts: { lines?: boolean } = {}): string {
  const re = opts.lines === true ? CONTROL_BUT_LINES : CONTROL;
  re.lastIndex = 0;
  return re.test(s) ? s.replace(re, escape) : s;
}

/** Longest untrusted text quoted in a message, in characters. */
export const MAX_QUOTED = 80;

/**
 * `s` cut to `max` characters with an ellipsis and the full length (`abc… (3,000
 * characters)`): a message quotes hostile data once, briefly.
 */
export function shortened(s: string, max = MAX_QUOTED): string {
  if (s.length <= max) return s;
  return `${head(s, max)}… (${s.length.toLocaleString("en-US")} characters)`;
}

/** `s` shortened, quoted as a JSON string, and printable. */
export function quoted(s: string, max = MAX_QUOTED): string {
  if (s.length <= max) return printable(JSON.stringify(s));
  const length = s.length.toLocaleString("en-US");
  return `${printable(JSON.stringify(head(s, max)))}… (${length} characters)`;
}

/** The first `max` characters, without splitting a surrogate pair. */
function head(s: string, max: number): string {
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}
