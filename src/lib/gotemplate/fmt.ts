// Go's fmt verbs over the engine's values: Sprint, Sprintln, Sprintf and %v (the Go number and
// string formatting underneath is lib/go's).
import { formatFloat } from "../go/floatfmt.js";
import { MAX_VALUE_DEPTH, kindOf, sortedKeys, typeName, type GoMap, type Value } from "./values.js";
import { fail } from "./funcdef.js";
import { canBackquote, goQuote, isPrint } from "../go/quote.js";

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const PLAIN: Spec = {
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
};

/** Width and precision larger than this are refused, so one verb cannot allocate gigabytes. */
const MAX_FORMAT_WIDTH = 1 << 20;

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, spec: Spec, zeroAllowed = true): string {
  const w = spec.width;
  if (w === undefined) return s;
  const n = runeCount(s);
  if (n >= w) return s;
  if (spec.minus) return s + " ".repeat(w - n);
  if (spec.zero && zeroAllowed) {
    // Zeros go after a sign.
    const sign = /^[+\- ]/.test(s) ? s[0] : "";
    return sign + "0".repeat(w - n) + s.slice(sign?.length ?? 0);
  }
  return " ".repeat(w - n) + s;
}

function bytesHex(s: string, spec: Spec, upper: boolean): string {
  let bytes = Buffer.from(s, "utf8");
  if (spec.prec !== undefined) bytes = bytes.subarray(0, spec.prec);
  const parts: string[] = [];
  for (const b of bytes) {
    let h = b.toString(16).padStart(2, "0");
    if (upper) h = h.toUpperCase();
    if (spec.sharp && (spec.space || parts.length === 0)) h = (upper ? "0X" : "0x") + h;
    parts.push(h);
  }
  return parts.join(spec.space ? " " : "");
}

function truncateRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  let out = "";
  let n = 0;
  for (const c of s) {
    if (n++ >= prec) break;
    out += c;
  }
  return out;
}

function formatInt(v: bigint, verb: string, spec: Spec): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "d":
    case "v":
      digits = abs.toString(10);
      break;
    case "b":
      digits = abs.toString(2);
      if (spec.sharp) prefix = "0b";
      break;
    case "o":
    case "O":
      digits = abs.toString(8);
      if (verb === "O") prefix = "0o";
      else if (spec.sharp && digits !== "0") prefix = "0";
      break;
    case "x":
      digits = abs.toString(16);
      if (spec.sharp) prefix = "0x";
      break;
    case "X":
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = "0X";
      break;
    default:
      return badVerb(verb, v);
  }
  let zeroPad = spec.zero && !spec.minus && spec.prec === undefined;
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0n) digits = "";
    digits = digits.padStart(spec.prec, "0");
    zeroPad = false;
  }
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  let body = prefix + digits;
  if (zeroPad && spec.width !== undefined) {
    const n = sign.length + body.length;
    if (n < spec.width) body = prefix + "0".repeat(spec.width - n) + digits;
    return sign + body;
  }
  return pad(sign + body, { ...spec, zero: false });
}

function formatFloatVerb(v: number, verb: string, spec: Spec): string {
  let s: string;
  const prec = spec.prec ?? -1;
  switch (verb) {
    case "v":
    case "g":
      s = formatFloat(v, "g", prec);
      break;
    case "G":
      s = formatFloat(v, "G", prec);
      break;
    case "e":
    case "E":
      s = formatFloat(v, verb, spec.prec ?? 6);
      break;
    case "f":
    case "F":
      s = formatFloat(v, "f", spec.prec ?? 6);
      break;
    default:
      return badVerb(verb, v);
  }
  if (spec.sharp && !s.includes(".") && Number.isFinite(v)) {
    const e = s.search(/[eE]/);
    s = e < 0 ? s + "." : s.slice(0, e) + "." + s.slice(e);
  }
  if (!s.startsWith("-") && !s.startsWith("+")) {
    if (spec.plus) s = "+" + s;
    else if (spec.space) s = " " + s;
  } else if (s === "+Inf" && !spec.plus) {
    s = spec.space ? " Inf" : "+Inf";
  }
  return pad(s, spec, Number.isFinite(v));
}

function formatString(s: string, verb: string, flags: Spec): string {
  // The 0 flag is ignored for strings (Go 1.23 and later).
  const spec = { ...flags, zero: false };
  switch (verb) {
    case "v":
    case "s":
      return pad(truncateRunes(s, spec.prec), spec);
    case "q": {
      const t = truncateRunes(s, spec.prec);
      return pad(spec.sharp && canBackquote(t) ? "`" + t + "`" : goQuote(t, '"', spec.plus), spec);
    }
    case "x":
      return pad(bytesHex(s, spec, false), spec);
    case "X":
      return pad(bytesHex(s, spec, true), spec);
    default:
      return badVerb(verb, s);
  }
}

function formatRune(v: bigint, verb: string, spec: Spec): string {
  const cp = v >= 0n && v <= 0x10ffffn && !(v >= 0xd800n && v < 0xe000n) ? Number(v) : 0xfffd;
  const c = String.fromCodePoint(cp);
  if (verb === "c") return pad(c, spec);
  if (verb === "q") return pad(goQuote(c, "'", spec.plus), spec);
  // %U
  let s = "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
  if (spec.sharp && isPrint(c)) s += ` '${c}'`;
  return pad(s, spec);
}

