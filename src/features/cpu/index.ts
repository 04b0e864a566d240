// The `cpu` source: NFD's cpu.* features. Sub-features NFD always creates are created here
// too (possibly empty); cpu.cstate is absent when its detection fails, as in NFD, and cstate,
// pstate, rdt and sst are amd64-only (empty elsewhere), like NFD's stubs.

import { emptyFeatures, newMap, type Features } from "../nodefeatures.js";
import type { FeatureSource, SourceContext } from "../source.js";
import { discoverCoprocessor } from "./coprocessor.js";
import { discoverCpuid } from "./cpuid.js";
import { discoverCstate } from "./cstate.js";
import { gatherCpuFacts, type CpuFacts } from "./facts.js";
import { discoverModel } from "./model.js";
import { discoverPstate } from "./pstate.js";
import { discoverRdt } from "./rdt.js";
import { discoverSecurity } from "./security.js";
import { discoverSst } from "./sst.js";
import { discoverTopology } from "./topology.js";

export { CPUINFO_TO_CPUID, cpuidMappingMarkdown } from "./x86/table.js";

/** The sub-features computed from the shared facts (cpuinfo, CPUID). */
const FROM_FACTS = ["cpuid", "model", "rdt", "security", "sst"];

export const cpuSource: FeatureSource = {
  name: "cpu",
  async discover(ctx: SourceContext): Promise<Features> {
    const features = emptyFeatures();
    const amd64 = ctx.arch === "amd64";
    const want = (name: string): boolean => ctx.wants(`cpu.${name}`);
    const facts = FROM_FACTS.some(want) ? gatherCpuFacts(ctx) : undefined;
    const withFacts = <T>(fn: (f: CpuFacts) => Promise<T>): Promise<T> =>
      (facts as Promise<CpuFacts>).then(fn);
    const amd64Only = (fn: () => Promise<Elements | undefined>) => (amd64 ? fn() : {});
    // Sub-features read different files: read them concurrently, skip those not asked for.
    const [cpuid, model, cstate, pstate, rdt, security, sst, topology, coprocessor] =
      await Promise.all([
        want("cpuid") ? withFacts((f) => discoverCpuid(ctx, f)) : undefined,
        want("model") ? withFacts((f) => discoverModel(ctx, f)) : undefined,
        // Absent when detection fails on amd64, as in NFD.
        want("cstate") ? amd64Only(() => discoverCstate(ctx)) : undefined,
        want("pstate") ? amd64Only(() => discoverPstate(ctx)) : undefined,
        want("rdt") ? amd64Only(() => withFacts((f) => discoverRdt(ctx, f))) : undefined,
        want("security") ? withFacts((f) => discoverSecurity(ctx, f)) : undefined,
        want("sst") ? amd64Only(() => withFacts((f) => discoverSst(ctx, f))) : undefined,
        want("topology") ? discoverTopology(ctx) : undefined,
        want("coprocessor") ? discoverCoprocessor(ctx) : undefined,
      ]);

    const attr = (name: string, elements: Elements | undefined): void => {
      if (elements === undefined) return;
      const copy = newMap<string>();
      for (const k of Object.keys(elements).sort()) copy[k] = elements[k] as string;
      features.attributes[`cpu.${name}`] = { elements: copy };
    };
    if (cpuid !== undefined) {
      const flags = newMap<Record<string, never>>();
      for (const f of cpuid.flags) flags[f] = {};
      features.flags["cpu.cpuid"] = { elements: flags };
      attr("cpuid", cpuid.attributes);
    }
    attr("model", model);
    attr("cstate", cstate);
    attr("pstate", pstate);
    attr("rdt", rdt);
    attr("security", security);
    attr("sst", sst);
    attr("topology", topology);
    attr("coprocessor", coprocessor);
    return features;
  },
};

type Elements = Record<string, string>;
