// The memory source: memory.numa, memory.swap, memory.hugepages, memory.nv.

import type { FeatureSource, SourceContext } from "../source.js";
import { emptyFeatures, type Features } from "../nodefeatures.js";
import { cannotRead, instanceFeature } from "../constructors.js";
import { detectNuma } from "./numa.js";
import { detectSwap } from "./swap.js";
import { detectHugePages } from "./hugepages.js";
import { detectNv } from "./nv.js";

export const memorySource: FeatureSource = {
  name: "memory",
  async discover(ctx: SourceContext): Promise<Features> {
    const { host } = ctx;
    const f = emptyFeatures();
    const failed = (what: string, path: string) => (e: unknown) => {
      ctx.warn(`memory.${what}: ${cannotRead(host, path, e)}`);
      return undefined;
    };
    const want = (name: string): boolean => ctx.wants(`memory.${name}`);
    const [numa, swap, hugepages, nv] = await Promise.all([
      want("numa") ? detectNuma(host).catch(failed("numa", "/sys/bus/node/devices")) : undefined,
      want("swap") ? detectSwap(host).catch(failed("swap", "/proc/swaps")) : undefined,
      want("hugepages")
        ? detectHugePages(host, ctx.warn).catch(failed("hugepages", "/sys/kernel/mm/hugepages"))
        : undefined,
      want("nv") ? detectNv(host).catch(failed("nv", "/sys/bus/nd/devices")) : undefined,
    ]);
    if (numa) f.attributes["memory.numa"] = { elements: numa };
    if (swap) f.attributes["memory.swap"] = { elements: swap };
    if (hugepages) f.attributes["memory.hugepages"] = { elements: hugepages };
    // Always present, possibly empty (NFD omits it only if the nd bus cannot be listed).
    f.instances["memory.nv"] = instanceFeature(nv ?? []);
    return f;
  },
};
