// Go's strconv.Atoi and strconv.Quote, as NFD's output and checks depend on them.

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/** A Go int: a number when exactly representable, else a bigint (JS compares the two correctly). */
export type GoInt = number | bigint;

/**
 * strconv.Atoi on a 64-bit platform: optional sign, ASCII decimal digits, no spaces, no
 * underscores, no base prefixes. Written by hand because Number() and parseInt() accept far
 * more (" 5", "0x10", "5.0", "1e3") and lose precision beyond 2^53. Undefined when Go
 * reports an error.
 */
export function parseGoInt(s: string): GoInt | undefined {
  const n = s.length;
  let i = 0;
  if (n > 0 && (s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45)) i = 1; // + or -
  if (i === n) return undefined;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  // 15 digits always fit a double exactly; longer ones go through bigint for the range check.
  if (n - i <= 15) return Number(s);
  let first = i; // leading zeros are valid and do not count toward the range
  while (first < n - 1 && s.charCodeAt(first) === 48) first++;
  if (n - first > 19) return undefined;
  const digits = BigInt(s.slice(first));
  const big = s.charCodeAt(0) === 45 ? -digits : digits;
  if (big < MIN_INT64 || big > MAX_INT64) return undefined;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

/** Why `s` is not a Go int, for messages; undefined when it is one. */
export function goIntProblem(s: string): string | undefined {
  if (parseGoInt(s) !== undefined) return undefined;
  if (/^[+-]?[0-9]+$/.test(s)) return `${JSON.stringify(s)} is out of the 64-bit integer range`;
  return `${JSON.stringify(s)} is not an integer (optional sign and decimal digits only)`;
}
