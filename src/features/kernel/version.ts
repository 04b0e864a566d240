// kernel.version: the running kernel's release, sanitised into a label-safe value and
// split into numeric parts exactly as NFD does.

import type { HostRoot } from "../hostroot.js";
import { newMap, type AttributeElements } from "../nodefeatures.js";
import { trim, trimSpace } from "../../lib/go/strings.js";

/** NFD reads this path unprefixed even in a container (see discover.ts). */
export const OSRELEASE_PATH = "/proc/sys/kernel/osrelease";

/** The kernel release string (`uname -r`), as NFD's getVersion returns it. */
export async function readKernelRelease(host: HostRoot): Promise<string> {
  return trimSpace(await host.readText(OSRELEASE_PATH, 4096));
}

const FORBIDDEN = /[^-A-Za-z0-9_.]/gu;
const PARTS = /^(\d+)(\.(\d+))?(\.(\d+))?(-.*)?$/;

/** `full`, and `major`/`minor`/`revision` (possibly "") when the release looks numeric. */
export function parseKernelVersion(release: string): AttributeElements {
  const out = newMap<string>();
  const full = trim(release.replace(FORBIDDEN, "_"), "-_.");
  out.full = full;
  const m = PARTS.exec(full);
  if (m) {
    out.major = m[1] ?? "";
    out.minor = m[3] ?? "";
    out.revision = m[5] ?? "";
  }
  return out;
}
