// memory.hugepages: the configured huge page pools, `hugepages-<size>` = nr_hugepages,
// with sizes written as Kubernetes quantities (`2Mi`, `1Gi`) like NFD.

import type { HostRoot } from "../hostroot.js";
import { newMap, type AttributeElements } from "../nodefeatures.js";
import { cannotRead } from "../constructors.js";
import { errnoCode } from "../../lib/fserror.js";
import { trimRight, trimSpace } from "../../lib/go/strings.js";

const BASE = "/sys/kernel/mm/hugepages";
const SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/**
 * `<n>Ki` in resource.Quantity's canonical form: the largest binary suffix that keeps the
 * number whole; under 1024 bytes it falls back to a plain decimal byte count.
 */
export function canonicalKibibytes(kib: bigint): string {
  const bytes = kib * 1024n;
  if (bytes > -1024n && bytes < 1024n) return String(bytes);
  let n = bytes;
  let exp = 0;
  while (exp < SUFFIXES.length - 1 && n % 1024n === 0n) {
    n /= 1024n;
    exp++;
  }
  return `${n}${SUFFIXES[exp]}`;
}

/** `hugepages-2048kB` → `2Mi`; undefined for a name NFD could not parse. */
export function hugepageSize(dirName: string): string | undefined {
  const name = dirName.startsWith("hugepages-") ? dirName.slice(10) : dirName;
  // NFD trims any trailing `k`/`B` characters (a cut set, not a suffix).
  const digits = trimRight(name, "kB");
  if (!/^[+]?\d+$/.test(digits)) return undefined;
  const kib = BigInt(digits);
  if (kib > 9007199254740991n) return undefined;
  return canonicalKibibytes(kib);
}

export async function detectHugePages(
  host: HostRoot,
  warn: (m: string) => void,
): Promise<AttributeElements> {
  const out = newMap<string>();
  out.enabled = "false";
  let entries;
  try {
    entries = await host.readDirEntries(BASE);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return out;
    throw e;
  }
  const dirs = entries.filter((e) => e.isDirectory);
  const counts = await Promise.all(
    dirs.map(async (d) => {
      try {
        return trimSpace(await host.readAttribute(`${BASE}/${d.name}/nr_hugepages`));
      } catch (e) {
        warn(`memory.hugepages: ${cannotRead(host, `${BASE}/${d.name}/nr_hugepages`, e)}`);
        // NFD still records the size, with an empty count.
        return "";
      }
    }),
  );
  dirs.forEach((d, i) => {
    const size = hugepageSize(d.name);
    if (size === undefined) {
      warn(`memory.hugepages: cannot parse the page size of ${BASE}/${d.name}`);
      return;
    }
    const total = counts[i] ?? "";
    out[`hugepages-${size}`] = total;
    if (atoiPositive(total)) out.enabled = "true";
  });
  return out;
}

/** strconv.Atoi(s) succeeds and is > 0. */
function atoiPositive(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n > 0n && n <= 9223372036854775807n;
}
