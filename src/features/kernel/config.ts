// kernel.config: every option set in the kernel's build configuration, searched in the
// same places and order as NFD (which follows kubeadm's system-validator).

import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import type { HostRoot } from "../hostroot.js";
import { newMap, type AttributeElements } from "../model.js";
import { trim } from "../../lib/go/strings.js";
import { reason } from "../build.js";

const gunzipAsync = promisify(gunzip);
/** A real config is ~300 KiB; the cap only stops a gzip bomb. */
const MAX_CONFIG_BYTES = 64 << 20;
const MAX_COMPRESSED_BYTES = 16 << 20;

/** Candidate files, first readable one wins; without a release only the generic ones. */
export function kconfigSearchPaths(release: string | undefined): string[] {
  if (release === undefined) return ["/proc/config.gz", "/usr/src/linux/.config"];
  return [
    "/proc/config.gz",
    `/usr/src/linux-${release}/.config`,
    `/usr/src/linux-rt-${release}/.config`,
    "/usr/src/linux/.config",
    `/usr/lib/modules/${release}/config`,
    `/usr/lib/ostree-boot/config-${release}`,
    `/usr/lib/kernel/config-${release}`,
    `/usr/src/linux-headers-${release}/.config`,
    `/lib/modules/${release}/build/.config`,
    `/usr/src/linux-rt-headers-${release}/.config`,
    `/boot/config-${release}`,
  ];
}

/** `NAME` (without `CONFIG_`) → value as written, surrounding `"` stripped. */
export function parseKconfig(text: string): AttributeElements {
  const out = newMap<string>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("CONFIG_")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    out[line.slice(7, eq)] = trim(line.slice(eq + 1), '"');
  }
  return out;
}

export interface KconfigResult {
  path: string;
  options: AttributeElements;
}

/** The first readable config, or undefined with the reasons each candidate failed. */
export async function readKconfig(
  host: HostRoot,
  release: string | undefined,
): Promise<KconfigResult | { failures: string[] }> {
  const failures: string[] = [];
  for (const path of kconfigSearchPaths(release)) {
    try {
      let data = await host.readBytes(path, MAX_COMPRESSED_BYTES);
      if (path.endsWith(".gz"))
        data = await gunzipAsync(data, { maxOutputLength: MAX_CONFIG_BYTES });
      return { path, options: parseKconfig(data.toString("utf8")) };
    } catch (e) {
      failures.push(`${path}: ${reason(e)}`);
    }
  }
  return { failures };
}
