// `cpu.coprocessor` (ppc64le): nx_gzip when the Nest accelerator exposes its capabilities.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";

export async function discoverCoprocessor(ctx: SourceContext): Promise<Record<string, string>> {
  const out = newMap<string>();
  if (ctx.arch !== "ppc64le") return out;
  if (await ctx.host.exists("/sys/devices/vio/ibm,compression-v1/nx_gzip_caps")) {
    out.nx_gzip = "true";
  }
  return out;
}
