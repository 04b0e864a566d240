// Go values as the engine sees them. Plain JS data is converted once at entry:
// objects become Go maps (map[string]interface{}), arrays slices, integral numbers Go ints
// (bigint, 64-bit), other numbers float64, null/undefined nil.
import { TemplateError } from "./errors.js";
import { FuncError } from "./funcdef.js";
import { compareStrings } from "../go/strings.js";

export type HostFunc = (...args: Value[]) => unknown;
export type GoMap = Map<string, Value>;
export type Value = null | boolean | string | bigint | number | Value[] | GoMap | HostFunc;

export type Kind = "nil" | "bool" | "int" | "float" | "string" | "slice" | "map" | "func";

/** Nesting allowed in data, and in values printed, compared or serialised. */
export const MAX_VALUE_DEPTH = 100;

export function kindOf(v: Value): Kind {
  if (v === null) return "nil";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
    case "function":
      return "func";
  }
  return Array.isArray(v) ? "slice" : "map";
}

/** Go's name for the dynamic type, as used in messages and %T. */
export function typeName(v: Value): string {
  switch (kindOf(v)) {
    case "nil":
      return "<nil>";
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "string":
      return "string";
    case "slice":
      return "[]interface {}";
    case "map":
      return isStringMap(v) ? "map[string]string" : "map[string]interface {}";
    case "func":
      return "func(...interface {}) interface {}";
  }
}

export function isMap(v: Value): v is GoMap {
  return v instanceof Map;
}

/**
 * Caller maps whose values are all strings stand for Go's map[string]string (NFD's matched
 * elements): a missing key read with `index` gives "", and Sprig's dict functions refuse them.
 */
const STRING_MAPS = new WeakSet<GoMap>();

export function isStringMap(v: Value): boolean {
  return v instanceof Map && STRING_MAPS.has(v);
}

/** Go's truth: zero values, empty strings, slices and maps, and nil are false. */
export function truth(v: Value): boolean {
  switch (kindOf(v)) {
    case "nil":
      return false;
    case "bool":
      return v === true;
    case "int":
      return v !== 0n;
    case "float":
      return v !== 0;
    case "string":
      return (v as string).length > 0;
    case "slice":
      return (v as Value[]).length > 0;
    case "map":
      return (v as GoMap).size > 0;
    case "func":
      return true;
  }
}

export function toInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}

/** Converts caller data into engine values (a copy, so template functions like `set` never touch it). */
export function fromHost(data: unknown): Value {
  const seen = new Set<object>();
  const convert = (v: unknown, depth: number): Value => {
    if (v === null || v === undefined) return null;
    switch (typeof v) {
      case "boolean":
      case "string":
        return v;
      case "number":
        return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v) : v;
      case "bigint":
        return toInt64(v);
      case "function":
        return v as HostFunc;
      case "symbol":
        return v.toString();
    }
    if (depth > MAX_VALUE_DEPTH)
      throw new TemplateError(`template: data nested deeper than ${MAX_VALUE_DEPTH} levels`);
    const o = v as object;
    if (seen.has(o)) throw new TemplateError("template: data contains a cycle");
    seen.add(o);
    let out: Value;
    if (Array.isArray(o)) {
      out = o.map((e: unknown) => convert(e, depth + 1));
    } else if (o instanceof Map) {
      out = new Map([...o].map(([k, e]: [unknown, unknown]) => [String(k), convert(e, depth + 1)]));
    } else if (o instanceof Date) {
      out = o.toISOString();
    } else {
      out = new Map(Object.entries(o).map(([k, e]) => [k, convert(e, depth + 1)]));
    }
    if (
      out instanceof Map &&
      out.size > 0 &&
      [...out.values()].every((e) => typeof e === "string")
    ) {
      STRING_MAPS.add(out);
    }
    seen.delete(o);
    return out;
  };
  return convert(data, 0);
}

export function sortedKeys(m: GoMap): string[] {
  return [...m.keys()].sort(compareStrings);
}

/** reflect.DeepEqual over engine values (int and float never equal, as their types differ). */
export function deepEqual(a: Value, b: Value, depth = 0): boolean {
  if (depth > MAX_VALUE_DEPTH)
    throw new FuncError(`value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (a === b) return true;
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  if (ka === "slice") {
    const x = a as Value[];
    const y = b as Value[];
    return x.length === y.length && x.every((e, i) => deepEqual(e, y[i] ?? null, depth + 1));
  }
  if (ka === "map") {
    const x = a as GoMap;
    const y = b as GoMap;
    if (x.size !== y.size) return false;
    for (const [k, e] of x) {
      if (!y.has(k) || !deepEqual(e, y.get(k) ?? null, depth + 1)) return false;
    }
    return true;
  }
  return false;
}

/** Length in bytes of the UTF-8 encoding, Go's len(string). */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
