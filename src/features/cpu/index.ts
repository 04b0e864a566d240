// The `cpu` source: NFD's cpu.* features. Sub-features NFD always creates are created here
// too (possibly empty); cpu.cstate is absent when its detection fails, as in NFD, and cstate,
// pstate, rdt and sst are amd64-only (empty elsewhere), like NFD's stubs.

import { emptyFeatures, newMap, type Features } from "../model.js";
import type { FeatureSource, SourceContext } from "../source.js";
import { discoverCoprocessor } from "./coprocessor.js";
import { discoverCpuid } from "./cpuid.js";
import { discoverCstate } from "./cstate.js";
import { gatherCpuFacts } from "./facts.js";
import { discoverModel } from "./model.js";
import { discoverPstate } from "./pstate.js";
import { discoverRdt } from "./rdt.js";
import { discoverSecurity } from "./security.js";
import { discoverSst } from "./sst.js";
import { discoverTopology } from "./topology.js";

export {
  CPUINFO_TO_CPUID,
  DERIVED_CPUID,
  NOT_FROM_CPUINFO,
  cpuidMappingMarkdown,
} from "./cpuid-table.js";
export { NFD_ARM64_HWCAPS } from "./arm64.js";
export { KLAUSPOST_X86_NAMES } from "./cpuid-names.js";

export const cpuSource: FeatureSource = {
  name: "cpu",
  async discover(ctx: SourceContext): Promise<Features> {
    const features = emptyFeatures();
    const facts = await gatherCpuFacts(ctx);
    const amd64 = ctx.arch === "amd64";
    const attr = (name: string, elements: Record<string, string>): void => {
      const copy = newMap<string>();
      for (const k of Object.keys(elements).sort()) copy[k] = elements[k] as string;
      features.attributes[`cpu.${name}`] = { elements: copy };
    };

    const cpuid = await discoverCpuid(ctx, facts);
    const flags = newMap<Record<string, never>>();
    for (const f of cpuid.flags) flags[f] = {};
    features.flags["cpu.cpuid"] = { elements: flags };
    if (cpuid.attributes !== undefined) attr("cpuid", cpuid.attributes);

    attr("model", await discoverModel(ctx, facts));
    if (amd64) {
      const cstate = await discoverCstate(ctx);
      if (cstate !== undefined) attr("cstate", cstate);
    } else {
      attr("cstate", {});
    }
    attr("pstate", amd64 ? await discoverPstate(ctx) : {});
    attr("rdt", amd64 ? await discoverRdt(ctx, facts) : {});
    attr("security", await discoverSecurity(ctx, facts));
    attr("sst", amd64 ? await discoverSst(ctx, facts) : {});
    attr("topology", await discoverTopology(ctx));
    attr("coprocessor", await discoverCoprocessor(ctx));
    return features;
  },
};
