// memory.numa: how many NUMA nodes the kernel knows.

import type { HostRoot } from "../hostroot.js";
import { newMap, type AttributeElements } from "../nodefeatures.js";

export async function detectNuma(host: HostRoot): Promise<AttributeElements> {
  const nodes = await host.readDir("/sys/bus/node/devices");
  const out = newMap<string>();
  out.is_numa = String(nodes.length > 1);
  out.node_count = String(nodes.length);
  return out;
}
