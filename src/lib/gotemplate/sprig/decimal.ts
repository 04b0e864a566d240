// Sprig's float arithmetic (addf, subf, mulf, divf) goes through shopspring/decimal: each
// float becomes the exact decimal of its shortest representation, the operation is exact
// (division: 16 places, half away from zero), and the result is the nearest float64. So
// `addf 0.1 0.2` is 0.3, not 0.30000000000000004. Written here: no maintained JS library
// reproduces that library's rounding rules, and BigInt makes it a few lines.
import { fail } from "../funcdef.js";

/** value = coef × 10^exp */
export interface Decimal {
  coef: bigint;
  exp: number;
}

const DIVISION_PRECISION = 16;

export function decimalFromFloat(f: number): Decimal {
  if (Number.isNaN(f)) fail("Cannot create a Decimal from NaN");
  if (!Number.isFinite(f)) fail(`Cannot create a Decimal from ${f > 0 ? "+Inf" : "-Inf"}`);
  // JS and Go both print the shortest text that reads back as the same float.
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(f));
  if (m === null) fail(`Cannot create a Decimal from ${f}`);
  const [, sign, int, frac = "", e = "0"] = m;
  const coef = BigInt(`${sign}${int}${frac}`);
  return { coef, exp: Number(e) - frac.length };
}

export function decimalToFloat(d: Decimal): number {
  // Number() of decimal text rounds to nearest, ties to even, as big.Rat.Float64 does.
  return Number(`${d.coef}e${d.exp}`);
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - exp), b.coef * 10n ** BigInt(b.exp - exp), exp];
}

export function decimalAdd(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return { coef: x + y, exp };
}

export function decimalSub(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return { coef: x - y, exp };
}

export function decimalMul(a: Decimal, b: Decimal): Decimal {
  return { coef: a.coef * b.coef, exp: a.exp + b.exp };
}

/** a / b to 16 decimal places, the last rounded half away from zero. */
export function decimalDiv(a: Decimal, b: Decimal): Decimal {
  if (b.coef === 0n) fail("decimal division by 0");
  // (a.coef 10^a.exp) / (b.coef 10^b.exp) × 10^16 as the integer fraction num / den.
  const k = a.exp - b.exp + DIVISION_PRECISION;
  const num = k >= 0 ? a.coef * 10n ** BigInt(k) : a.coef;
  const den = k >= 0 ? b.coef : b.coef * 10n ** BigInt(-k);
  let q = num / den;
  const rem = num % den;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  if (2n * abs(rem) >= abs(den)) q += num < 0n !== den < 0n ? -1n : 1n;
  return { coef: q, exp: -DIVISION_PRECISION };
}
