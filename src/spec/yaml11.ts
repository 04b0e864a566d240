// How NFD reads an unquoted YAML scalar into a Go string field.
//
// NFD decodes specs with sigs.k8s.io/yaml v1.6 (`yaml.Unmarshal`): go.yaml.in/yaml/v2 first
// resolves every plain scalar by YAML 1.1 rules into interface{}; then sigs.k8s.io/yaml
// walks the result against the target Go type and, where the target is a string, turns
// ints with strconv.FormatInt, uint64 with FormatUint, floats with
// strconv.FormatFloat(f, 'g', -1, 32) (float32 shortest form: 5.10 -> "5.1",
// 3.14159265358979 -> "3.1415927", 1e6 -> "1e+06") and bools into "true"/"false". The
// result is JSON-encoded and decoded by encoding/json. Facts checked against
// go-yaml v2.4 resolve.go / decode.go and sigs.k8s.io/yaml yaml.go
// (convertToJSONableObject):
//  * bool: y Y yes Yes YES true True TRUE on On ON; n N no No NO false False FALSE off Off OFF
//  * null: "" ~ null Null NULL  -> JSON null; a Go string field then stays "" (absent)
//  * float: .nan .inf -.inf (+ capitalisations in the table), else a first character of
//    '.' and strconv.ParseFloat succeeding, or (first char digit/sign) the text with '_'
//    removed matching ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ and ParseFloat
//    not overflowing (1e400 stays a string)
//  * int: first char digit/sign, '_' removed, strconv.ParseInt(s, 0, 64) (so 0x10 = 16,
//    010 = 8, 0o10 = 8, 0b10 = 2, +5 = 5) or ParseUint(s, 0, 64); also go-yaml's own
//    0b / -0b fallback
//  * timestamp (YYYY-...): decoded into interface{} go-yaml v2 keeps the text as written
//  * everything else, and every quoted or block scalar, is the string itself.
// Map keys go the same way except that float keys +Inf/-Inf/NaN become .inf/-.inf/.nan,
// and null and uint64 keys are refused by sigs.k8s.io/yaml.

import { formatFloat32G } from "../lib/go/floatfmt.js";

export type Yaml11Kind = "null" | "bool" | "int" | "float" | "timestamp" | "string";

export interface Yaml11Scalar {
  kind: Yaml11Kind;
  /** The Go string NFD ends up with; null for a YAML null (the field stays unset). */
  text: string | null;
  /** Go type after go-yaml: uint64 matters for map keys and `int` fields. */
  unsigned?: boolean;
  /** Numeric value for int/float (BigInt for ints, to keep 64-bit precision). */
  int?: bigint;
  float?: number;
}

const BOOLS: Record<string, boolean> = Object.assign(Object.create(null) as object, {
  y: true,
  Y: true,
  yes: true,
  Yes: true,
  YES: true,
  true: true,
  True: true,
  TRUE: true,
  on: true,
  On: true,
  ON: true,
  n: false,
  N: false,
  no: false,
  No: false,
  NO: false,
  false: false,
  False: false,
  FALSE: false,
  off: false,
  Off: false,
  OFF: false,
});
const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const SPECIAL_FLOATS: Record<string, number> = Object.assign(Object.create(null) as object, {
  ".nan": NaN,
  ".NaN": NaN,
  ".NAN": NaN,
  ".inf": Infinity,
  ".Inf": Infinity,
  ".INF": Infinity,
  "+.inf": Infinity,
  "+.Inf": Infinity,
  "+.INF": Infinity,
  "-.inf": -Infinity,
  "-.Inf": -Infinity,
  "-.INF": -Infinity,
});

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const TIMESTAMP_START = /^[0-9]{4}-/;

/** Go strconv.ParseInt/ParseUint digits in `base` (no prefix, optional sign), or null. */
function parseDigits(s: string, base: number, signed: boolean): bigint | null {
  let neg = false;
  let body = s;
  if (signed && (body[0] === "+" || body[0] === "-")) {
    neg = body[0] === "-";
    body = body.slice(1);
  }
  const digit =
    base === 16 ? /^[0-9a-fA-F]+$/ : base === 10 ? /^[0-9]+$/ : base === 8 ? /^[0-7]+$/ : /^[01]+$/;
  if (!digit.test(body)) return null;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  const v = BigInt(prefix + body) * (neg ? -1n : 1n);
  return v;
}

