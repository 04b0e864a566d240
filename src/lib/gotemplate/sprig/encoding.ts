// Sprig encodings: base64 (Go's strict StdEncoding), JSON (encoding/json output), hashes.
import { createHash } from "node:crypto";
import { def, fail, type CallContext, type FuncDef } from "../funcdef.js";
import { MAX_VALUE_DEPTH, kindOf, sortedKeys, type GoMap, type Value } from "../values.js";

/** base64.StdEncoding.DecodeString; on error Sprig returns the error text. */
function b64dec(s: string): string {
  const clean = s.replace(/[\r\n]/g, "");
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  if (bad !== null) return `illegal base64 data at input byte ${bad.index}`;
  const pad = clean.indexOf("=");
  if (pad >= 0 && !/^={1,2}$/.test(clean.slice(pad)))
    return `illegal base64 data at input byte ${pad}`;
  if (clean.length % 4 !== 0) {
    const at = clean.length - (clean.length % 4);
    return `illegal base64 data at input byte ${pad >= 0 ? pad : at}`;
  }
  return Buffer.from(clean, "base64").toString("utf8");
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const c of s) {
    const e = JSON_ESCAPES[c];
    const cp = c.codePointAt(0) ?? 0;
    if (e !== undefined) out += e;
    else if (
      cp < 0x20 ||
      cp === 0x2028 ||
      cp === 0x2029 ||
      (escapeHTML && (c === "<" || c === ">" || c === "&"))
    ) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else if (cp >= 0xd800 && cp < 0xe000) out += "\ufffd";
    else out += c;
  }
  return out + '"';
}

class JsonError extends Error {}

/** json.Marshal / MarshalIndent(v, "", indent) of an engine value. */
export function toJson(v: Value, indent: string, escapeHTML: boolean): string {
  const enc = (x: Value, depth: number, prefix: string): string => {
    if (depth > MAX_VALUE_DEPTH)
      throw new JsonError(`json: value nested deeper than ${MAX_VALUE_DEPTH} levels`);
    const inner = prefix + indent;
    const nl = indent === "" ? "" : "\n";
    switch (kindOf(x)) {
      case "nil":
        return "null";
      case "bool":
      case "int":
        return String(x);
      case "float": {
        const f = x as number;
        if (!Number.isFinite(f)) throw new JsonError(`json: unsupported value: ${f}`);
        return String(f);
      }
      case "string":
        return jsonString(x as string, escapeHTML);
      case "slice": {
        const list = x as Value[];
        if (list.length === 0) return "[]";
        return (
          "[" +
          nl +
          list.map((e) => inner + enc(e, depth + 1, inner)).join("," + nl) +
          nl +
          prefix +
          "]"
        );
      }
      case "map": {
        const m = x as GoMap;
        if (m.size === 0) return "{}";
        const sep = indent === "" ? ":" : ": ";
        const body = sortedKeys(m).map(
          (k) => inner + jsonString(k, escapeHTML) + sep + enc(m.get(k) ?? null, depth + 1, inner),
        );
        return "{" + nl + body.join("," + nl) + nl + prefix + "}";
      }
      case "func":
        throw new JsonError("json: unsupported type: func(...interface {}) interface {}");
    }
  };
  return enc(v, 0, "");
}

function marshal(v: Value, indent: string, escapeHTML: boolean, must: boolean): string {
  try {
    return toJson(v, indent, escapeHTML);
  } catch (e) {
    if (e instanceof JsonError) {
      if (must) fail(e.message);
      return "";
    }
    throw e;
  }
}

/** json.Unmarshal into interface{}: numbers are float64, objects maps. */
function fromJson(s: string, must: boolean, ctx: CallContext): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch (e) {
    if (must) fail(e instanceof Error ? e.message : String(e));
    return null;
  }
  const convert = (x: unknown, depth: number): Value => {
    if (depth > MAX_VALUE_DEPTH) fail(`JSON nested deeper than ${MAX_VALUE_DEPTH} levels`);
    if (x === null || typeof x === "string" || typeof x === "boolean") return x;
    if (typeof x === "number") return x;
    if (Array.isArray(x)) {
      ctx.charge(x.length);
      return x.map((e: unknown) => convert(e, depth + 1));
    }
    const entries = Object.entries(x as object);
    ctx.charge(entries.length);
    return new Map(entries.map(([k, e]) => [k, convert(e, depth + 1)]));
  };
  return convert(parsed, 0);
}

