// Sprig list functions. Lists are copied, never changed in place, as Sprig does.
import { def, fail, type CallContext, type FuncDef } from "../funcdef.js";
import { compareStrings } from "../../go/strings.js";
import { deepEqual, typeName, type Value } from "../values.js";
import { castInt, empty, strslice, strval } from "./convert.js";

const NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference";

/** The list argument of a Sprig list function, or its Go error "Cannot <verb> on type <kind>". */
function asList(v: Value, verb: string): Value[] {
  if (v === null) fail(NIL_DEREF);
  if (!Array.isArray(v)) fail(`Cannot ${verb} on type ${goKind(v)}`);
  return v;
}

/** reflect.Kind names, as Sprig's messages print them. */
export function goKind(v: Value): string {
  const t = typeName(v);
  if (t.startsWith("map")) return "map";
  if (t.startsWith("[]")) return "slice";
  if (t.startsWith("func")) return "func";
  return t;
}

function inList(list: Value[], v: Value): boolean {
  return list.some((e) => deepEqual(e, v));
}

function uniq(list: Value[], ctx: CallContext): Value[] {
  const out: Value[] = [];
  for (const e of list) {
    ctx.charge(out.length);
    if (!inList(out, e)) out.push(e);
  }
  return out;
}

function until(start: bigint, stop: bigint, step: bigint, ctx: CallContext): Value[] {
  const out: Value[] = [];
  if (stop < start ? step >= 0n : step <= 0n) return out;
  const count = (stop - start) / step + ((stop - start) % step !== 0n ? 1n : 0n);
  if (count > BigInt(ctx.maxSize))
    fail(`list of ${count} elements exceeds the ${ctx.maxSize} limit`);
  for (let i = start; stop < start ? i > stop : i < stop; i += step) out.push(i);
  return out;
}

function seq(params: bigint[], ctx: CallContext): string {
  let start: bigint;
  let end: bigint;
  let step: bigint;
  switch (params.length) {
    case 1:
      start = 1n;
      end = params[0] ?? 0n;
      step = end < start ? -1n : 1n;
      break;
    case 2:
      start = params[0] ?? 0n;
      end = params[1] ?? 0n;
      step = end < start ? -1n : 1n;
      break;
    case 3: {
      start = params[0] ?? 0n;
      end = params[2] ?? 0n;
      step = params[1] ?? 0n;
      if (end < start && step > 0n) return "";
      const inc = end < start ? -1n : 1n;
      return until(start, end + inc, step, ctx).join(" ");
    }
    default:
      return "";
  }
  return until(start, end + step, step, ctx).join(" ");
}

export const LIST_FUNCS: Record<string, FuncDef> = {
  list: def([], (args) => args, "any"),
  tuple: def([], (args) => args, "any"),
  append: def(["any", "any"], ([l, v]) => [...asList(l ?? null, "push"), v ?? null]),
  push: def(["any", "any"], ([l, v]) => [...asList(l ?? null, "push"), v ?? null]),
  prepend: def(["any", "any"], ([l, v]) => [v ?? null, ...asList(l ?? null, "prepend")]),
  first: def(["any"], ([l]) => asList(l ?? null, "find first")[0] ?? null),
  last: def(["any"], ([l]) => {
    const list = asList(l ?? null, "find last");
    return list[list.length - 1] ?? null;
  }),
  rest: def(["any"], ([l]) => {
    const list = asList(l ?? null, "find rest");
    return list.length === 0 ? null : list.slice(1);
  }),
  initial: def(["any"], ([l]) => {
    const list = asList(l ?? null, "find initial");
    return list.length === 0 ? null : list.slice(0, -1);
  }),
  reverse: def(["any"], ([l]) => [...asList(l ?? null, "find reverse")].reverse()),
  uniq: def(["any"], ([l], ctx) => uniq(asList(l ?? null, "find uniq"), ctx)),
  without: def(
    ["any"],
    ([l, ...omit], ctx) => {
      const list = asList(l ?? null, "find without");
      ctx.charge(list.length * omit.length);
      return list.filter((e) => !inList(omit, e));
    },
    "any",
  ),
  has: def(["any", "any"], ([needle, hay], ctx) => {
    if (hay === null) fail(NIL_DEREF);
    const list = asList(hay ?? null, "find has");
    ctx.charge(list.length);
    return inList(list, needle ?? null);
  }),
  compact: def(["any"], ([l]) => asList(l ?? null, "compact").filter((e) => !empty(e))),
  concat: def(
    [],
    (lists) =>
      lists.flatMap((l) => {
        if (!Array.isArray(l)) fail(`Cannot concat type ${goKind(l)} as list`);
        return l;
      }),
    "any",
  ),
  slice: def(
    ["any"],
    ([l, ...idx]) => {
      if (l === null) fail(NIL_DEREF);
      if (!Array.isArray(l)) fail(`list should be type of slice or array but ${goKind(l ?? null)}`);
      if (l.length === 0) return null;
      const start = idx.length > 0 ? Number(castInt(idx[0] ?? null)) : 0;
      const end = idx.length > 1 ? Number(castInt(idx[1] ?? null)) : l.length;
      if (start < 0 || end > l.length || start > end) {
        fail(`reflect: slice index out of range`);
      }
      return l.slice(start, end);
    },
    "any",
  ),
  sortAlpha: def(["any"], ([l]) => {
    if (!Array.isArray(l)) return [strval(l ?? null)];
    return strslice(l).sort(compareStrings);
  }),
  until: def(["int"], ([n], ctx) => {
    const count = n as bigint;
    return until(0n, count, count < 0n ? -1n : 1n, ctx);
  }),
  untilStep: def(["int", "int", "int"], ([a, b, s], ctx) =>
    until(a as bigint, b as bigint, s as bigint, ctx),
  ),
  seq: def([], (params, ctx) => seq(params as bigint[], ctx), "int"),
  chunk: def(["int", "any"], ([size, l]) => {
    const list = asList(l ?? null, "chunk");
    const n = Number(size);
    if (n <= 0) fail("size must be positive");
    const out: Value[] = [];
    for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
    return out;
  }),
};
