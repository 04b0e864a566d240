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