/** strconv.ParseInt(s, 0, 64) then ParseUint(s, 0, 64): value and whether it is unsigned. */
function goParseIntBase0(s: string): { v: bigint; unsigned: boolean } | null {
  let rest = s;
  let sign = "";
  if (rest[0] === "+" || rest[0] === "-") {
    sign = rest[0];
    rest = rest.slice(1);
  }
  if (rest === "") return null;
  let base = 10;
  if (rest[0] === "0") {
    const p = rest[1]?.toLowerCase();
    if (rest.length >= 3 && p === "b") [base, rest] = [2, rest.slice(2)];
    else if (rest.length >= 3 && p === "o") [base, rest] = [8, rest.slice(2)];
    else if (rest.length >= 3 && p === "x") [base, rest] = [16, rest.slice(2)];
    else [base, rest] = [8, rest.slice(1)];
  }
  let v: bigint | null;
  if (rest === "") v = 0n;
  else v = parseDigits(rest, base, false);
  if (v === null) return null;
  if (sign === "-") v = -v;
  if (v >= INT64_MIN && v <= INT64_MAX) return { v, unsigned: false };
  if (sign === "" && v <= UINT64_MAX) return { v, unsigned: true };
  return null;
}

function asInt(v: bigint, unsigned = false): Yaml11Scalar {
  return { kind: "int", text: v.toString(), int: v, unsigned };
}

function asFloat(f: number): Yaml11Scalar {
  return { kind: "float", text: formatFloat32G(f), float: f };
}

/** Resolve an untagged plain scalar as go-yaml v2 does, then stringify it as NFD does. */
export function resolvePlain(src: string): Yaml11Scalar {
  const first = src[0] ?? "";
  if (NULLS.has(src)) return { kind: "null", text: null };
  const b = BOOLS[src];
  if (b !== undefined) return { kind: "bool", text: b ? "true" : "false" };
  const special = SPECIAL_FLOATS[src];
  if (special !== undefined) return asFloat(special);
  if (first === ".") {
    if (DOT_FLOAT.test(src) && Number.isFinite(Number(src))) return asFloat(Number(src));
    return { kind: "string", text: src };
  }
  if (!/[-+0-9]/.test(first)) return { kind: "string", text: src };
  if (TIMESTAMP_START.test(src) && looksLikeTimestamp(src)) return { kind: "timestamp", text: src };
  const plain = src.replace(/_/g, "");
  const i = goParseIntBase0(plain);
  if (i) return asInt(i.v, i.unsigned);
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return asFloat(f);
  }
  if (plain.startsWith("0b")) {
    const v = parseDigits(plain.slice(2), 2, true);
    if (v !== null && v >= INT64_MIN && v <= INT64_MAX) return asInt(v);
    if (v !== null && v >= 0n && v <= UINT64_MAX) return asInt(v, true);
  } else if (plain.startsWith("-0b")) {
    const v = parseDigits(`-${plain.slice(3)}`, 2, true);
    if (v !== null && v >= INT64_MIN && v <= INT64_MAX) return asInt(v);
  }
  return { kind: "string", text: src };
}

// go-yaml v2 tries time.Parse with "2006-1-2T15:4:5.999999999Z07:00" (also with 't'),
// "2006-1-2 15:4:5.999999999" and "2006-1-2". A timestamp keeps its text either way (see
// above), so this only decides what lint calls it; range checks of day/month are skipped.
function looksLikeTimestamp(s: string): boolean {
  return /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2}))|( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?))?$/.test(
    s,
  );
}

/** The JSON object key sigs.k8s.io/yaml makes of a plain map key, or null if it refuses it. */
export function goMapKey(src: string): string | null {
  const r = resolvePlain(src);
  if (r.kind === "null" || r.unsigned) return null;
  if (r.kind === "float") {
    if (r.text === "+Inf") return ".inf";
    if (r.text === "-Inf") return "-.inf";
    if (r.text === "NaN") return ".nan";
  }
  return r.text;
}
