// system.osrelease: the key=value lines of /etc/os-release, with VERSION_ID split into
// VERSION_ID.major and VERSION_ID.minor.

import { newMap, type AttributeElements } from "../nodefeatures.js";
import { trim } from "../../lib/go/strings.js";

export const OS_RELEASE_PATH = "/etc/os-release";

const LINE = /^(\w+)=([^\n]+)/;
const VERSION = /^(\d+)(\.(\d+))?(\.[^\n]*)?$/;
/** NFD reads with bufio.Scanner, which stops at a line of 64 KiB or more. */
const MAX_LINE = 64 * 1024;

/**
 * Lines matching `^\w+=.+` (an empty value is skipped); surrounding `"` and `'` are
 * trimmed, nothing is unescaped — exactly NFD's reading, not the os-release(5) grammar.
 */
export function parseOsRelease(text: string): AttributeElements {
  const out = newMap<string>();
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (let line of lines) {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (Buffer.byteLength(line) >= MAX_LINE) break;
    const m = LINE.exec(line);
    if (m) out[m[1] as string] = trim(m[2] as string, `"'`);
  }
  const version = out.VERSION_ID;
  if (version !== undefined) {
    const m = VERSION.exec(version);
    if (m?.[1]) out["VERSION_ID.major"] = m[1];
    if (m?.[3]) out["VERSION_ID.minor"] = m[3];
  }
  return out;
}