function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, "utf8")) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** base32.StdEncoding.EncodeToString. */
function b32enc(s: string): string {
  const bytes = Buffer.from(s, "utf8");
  let out = "";
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = bytes.subarray(i, i + 5);
    let bits = 0n;
    for (let j = 0; j < 5; j++) bits = (bits << 8n) | BigInt(chunk[j] ?? 0);
    const chars = Math.ceil((chunk.length * 8) / 5);
    for (let j = 0; j < 8; j++) {
      out += j < chars ? (B32[Number((bits >> BigInt(35 - 5 * j)) & 31n)] ?? "") : "=";
    }
  }
  return out;
}

/** base32.StdEncoding.DecodeString; on error Sprig returns the error text. */
function b32dec(s: string): string {
  const clean = s.replace(/[\r\n]/g, "");
  if (clean.length % 8 !== 0)
    return `illegal base32 data at input byte ${clean.length - (clean.length % 8)}`;
  const bytes: number[] = [];
  for (let i = 0; i < clean.length; i += 8) {
    const block = clean.slice(i, i + 8);
    const pad = block.indexOf("=");
    const data = pad < 0 ? block : block.slice(0, pad);
    if (pad >= 0 && !/^=+$/.test(block.slice(pad)))
      return `illegal base32 data at input byte ${i + pad}`;
    if (pad >= 0 && ![2, 4, 5, 7].includes(pad))
      return `illegal base32 data at input byte ${i + pad}`;
    if (pad >= 0 && i + 8 < clean.length) return `illegal base32 data at input byte ${i + pad}`;
    let bits = 0n;
    for (let j = 0; j < 8; j++) {
      const c = data[j];
      const v = c === undefined ? 0 : B32.indexOf(c);
      if (v < 0) return `illegal base32 data at input byte ${i + j}`;
      bits = (bits << 5n) | BigInt(v);
    }
    const n = Math.floor((data.length * 5) / 8);
    for (let j = 0; j < n; j++) bytes.push(Number((bits >> BigInt(32 - 8 * j)) & 255n));
  }
  return Buffer.from(bytes).toString("utf8");
}

const hash = (alg: string) => (s: string) => createHash(alg).update(s, "utf8").digest("hex");

export const ENCODING_FUNCS: Record<string, FuncDef> = {
  b64enc: def(["string"], ([s]) => Buffer.from(s as string, "utf8").toString("base64")),
  b64dec: def(["string"], ([s]) => b64dec(s as string)),
  toJson: def(["any"], ([v]) => marshal(v ?? null, "", true, false)),
  mustToJson: def(["any"], ([v]) => marshal(v ?? null, "", true, true)),
  toPrettyJson: def(["any"], ([v]) => marshal(v ?? null, "  ", true, false)),
  mustToPrettyJson: def(["any"], ([v]) => marshal(v ?? null, "  ", true, true)),
  toRawJson: def(["any"], ([v]) => marshal(v ?? null, "", false, false)),
  mustToRawJson: def(["any"], ([v]) => marshal(v ?? null, "", false, true)),
  fromJson: def(["string"], ([s], ctx) => fromJson(s as string, false, ctx)),
  mustFromJson: def(["string"], ([s], ctx) => fromJson(s as string, true, ctx)),
  b32enc: def(["string"], ([s]) => b32enc(s as string)),
  b32dec: def(["string"], ([s]) => b32dec(s as string)),
  sha1sum: def(["string"], ([s]) => hash("sha1")(s as string)),
  sha256sum: def(["string"], ([s]) => hash("sha256")(s as string)),
  sha512sum: def(["string"], ([s]) => hash("sha512")(s as string)),
  adler32sum: def(["string"], ([s]) => adler32(s as string)),
};
