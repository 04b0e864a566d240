// Sprig dictionary functions. `set` and `unset` change the map in place, as Sprig does
// (the engine copies caller data first, so only the template's own values change).
import { def, fail, type FuncDef } from "../funcdef.js";
import { MAX_VALUE_DEPTH, isMap, sortedKeys, typeName, type GoMap, type Value } from "../values.js";
import { strval } from "./convert.js";

function dict(args: Value[]): GoMap {
  const m: GoMap = new Map();
  for (let i = 0; i < args.length; i += 2)
    m.set(strval(args[i] ?? null), i + 1 < args.length ? (args[i + 1] ?? null) : "");
  return m;
}

function asMap(v: Value): GoMap {
  return isMap(v) ? v : new Map();
}

/** A copy of a value's lists and maps (Sprig deepCopy). */
function deepCopy(v: Value): Value {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) return new Map([...v].map(([k, e]) => [k, deepCopy(e)]));
  return v;
}

/** Sprig dig: follows keys through nested maps, returning the default where one is missing. */
function dig(args: Value[]): Value {
  const dict = args[args.length - 1] ?? null;
  const dflt = args[args.length - 2] ?? null;
  const keys = args.slice(0, -2);
  if (!isMap(dict))
    fail(`wrong type for value; expected map[string]interface {}; got ${typeName(dict)}`);
  let cur: Value = dict;
  for (const k of keys) {
    if (typeof k !== "string") fail(`wrong type for value; expected string; got ${typeName(k)}`);
    if (!isMap(cur) || !cur.has(k)) return dflt;
    cur = cur.get(k) ?? null;
  }
  return cur;
}

/** mergo's isEmptyValue for template values. */
function isEmpty(v: Value): boolean {
  if (v === null || v === "" || v === false || v === 0n || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isMap(v) && v.size === 0;
}

/**
 * mergo.Merge (overwrite false) and MergeWithOverwrite, as they treat two
 * map[string]interface{} (dario.cat/mergo v1.0.1, which Sprig 3.3 uses): nested maps merge
 * in place, other src values land where dst has none or an empty one (anywhere, with
 * overwrite; a nil src value only then). src values are shared, not copied, as in Go.
 */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) fail(`maps nested deeper than ${MAX_VALUE_DEPTH} levels`);
  for (const [k, s] of src) {
    const had = dst.has(k);
    const d = dst.get(k) ?? null;
    if (s === null) {
      if (overwrite) dst.set(k, null);
      continue;
    }
    if (isMap(s) && had && isMap(d)) {
      mergeInto(d, s, overwrite, depth + 1);
      if (d.size === 0) dst.set(k, s);
      continue;
    }
    if (overwrite || !had || isEmpty(d)) dst.set(k, s);
  }
}

function merge(args: Value[], overwrite: boolean): GoMap {
  const dst = asMap(args[0] ?? null);
  for (const src of args.slice(1)) mergeInto(dst, asMap(src), overwrite, 0);
  return dst;
}

export const DICT_FUNCS: Record<string, FuncDef> = {
  // The must- forms differ only by errors mergo can return, which two maps never cause.
  merge: def(["map"], (args) => merge(args, false), "map"),
  mustMerge: def(["map"], (args) => merge(args, false), "map"),
  mergeOverwrite: def(["map"], (args) => merge(args, true), "map"),
  mustMergeOverwrite: def(["map"], (args) => merge(args, true), "map"),
  dict: def([], dict, "any"),
  deepCopy: def(["any"], ([v]) => deepCopy(v ?? null)),
  mustDeepCopy: def(["any"], ([v]) => deepCopy(v ?? null)),
  dig: def(["any", "any", "any"], dig, "any"),
  get: def(["map", "string"], ([d, k]) => asMap(d ?? null).get(k as string) ?? ""),
  set: def(["map", "string", "any"], ([d, k, v]) => {
    if (d === null) fail("assignment to entry in nil map");
    const m = asMap(d ?? null);
    m.set(k as string, v ?? null);
    return m;
  }),
  unset: def(["map", "string"], ([d, k]) => {
    const m = asMap(d ?? null);
    m.delete(k as string);
    return m;
  }),
  hasKey: def(["map", "string"], ([d, k]) => asMap(d ?? null).has(k as string)),
  pluck: def(
    ["string"],
    ([k, ...ds]) =>
      ds.map(asMap).flatMap((m) => (m.has(k as string) ? [m.get(k as string) ?? null] : [])),
    "map",
  ),
  // Go's map order is random; kompat sorts so output is reproducible.
  keys: def([], (ds) => ds.map(asMap).flatMap((m) => sortedKeys(m)), "map"),
  values: def(["map"], ([d]) => {
    const m = asMap(d ?? null);
    return sortedKeys(m).map((k) => m.get(k) ?? null);
  }),
  pick: def(
    ["map"],
    ([d, ...ks]) => {
      const m = asMap(d ?? null);
      return new Map(
        ks.flatMap((k) => (m.has(k as string) ? [[k as string, m.get(k as string) ?? null]] : [])),
      );
    },
    "string",
  ),
  omit: def(
    ["map"],
    ([d, ...ks]) => {
      const drop = new Set(ks as string[]);
      return new Map([...asMap(d ?? null)].filter(([k]) => !drop.has(k)));
    },
    "string",
  ),
};
