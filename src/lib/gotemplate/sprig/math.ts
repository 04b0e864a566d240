// Sprig arithmetic: integers cast leniently to int64 (spf13/cast), results wrapping at 64
// bits; the f-functions in decimal (decimal.ts).
import { def, fail, type FuncDef } from "../funcdef.js";
import { toInt64, type Value } from "../values.js";
import { castFloat, castInt } from "./convert.js";
import { sprintValue } from "../fmt.js";
import {
  decimalAdd,
  decimalDiv,
  decimalFromFloat,
  decimalMul,
  decimalSub,
  decimalToFloat,
  type Decimal,
} from "./decimal.js";

function divide(a: bigint, b: bigint, op: "/" | "%"): bigint {
  if (b === 0n) fail("runtime error: integer divide by zero");
  // BigInt division truncates toward zero, as Go's does.
  return toInt64(op === "/" ? a / b : a % b);
}

function round(v: number, places: number, roundOn: number): number {
  const pow = Math.pow(10, places);
  const digit = pow * v;
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

const ints = (args: Value[]): bigint[] => args.map((a) => castInt(a));

/** Sprig's execDecimalOp: `first op each of rest`, in decimal, back to float64. */
function decimalOp(first: Value, rest: Value[], op: (a: Decimal, b: Decimal) => Decimal): number {
  let acc = decimalFromFloat(castFloat(first));
  for (const x of rest) acc = op(acc, decimalFromFloat(castFloat(x)));
  return decimalToFloat(acc);
}

export const MATH_FUNCS: Record<string, FuncDef> = {
  add: def([], (args) => toInt64(ints(args).reduce((s, x) => s + x, 0n)), "any"),
  add1: def(["any"], ([a]) => toInt64(castInt(a ?? null) + 1n)),
  sub: def(["any", "any"], ([a, b]) => toInt64(castInt(a ?? null) - castInt(b ?? null))),
  mul: def(["any"], (args) => ints(args).reduce((s, x) => toInt64(s * x), 1n), "any"),
  div: def(["any", "any"], ([a, b]) => divide(castInt(a ?? null), castInt(b ?? null), "/")),
  mod: def(["any", "any"], ([a, b]) => divide(castInt(a ?? null), castInt(b ?? null), "%")),
  max: def(["any"], (args) => ints(args).reduce((m, x) => (x > m ? x : m)), "any"),
  biggest: def(["any"], (args) => ints(args).reduce((m, x) => (x > m ? x : m)), "any"),
  min: def(["any"], (args) => ints(args).reduce((m, x) => (x < m ? x : m)), "any"),
  int: def(["any"], ([a]) => castInt(a ?? null)),
  int64: def(["any"], ([a]) => castInt(a ?? null)),
  float64: def(["any"], ([a]) => castFloat(a ?? null)),
  atoi: def(["string"], ([s]) => {
    // strconv.Atoi: optional sign and decimal digits only; errors give 0.
    const str = s as string;
    if (!/^[+-]?\d+$/.test(str)) return 0n;
    const n = BigInt(str);
    return n === toInt64(n) ? n : 0n;
  }),
  toDecimal: def(["any"], ([v]) => {
    // Sprig: the value's text read as an octal number (Unix modes), 0 when it is not one.
    const text = sprintValue(v ?? null);
    if (!/^[+-]?[0-7]+$/.test(text)) return 0n;
    const n = BigInt(text.replace(/^([+-]?)/, "$10o"));
    return n === toInt64(n) ? n : 0n;
  }),
  floor: def(["any"], ([a]) => Math.floor(castFloat(a ?? null))),
  ceil: def(["any"], ([a]) => Math.ceil(castFloat(a ?? null))),
  round: def(
    ["any", "int"],
    ([a, p, r]) => round(castFloat(a ?? null), Number(p), r === undefined ? 0.5 : (r as number)),
    "float64",
  ),
  addf: def([], (args) => decimalOp(0, args, decimalAdd), "any"),
  add1f: def(["any"], ([a]) => decimalOp(a ?? null, [1n], decimalAdd)),
  subf: def(["any"], ([a, ...rest]) => decimalOp(a ?? null, rest, decimalSub), "any"),
  mulf: def(["any"], ([a, ...rest]) => decimalOp(a ?? null, rest, decimalMul), "any"),
  divf: def(["any"], ([a, ...rest]) => decimalOp(a ?? null, rest, decimalDiv), "any"),
  maxf: def(
    ["any"],
    (args) => args.map((a) => castFloat(a)).reduce((m, x) => Math.max(m, x)),
    "any",
  ),
  minf: def(
    ["any"],
    (args) => args.map((a) => castFloat(a)).reduce((m, x) => Math.min(m, x)),
    "any",
  ),
};
