// Go's strconv float formatting ('e', 'f', 'g' with Go's rounding: exact value, ties to even).
// JavaScript's toFixed/toExponential round ties away from zero, so digits are computed exactly here.

interface Decimal {
  /** Significant digits, no leading zeros ("" for zero). */
  digits: string;
  /** Position of the decimal point relative to the digits' start. */
  dp: number;
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: "", dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  const trimmed = digits.replace(/0+$/, "");
  const lead = trimmed.length - trimmed.replace(/^0+/, "").length;
  return { digits: trimmed.slice(lead), dp: dp - lead };
}

/** The shortest digits that read back as x (JS and Go agree on these). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: "", dp: 0 };
  const [mant = "", e = "0"] = x.toExponential().split("e");
  const digits = mant.replace(".", "").replace(/0+$/, "");
  return { digits, dp: Number(e) + 1 };
}

/** Rounds to n significant digits (n >= 0), ties to even on the exact value. */
function roundDecimal(d: Decimal, n: number): Decimal {
  if (n < 0) n = 0;
  if (d.digits.length <= n) return d;
  const keep = d.digits.slice(0, n);
  const next = d.digits[n] ?? "0";
  const rest = d.digits.slice(n + 1);
  let up: boolean;
  if (next > "5") up = true;
  else if (next < "5") up = false;
  else if (/[1-9]/.test(rest)) up = true;
  else up = n > 0 && Number(keep[n - 1]) % 2 === 1;
  if (!up) return { digits: keep.replace(/0+$/, ""), dp: d.dp };
  // Add one to the kept digits.
  let i = keep.length - 1;
  const arr = keep.split("");
  while (i >= 0 && arr[i] === "9") {
    arr[i] = "0";
    i--;
  }
  if (i < 0) return { digits: "1", dp: d.dp + 1 };
  arr[i] = String(Number(arr[i]) + 1);
  return { digits: arr.join("").replace(/0+$/, ""), dp: d.dp };
}

function digitAt(d: Decimal, i: number): string {
  return d.digits[i] ?? "0";
}

function formatE(d: Decimal, prec: number, upper: boolean): string {
  let s = d.digits === "" ? "0" : digitAt(d, 0);
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  const exp = d.digits === "" ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return s + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (abs < 10 ? "0" : "") + String(abs);
}

function formatF(d: Decimal, prec: number): string {
  let s = "";
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) s += digitAt(d, i);
  } else {
    s = "0";
  }
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      s += j < 0 ? "0" : digitAt(d, j);
    }
  }
  return s;
}

/**
 * strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G; prec -1 means shortest.
 * Infinities and NaN are rendered as Go does: +Inf, -Inf, NaN.
 */
export function formatFloat(
  x: number,
  fmt: "e" | "E" | "f" | "F" | "g" | "G",
  prec: number,
): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let d: Decimal;
  const lower = fmt.toLowerCase();
  if (shortest) {
    d = shortestDecimal(abs);
  } else {
    const exact = exactDecimal(abs);
    if (lower === "e") d = roundDecimal(exact, prec + 1);
    else if (lower === "f") d = roundDecimal(exact, exact.dp + prec);
    else d = roundDecimal(exact, prec === 0 ? 1 : prec);
  }
  let body: string;
  if (lower === "e") {
    body = formatE(d, shortest ? Math.max(d.digits.length - 1, 0) : prec, fmt === "E");
  } else if (lower === "f") {
    body = formatF(d, shortest ? Math.max(d.digits.length - d.dp, 0) : prec);
  } else {
    let eprec = shortest ? 6 : prec === 0 ? 1 : prec;
    if (!shortest && eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
    const exp = d.dp - 1;
    if (d.digits !== "" && (exp < -4 || exp >= eprec)) {
      body = formatE(d, Math.max(d.digits.length - 1, 0), fmt === "G");
    } else {
      body = formatF(d, Math.max(d.digits.length - d.dp, 0));
    }
  }
  return (neg ? "-" : "") + body;
}

// Go's strconv.FormatFloat(v, 'g', -1, 32): the shortest decimal that reads back as the
// same float32, in %e form when the exponent is < -4 or >= 6 (Go's rule for shortest 'g').
// sigs.k8s.io/yaml uses exactly this call when it turns a YAML float into a Go string.

export function formatFloat32G(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  const f = Math.fround(v);
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const neg = f < 0;
  const abs = Math.abs(f);
  // Shortest round-tripping digit count: the correctly rounded p-digit decimal is tried
  // for p = 1..9 (9 digits always identify a float32).
  let mantissa = "";
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = abs.toExponential(p - 1);
    if (Math.fround(Number(s)) === abs || p === 9) {
      const [m = "", e = "0"] = s.split("e");
      mantissa = m.replace(".", "").replace(/0+$/, "") || "0";
      exp = Number(e);
      break;
    }
  }
  const sign = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const frac = mantissa.length > 1 ? `.${mantissa.slice(1)}` : "";
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${mantissa[0] ?? "0"}${frac}e${exp < 0 ? "-" : "+"}${e}`;
  }
  const point = exp + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${mantissa}`;
  if (point >= mantissa.length) return `${sign}${mantissa}${"0".repeat(point - mantissa.length)}`;
  return `${sign}${mantissa.slice(0, point)}.${mantissa.slice(point)}`;
}
