// Raw CPUID results, keyed by leaf and sub-leaf: what /dev/cpu/N/cpuid returns, or a test's
// synthetic CPU. A leaf that was not recorded reads as zeros.

/** EAX, EBX, ECX, EDX as unsigned 32-bit numbers. */
export type Regs = readonly [number, number, number, number];

const ZERO: Regs = [0, 0, 0, 0];

export class CpuidLeaves {
  private readonly regs = new Map<string, { leaf: number; subleaf: number; regs: Regs }>();

  set(leaf: number, subleaf: number, regs: Regs): this {
    const unsigned = regs.map((r) => r >>> 0) as unknown as Regs;
    this.regs.set(key(leaf, subleaf), { leaf: leaf >>> 0, subleaf: subleaf >>> 0, regs: unsigned });
    return this;
  }

  get(leaf: number, subleaf = 0): Regs {
    return this.regs.get(key(leaf, subleaf))?.regs ?? ZERO;
  }

  has(leaf: number, subleaf = 0): boolean {
    return this.regs.has(key(leaf, subleaf));
  }

  /** Every recorded leaf, in the order set. */
  entries(): Array<{ leaf: number; subleaf: number; regs: Regs }> {
    return [...this.regs.values()];
  }
}

function key(leaf: number, subleaf: number): string {
  return `${leaf >>> 0}/${subleaf >>> 0}`;
}

/** The leaves (and sub-leaves) the decoders read, given the CPU's maximum leaves. */
export function leavesToRead(maxStd: number, maxExt: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let l = 0; l <= Math.min(maxStd, 0x24); l++) out.push([l, 0]);
  // Sub-leaves and leaves NFD reads even above the maximum (the CPU answers those itself).
  const fixed: Array<[number, number]> = [
    [0x7, 1],
    [0x7, 2],
    [0xb, 1],
    [0xd, 1],
    [0xf, 0],
    [0xf, 1],
    [0x10, 0],
    [0x16, 0],
  ];
  for (let s = 1; s < 10; s++) fixed.push([0x12, s]);
  for (const f of fixed) if (!out.some(([l, s]) => l === f[0] && s === f[1])) out.push(f);
  out.push([0x40000000, 0], [0x4000000c, 0]);
  for (let l = 0x80000000; l <= Math.min(maxExt, 0x80000021); l++) out.push([l, 0]);
  return out;
}

/** The bytes of registers as text, stopping at the first NUL (klauspost's valAsString). */
export function regsAsText(...values: number[]): string {
  let s = "";
  for (const v of values) {
    for (let i = 0; i < 4; i++) {
      const b = (v >>> (8 * i)) & 0xff;
      if (b === 0) return s;
      s += String.fromCharCode(b);
    }
  }
  return s;
}
