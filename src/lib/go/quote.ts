// Go's strconv quoting: Quote, QuoteToASCII, CanBackquote, and unicode.IsPrint behind them.

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(c: string): boolean {
  return c === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c);
}

const QUOTE_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
};

/** strconv.Quote (asciiOnly: QuoteToASCII); quote is `"` or `'`. */
export function goQuote(s: string, quote = '"', asciiOnly = false): string {
  let out = quote;
  for (const c of s) {
    if (c === quote) {
      out += "\\" + c;
      continue;
    }
    const esc = QUOTE_ESCAPES[c];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const cp = c.codePointAt(0) ?? 0;
    if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : isPrint(c) && !asciiOnly) {
      out += c;
    } else if (cp < 0x80) {
      out += "\\x" + cp.toString(16).padStart(2, "0");
    } else if (cp < 0x10000) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else {
      out += "\\U" + cp.toString(16).padStart(8, "0");
    }
  }
  return out + quote;
}

/** Whether strconv.CanBackquote holds. */
export function canBackquote(s: string): boolean {
  for (const c of s) {
    if (c === "`" || c === "\ufeff") return false;
    const cp = c.codePointAt(0) ?? 0;
    if (cp < 0x20 && c !== "\t") return false;
    if (cp === 0x7f) return false;
  }
  return true;
}
