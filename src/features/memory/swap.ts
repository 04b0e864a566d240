// memory.swap: whether any swap area is active (/proc/swaps lists more than its header).

import type { HostRoot } from "../hostroot.js";
import { newMap, type AttributeElements } from "../nodefeatures.js";
import { trimSpace } from "../../lib/go/strings.js";

export async function detectSwap(host: HostRoot): Promise<AttributeElements> {
  const text = await host.readText("/proc/swaps");
  const lines = text.split("\n").filter((l) => trimSpace(l) !== "").length;
  const out = newMap<string>();
  out.enabled = String(lines > 1);
  return out;
}
