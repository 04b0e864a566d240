// `cpu.topology`: hardware_multithreading (a thread_siblings_list holding `,` or `-`) and
// socket_count (distinct physical_package_id) over /sys/bus/cpu/devices. As in NFD, one
// unreadable CPU (an offline one has no topology) leaves the feature empty.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";

const DEVICES = "/sys/bus/cpu/devices";

export async function discoverTopology(ctx: SourceContext): Promise<Record<string, string>> {
  const out = newMap<string>();
  const cpus = await ctx.host.tryReadDir(DEVICES);
  if (cpus === undefined) {
    ctx.warn(`cpu.topology: ${ctx.host.local(DEVICES)} not found`);
    return out;
  }
  let ht = false;
  const packages = new Set<string>();
  for (const cpu of cpus) {
    const siblings = await ctx.host.tryReadText(`${DEVICES}/${cpu}/topology/thread_siblings_list`);
    const pkg = await ctx.host.tryReadText(`${DEVICES}/${cpu}/topology/physical_package_id`);
    if (siblings === undefined || pkg === undefined) {
      ctx.warn(`cpu.topology: ${ctx.host.local(`${DEVICES}/${cpu}/topology`)} not found`);
      return newMap();
    }
    if (/[,-]/.test(siblings)) ht = true;
    packages.add(pkg.trim());
  }
  out.hardware_multithreading = String(ht);
  out.socket_count = String(packages.size);
  return out;
}