function badVerb(verb: string, v: Value): string {
  if (v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, "v", PLAIN, 0)})`;
}

function goSyntax(v: Value, depth: number): string {
  if (depth > MAX_VALUE_DEPTH) fail(`value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  switch (kindOf(v)) {
    case "nil":
      return "<nil>";
    case "string":
      return goQuote(v as string);
    case "float": {
      const s = formatFloat(v as number, "g", -1);
      return s;
    }
    case "slice":
      return "[]interface {}{" + (v as Value[]).map((e) => goSyntax(e, depth + 1)).join(", ") + "}";
    case "map": {
      const m = v as GoMap;
      return (
        typeName(m) +
        "{" +
        sortedKeys(m)
          .map((k) => goQuote(k) + ":" + goSyntax(m.get(k) ?? null, depth + 1))
          .join(", ") +
        "}"
      );
    }
    default:
      return formatValue(v, "v", PLAIN, depth);
  }
}

/** Formats one operand with a verb, as fmt does (recursing into slices and maps). */
function formatValue(v: Value, verb: string, spec: Spec, depth: number): string {
  if (depth > MAX_VALUE_DEPTH) fail(`value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (verb === "T") return pad(typeName(v), spec);
  if (verb === "v" && spec.sharp) return pad(goSyntax(v, depth), spec);
  switch (kindOf(v)) {
    case "nil":
      return verb === "v" ? pad("<nil>", spec) : badVerb(verb, v);
    case "bool":
      return verb === "v" || verb === "t" ? pad(String(v), spec) : badVerb(verb, v);
    case "int":
      if (verb === "c" || verb === "q" || verb === "U") return formatRune(v as bigint, verb, spec);
      return formatInt(v as bigint, verb, spec);
    case "float":
      return formatFloatVerb(v as number, verb, spec);
    case "string":
      return formatString(v as string, verb, spec);
    case "slice":
      return "[" + (v as Value[]).map((e) => formatValue(e, verb, spec, depth + 1)).join(" ") + "]";
    case "map": {
      const m = v as GoMap;
      return (
        "map[" +
        sortedKeys(m)
          .map(
            (k) =>
              formatValue(k, verb, spec, depth + 1) +
              ":" +
              formatValue(m.get(k) ?? null, verb, spec, depth + 1),
          )
          .join(" ") +
        "]"
      );
    }
    case "func":
      return verb === "v" || verb === "p" ? pad("0xc000010000", spec) : badVerb(verb, v);
  }
}

/** %v of one value. */
export function sprintValue(v: Value): string {
  return formatValue(v, "v", PLAIN, 0);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: Value[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += sprintValue(a);
  });
  return out;
}

/** fmt.Sprintln: spaces always, newline at the end. */
export function sprintln(args: Value[]): string {
  return args.map(sprintValue).join(" ") + "\n";
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: Value[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...PLAIN };
    // Flags.
    for (; i < n; i++) {
      const c = format[i];
      if (c === "-") {
        spec.minus = true;
        spec.zero = false;
      } else if (c === "+") spec.plus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === " ") spec.space = true;
      else if (c === "0") spec.zero = !spec.minus;
      else break;
    }
    // Explicit argument index: %[n]d.
    const argIndex = (): void => {
      const m = /^\[(\d+)\]/.exec(format.slice(i));
      if (m === null) return;
      reordered = true;
      argNum = Number(m[1]) - 1;
      i += m[0].length;
    };
    const number = (): number | undefined | "bad" => {
      argIndex();
      if (format[i] === "*") {
        i++;
        const a = args[argNum++];
        if (typeof a !== "bigint") return "bad";
        const w = Number(a);
        if (Math.abs(w) > MAX_FORMAT_WIDTH) fail(`width or precision ${w} is too large`);
        return w;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (m === null) return undefined;
      i += m[0].length;
      const w = Number(m[0]);
      if (w > MAX_FORMAT_WIDTH) fail(`width or precision ${m[0]} is too large`);
      return w;
    };
    const w = number();
    if (w === "bad") out += "%!(BADWIDTH)";
    else if (w !== undefined) {
      spec.width = Math.abs(w);
      if (w < 0) {
        spec.minus = true;
        spec.zero = false;
      }
    }
    if (format[i] === ".") {
      i++;
      const p = number();
      if (p === "bad" || (p !== undefined && p < 0)) out += "%!(BADPREC)";
      else spec.prec = p ?? 0;
    }
    argIndex();
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++] ?? null;
    if (verb === "w") {
      out += badVerb(verb, arg);
      continue;
    }
    out += formatValue(arg, verb, spec, 0);
  }
  if (!reordered && argNum < args.length) {
    out +=
      "%!(EXTRA " +
      args
        .slice(argNum)
        .map((a) => (a === null ? "<nil>" : `${typeName(a)}=${sprintValue(a)}`))
        .join(", ") +
      ")";
  }
  return out;
}
