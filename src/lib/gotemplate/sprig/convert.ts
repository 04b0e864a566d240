// Sprig's value conversions: strval, strslice, empty, and spf13/cast's lenient number casts.
import { sprintValue } from "../fmt.js";
import { kindOf, toInt64, type Value } from "../values.js";
import { parseIntLiteral } from "../../go/literals.js";

/** Sprig strval: strings as is, anything else as fmt %v. */
export function strval(v: Value): string {
  return typeof v === "string" ? v : sprintValue(v);
}

/** Sprig strslice: a list's non-nil elements as strings; nil is empty; any other value a one-element list. */
export function strslice(v: Value): string[] {
  if (Array.isArray(v)) return v.filter((e) => e !== null).map(strval);
  if (v === null) return [];
  return [strval(v)];
}

/** Sprig empty: nil, false, 0, and empty strings, lists and maps. */
export function empty(v: Value): boolean {
  switch (kindOf(v)) {
    case "nil":
      return true;
    case "bool":
      return v === false;
    case "int":
      return v === 0n;
    case "float":
      return v === 0;
    case "string":
      return v === "";
    case "slice":
      return (v as Value[]).length === 0;
    case "map":
      return (v as Map<string, Value>).size === 0;
    case "func":
      return false;
  }
}

/** cast's trimZeroDecimal: "12.000" -> "12". */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === ".") {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === "0") {
      foundZero = true;
    } else {
      return s;
    }
  }
  return s;
}

/** cast.ToInt64: numbers truncated, strings parsed with base prefixes, bools 1/0, anything else 0. */
export function castInt(v: Value): bigint {
  switch (kindOf(v)) {
    case "int":
      return v as bigint;
    case "float": {
      const f = v as number;
      if (!Number.isFinite(f)) return f > 0 ? -(1n << 63n) : -(1n << 63n);
      return toInt64(BigInt(Math.trunc(f)));
    }
    case "bool":
      return v === true ? 1n : 0n;
    case "string": {
      const n = parseIntLiteral(trimZeroDecimal(v as string));
      return n !== undefined && n === toInt64(n) ? n : 0n;
    }
    default:
      return 0n;
  }
}

/** cast.ToFloat64: strings parsed as Go floats, bools 1/0, anything else 0. */
export function castFloat(v: Value): number {
  switch (kindOf(v)) {
    case "int":
      return Number(v as bigint);
    case "float":
      return v as number;
    case "bool":
      return v === true ? 1 : 0;
    case "string": {
      const s = (v as string).replace(/_/g, "");
      if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
      if (/^nan$/i.test(s)) return NaN;
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?0[xX]/.test(s)) return 0;
      const f = /^[+-]?0[xX]/.test(s) ? Number(parseIntLiteral(s) ?? 0) : Number(s);
      return Number.isNaN(f) ? 0 : f;
    }
    default:
      return 0;
  }
}
