// kernel.config: every option set in the kernel's build configuration, searched in the
// same places and order as NFD (which follows kubeadm's system-validator).

import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import type { HostRoot } from "../hostroot.js";
import { newMap, type AttributeElements } from "../nodefeatures.js";
import { trim } from "../../lib/go/strings.js";
import { brief, HostFileError } from "../hostio.js";

const gunzipAsync = promisify(gunzip);
/** A real config is ~300 KiB inflated; the cap stops a gzip bomb early. */
const MAX_CONFIG_BYTES = 16 << 20;
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

/**
 * The first readable config, as NFD searches. A candidate whose content cannot be used (not
 * gzip, inflating past the limit) is passed over like a missing one, as NFD does; when no
 * candidate is usable, that is an error (a config exists and could not be read), while
 * none existing is an absence: undefined, with `searched` saying where it looked.
 */
export async function readKconfig(
  host: HostRoot,
  release: string | undefined,
): Promise<KconfigResult | { searched: string }> {
  const unusable: string[] = [];
  const paths = kconfigSearchPaths(release);
  for (const path of paths) {
    let data: Buffer;
    try {
      data = await host.readBytes(path, MAX_COMPRESSED_BYTES);
    } catch (e) {
      if (e instanceof HostFileError && e.absent) continue;
      throw e;
    }
    try {
      if (path.endsWith(".gz"))
        data = await gunzipAsync(data, { maxOutputLength: MAX_CONFIG_BYTES });
      return { path, options: parseKconfig(data.toString("utf8")) };
    } catch (e) {
      unusable.push(`${brief(host.local(path), 160)}: ${inflateProblem(e)}`);
    }
  }
  if (unusable.length > 0) throw new Error(`no usable kernel config: ${unusable.join("; ")}`);
  // Eleven paths holding the release: each named once, the release once and briefly.
  const shown = (p: string) => host.local(release ? p.replaceAll(release, "<release>") : p);
  const span =
    paths.length > 1 ? `${shown(paths[0] as string)} … ${shown(paths.at(-1) as string)}` : "";
  const of = release === undefined ? "" : `, release ${JSON.stringify(brief(release, 60))}`;
  return { searched: `none of the ${paths.length} files NFD searches exists (${span}${of})` };
}

/** zlib's errors in kompat's words (Node's own say "Cannot create a Buffer larger than…"). */
function inflateProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ERR_BUFFER_TOO_LARGE" || code === "ERR_OUT_OF_RANGE")
    return `inflates past ${MAX_CONFIG_BYTES >> 20} MiB (the limit)`;
  if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") return "not gzip data, or truncated";
  return e instanceof Error ? brief(e.message) : String(e);
}
