// A NodeFeature object parsed down to what a spec reads: of `spec.features`' flags,
// attributes and instances only the named features are parsed; the others (most of an
// object's ~45 KB) are stepped over as text, never built. Everything else of the object is
// parsed as JSON.parse parses it. Parsing whole objects was a third of `cluster validate`'s
// CPU over 5,000 nodes.
//
// What is stepped over is not checked beyond its brackets and strings: a feature the spec
// does not read cannot make the object invalid, as it could not change a verdict.

type Plan = { [key: string]: Plan | "names" };

/** Below the object: spec → features → each group filtered by name. */
const PLAN: Plan = {
  spec: { features: { flags: "names", attributes: "names", instances: "names" } },
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

class Narrower {
  constructor(
    private readonly s: string,
    private readonly names: ReadonlySet<string>,
  ) {}

  private fail(i: number, what: string): never {
    throw new SyntaxError(`${what} at position ${i} of an object`);
  }

  ws(i: number): number {
    while (i < this.s.length && isSpace(this.s.charCodeAt(i))) i++;
    return i;
  }

  /** The index after the string that starts at `i` (a quote). */
  stringEnd(i: number): number {
    const s = this.s;
    let q = i;
    for (;;) {
      q = s.indexOf('"', q + 1);
      if (q === -1) this.fail(i, "unterminated string");
      let bs = 0;
      while (s.charCodeAt(q - 1 - bs) === BACKSLASH) bs++;
      if (bs % 2 === 0) return q + 1;
    }
  }

  /** The index after the value that starts at `i`. */
  valueEnd(i: number): number {
    const s = this.s;
    const c = s.charCodeAt(i);
    if (c === QUOTE) return this.stringEnd(i);
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      let k = i;
      while (k < s.length) {
        const d = s.charCodeAt(k);
        if (d === QUOTE) {
          k = this.stringEnd(k);
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          if (--depth === 0) return k + 1;
        }
        k++;
      }
      this.fail(i, "unterminated object or array");
    }
    let k = i;
    while (k < s.length) {
      const d = s.charCodeAt(k);
      if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
      k++;
    }
    if (k === i) this.fail(i, "a value expected");
    return k;
  }

  /** The value at `i` parsed by `plan` (JSON.parse where there is none); and where it ends. */
  value(i: number, plan: Plan | "names" | undefined): [unknown, number] {
    if (plan === undefined || this.s.charCodeAt(i) !== 0x7b) {
      const end = this.valueEnd(i);
      return [JSON.parse(this.s.slice(i, end)), end];
    }
    const out: Record<string, unknown> = {};
    let k = this.ws(i + 1);
    if (this.s.charCodeAt(k) === 0x7d) return [out, k + 1];
    for (;;) {
      if (this.s.charCodeAt(k) !== QUOTE) this.fail(k, "a key expected");
      const keyEnd = this.stringEnd(k);
      const raw = this.s.slice(k + 1, keyEnd - 1);
      const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
      k = this.ws(keyEnd);
      if (this.s.charCodeAt(k) !== 0x3a) this.fail(k, "':' expected");
      k = this.ws(k + 1);
      if (plan === "names") {
        const at = this.valueEnd(k);
        if (this.names.has(key.toLowerCase())) set(out, key, JSON.parse(this.s.slice(k, at)));
        k = at;
      } else {
        const [v, at] = this.value(k, Object.hasOwn(plan, key) ? plan[key] : undefined);
        set(out, key, v);
        k = at;
      }
      k = this.ws(k);
      const c = this.s.charCodeAt(k);
      if (c === 0x7d) return [out, k + 1];
      if (c !== 0x2c) this.fail(k, "',' or '}' expected");
      k = this.ws(k + 1);
    }
  }
}

/** As JSON.parse would set it (`__proto__` an own key, not the prototype). */
function set(o: Record<string, unknown>, key: string, v: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(o, key, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else o[key] = v;
}

/**
 * The NodeFeature object in `text`, its features cut down to `names` (lower case; a
 * feature's name is compared in lower case). Throws a SyntaxError on what is not JSON.
 */
export function parseNarrowed(text: string, names: ReadonlySet<string>): unknown {
  const n = new Narrower(text, names);
  const start = n.ws(0);
  const [v, end] = n.value(start, PLAN);
  if (n.ws(end) !== text.length) throw new SyntaxError(`unexpected text after the object`);
  return v;
}
