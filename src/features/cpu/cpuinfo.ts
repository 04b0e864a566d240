// /proc/cpuinfo as records: one per blank-line separated block of `key : value` lines.
// x86 and arm64 print one block per logical CPU; s390x prints a summary block first.

export interface Cpuinfo {
  /** Blocks in file order; keys and values trimmed. */
  readonly blocks: ReadonlyArray<ReadonlyMap<string, string>>;
}

export function parseCpuinfo(text: string): Cpuinfo {
  const blocks: Map<string, string>[] = [];
  let current = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      continue;
    }
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    // The first occurrence wins inside a block (keys do not repeat in real files).
    if (key !== "" && !current.has(key)) current.set(key, line.slice(colon + 1).trim());
  }
  if (current.size > 0) blocks.push(current);
  return { blocks };
}

/** The value of `key` in the first block that has it. */
export function cpuinfoValue(info: Cpuinfo, key: string): string | undefined {
  for (const b of info.blocks) {
    const v = b.get(key);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The whitespace-separated words of `key` (x86 `flags`, arm64 `Features`) of the first CPU. */
export function cpuinfoWords(info: Cpuinfo, key: string): Set<string> | undefined {
  const v = cpuinfoValue(info, key);
  if (v === undefined) return undefined;
  return new Set(v.split(/\s+/).filter((w) => w !== ""));
}
