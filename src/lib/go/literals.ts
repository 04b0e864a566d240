// Go literal syntax: quoted strings, characters and numbers, as strconv parses them.

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

/**
 * Unquotes a Go string, raw string or character literal; undefined when the syntax is invalid.
 * Byte escapes above \x7f (\xff, \377) become the code point of that value, as JS strings have no bytes.
 */
export function unquote(q: string): string | undefined {
  const quote = q[0];
  if (q.length < 2 || q[q.length - 1] !== quote) return undefined;
  const body = q.slice(1, -1);
  if (quote === "`") return body.includes("`") ? undefined : body.replace(/\r/g, "");
  if (quote !== '"' && quote !== "'") return undefined;
  let out = "";
  for (let i = 0; i < body.length;) {
    const c = body[i] ?? "";
    if (c === quote || c === "\n") return undefined;
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (e === quote) {
      out += e;
      i += 2;
    } else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (e !== "x" && cp >= 0xd800 && cp < 0xe000)) return undefined;
      out += String.fromCodePoint(cp);
      i += 2 + n;
    } else if (e >= "0" && e <= "7") {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      const v = parseInt(oct, 8);
      if (v > 255) return undefined;
      out += String.fromCodePoint(v);
      i += 4;
    } else {
      return undefined;
    }
  }
  if (quote === "'" && [...out].length !== 1) return undefined;
  return out;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Parses an integer literal with Go's base-prefix rules (0x, 0o, 0b, leading 0, underscores). */
export function parseIntLiteral(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  const prefix = s.slice(0, 2).toLowerCase();
  if (prefix === "0x") [base, digits] = [16, s.slice(2)];
  else if (prefix === "0o") [base, digits] = [8, s.slice(2)];
  else if (prefix === "0b") [base, digits] = [2, s.slice(2)];
  else if (s.length > 1 && s[0] === "0") [base, digits] = [8, s.slice(1)];
  // Underscores only between digits (or after a base prefix).
  const hadPrefix = digits !== s;
  if (digits.includes("_")) {
    if (!hadPrefix && base === 10 && s.startsWith("_")) return undefined;
    if (/__|_$/.test(digits) || (!hadPrefix && digits.startsWith("_"))) return undefined;
    digits = digits.replace(/_/g, "");
  }
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (digits === "" || valid === undefined || !valid.test(digits)) return undefined;
  const prefixText = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[base] ?? "";
  let v = BigInt(prefixText + digits);
  if (neg) v = -v;
  return v;
}

/** Parses a float literal (decimal or hex) as Go's ParseFloat; undefined when invalid. */
function parseGoFloat(text: string): number | undefined {
  let s = text;
  if (s.includes("_")) {
    if (/__|_$|^[+-]?_|_\.|\._|_[eEpP]|[eEpP][+-]?_/.test(s)) return undefined;
    s = s.replace(/_/g, "");
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s);
  if (hex !== null) {
    const [, sign, intPart = "", frac = "", exp = "0"] = hex;
    if (intPart === "" && frac === "") return undefined;
    const mant = parseInt(intPart + frac || "0", 16);
    const v = mant * Math.pow(2, Number(exp) - 4 * frac.length);
    return sign === "-" ? -v : v;
  }
  return undefined;
}

export interface NumberValue {
  int: bigint | undefined;
  float: number | undefined;
  isFloatSyntax: boolean;
}

/** Go's parse.NumberNode rules; a string result is the error message. */
export function parseNumber(text: string, isChar: boolean): NumberValue | string {
  if (isChar) {
    const s = unquote(text);
    if (s === undefined) return `malformed character constant: ${text}`;
    const cp = s.codePointAt(0) ?? 0;
    return { int: BigInt(cp), float: cp, isFloatSyntax: false };
  }
  if (text.endsWith("i")) return `complex numbers are not supported: ${JSON.stringify(text)}`;
  const isHexInt = /^[+-]?0[xX]/.test(text) && !/[pP]/.test(text);
  const floatSyntax = !isHexInt && /[.eEpP]/.test(text);
  if (!floatSyntax) {
    const i = parseIntLiteral(text);
    if (i !== undefined) {
      if (i < INT64_MIN || i > INT64_MAX) return `${text} overflows int`;
      return { int: i, float: Number(i), isFloatSyntax: false };
    }
    return `illegal number syntax: ${JSON.stringify(text)}`;
  }
  const f = parseGoFloat(text);
  if (f === undefined || !Number.isFinite(f))
    return `illegal number syntax: ${JSON.stringify(text)}`;
  const int = Number.isInteger(f) && Math.abs(f) < 2 ** 63 ? BigInt(f) : undefined;
  return { int, float: f, isFloatSyntax: true };
}
