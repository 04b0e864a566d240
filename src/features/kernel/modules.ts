// kernel.loadedmodule (from /proc/modules) and kernel.enabledmodule (loaded plus the
// kernel's built-in modules).

import { posix } from "node:path";
import { fields, trimSpace } from "../../lib/go/strings.js";

/** NFD reads this path unprefixed even in a container (see discover.ts). */
export const PROC_MODULES = "/proc/modules";

export function builtinModulesPath(release: string): string {
  return `/lib/modules/${release}/modules.builtin`;
}

/** First column of each non-empty line. */
export function parseProcModules(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const first = fields(line)[0];
    if (first !== undefined) out.push(first);
  }
  return out;
}

/** `kernel/fs/ext4/ext4.ko` → `ext4`; lines not ending `.ko` are skipped, dashes kept. */
export function parseModulesBuiltin(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = trimSpace(raw);
    if (line.endsWith(".ko")) out.push(posix.basename(line).slice(0, -3));
  }
  return out;
}
