import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

/** The repository root (the benchmark runs from dist/bench/). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function fmt(n: number): string {
  if (n >= 1000) return Math.round(n).toLocaleString("en-US");
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function line(what: string, figure: string): void {
  process.stdout.write(`${what.padEnd(52)} ${figure}\n`);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
