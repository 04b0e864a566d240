// Sprig's random functions: strings from crypto/rand (goutils' CryptoRandom character sets),
// randInt from math/rand, uuidv4, randBytes. Not repeatable, as in Sprig (its "nonhermetic"
// list): a spec whose template uses them gets a different rule.matched value on every run.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { def, fail, type CallContext, type FuncDef } from "../funcdef.js";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
// goutils draws from ' '..'z' keeping letters and digits as asked; randAscii from 32..126.
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

function randomString(count: bigint, chars: string, ctx: CallContext): string {
  // Sprig swallows goutils' error for a negative count and returns "".
  if (count <= 0n) return "";
  if (count > BigInt(ctx.maxSize))
    fail(`result of ${count} bytes exceeds the ${ctx.maxSize}-byte limit`);
  const n = Number(count);
  ctx.charge(n);
  let out = "";
  for (let i = 0; i < n; i++) out += chars[randomInt(chars.length)];
  return out;
}

/** xstrings.Shuffle: the characters (code points) in random order. */
function shuffle(s: string, ctx: CallContext): string {
  const chars = [...s];
  ctx.charge(chars.length);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join("");
}

export const RANDOM_FUNCS: Record<string, FuncDef> = {
  randAlpha: def(["int"], ([n], ctx) => randomString(n as bigint, UPPER + LOWER, ctx)),
  randAlphaNum: def(["int"], ([n], ctx) => randomString(n as bigint, DIGITS + UPPER + LOWER, ctx)),
  randNumeric: def(["int"], ([n], ctx) => randomString(n as bigint, DIGITS, ctx)),
  randAscii: def(["int"], ([n], ctx) => randomString(n as bigint, ASCII, ctx)),
  randInt: def(["int", "int"], ([lo, hi]) => {
    const [min, max] = [lo as bigint, hi as bigint];
    // rand.Intn panics unless its argument is positive.
    const range = max - min;
    if (range <= 0n) fail("invalid argument to Intn");
    // randomInt takes ranges below 2^48; a wider one from 64 random bits (bias < 2^-16).
    const r =
      range < 2n ** 48n
        ? BigInt(randomInt(Number(range)))
        : randomBytes(8).readBigUInt64BE() % range;
    return min + r;
  }),
  randBytes: def(["int"], ([n], ctx) => {
    const count = n as bigint;
    if (count < 0n) fail("runtime error: makeslice: len out of range");
    if (count * 4n > BigInt(ctx.maxSize) * 3n)
      fail(`result of ${count} bytes exceeds the ${ctx.maxSize}-byte limit`);
    ctx.charge(Number(count));
    return randomBytes(Number(count)).toString("base64");
  }),
  shuffle: def(["string"], ([s], ctx) => shuffle(s as string, ctx)),
  uuidv4: def([], () => randomUUID()),
};
