// `cpu.model`: vendor_id, family, id (model) as klauspost/cpuid computes them, and hypervisor.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";
import { arm64Identity } from "./arm64.js";
import type { CpuIdentity } from "./x86/decode.js";
import { cpuinfoWords, type Cpuinfo } from "./cpuinfo.js";
import type { CpuFacts } from "./facts.js";
import { hypervisorFromHost, hypervisorFromSignature } from "./hypervisor.js";
import { VENDOR_UNKNOWN } from "./vendors.js";

const SANITISE = /[^-A-Za-z0-9_.]+/g;

export async function discoverModel(
  ctx: SourceContext,
  facts: CpuFacts,
): Promise<Record<string, string>> {
  const out = newMap<string>();
  const put = (id: CpuIdentity | undefined): void => {
    if (id === undefined) return;
    out.vendor_id = id.vendor;
    out.family = String(id.family);
    out.id = String(id.model);
  };
  const x86 = facts.x86;
  if (x86 !== undefined) {
    put(x86.identity);
    if (x86.identity === undefined) ctx.warn("cpu.model: vendor and model unknown");
    let hv: string | undefined;
    if (x86.source === "cpuid") {
      hv = hypervisorFromSignature(x86.features.has("HYPERVISOR"), x86.hypervisorSignature ?? "");
    } else {
      const flags = facts.cpuinfo ? cpuinfoWords(facts.cpuinfo, "flags") : undefined;
      hv = await hypervisorFromHost(ctx.host, flags?.has("hypervisor"));
    }
    if (hv !== undefined) out.hypervisor = hv;
    else ctx.warn("cpu.model: cannot tell whether a hypervisor is present");
    return out;
  }
  if (facts.arch === "arm64") {
    const id = facts.cpuinfo ? arm64Identity(facts.cpuinfo) : undefined;
    if (id === undefined) ctx.warn("cpu.model: no CPU implementer/part in /proc/cpuinfo");
    put(id);
    // klauspost never sets its HYPERVISOR flag on arm64, so NFD always says none.
    out.hypervisor = "none";
    return out;
  }
  // klauspost knows nothing of other architectures.
  put({ vendor: VENDOR_UNKNOWN, family: 0, model: 0 });
  if (facts.arch === "s390x") {
    if (facts.cpuinfo) applyS390x(out, facts.cpuinfo);
    const hv = await s390xHypervisor(ctx);
    if (hv !== undefined) out.hypervisor = hv;
  } else {
    out.hypervisor = "none";
  }
  return out;
}

/** NFD's s390x overrides: vendor_id sanitised, first `identification`, last `machine`. */
function applyS390x(out: Record<string, string>, info: Cpuinfo): void {
  let vendor = "";
  let family = "0";
  let id = "0";
  for (const block of info.blocks) {
    for (const [key, val] of block) {
      if (key === "vendor_id") vendor = val.replace(SANITISE, "_");
      else if (key === "machine") id = val;
      else if (key === "identification" && family === "0") family = val;
    }
  }
  if (vendor !== "") out.vendor_id = vendor;
  if (family !== "" && family !== "0") out.family = family;
  if (id !== "" && id !== "0") out.id = id;
}

async function s390xHypervisor(ctx: SourceContext): Promise<string | undefined> {
  const text = await ctx.host.tryReadText("/proc/sysinfo");
  if (text === undefined) {
    ctx.warn(`cpu.model: ${ctx.host.local("/proc/sysinfo")} not found`);
    return undefined;
  }
  for (const line of text.split("\n")) {
    if (!line.includes("Control Program:")) continue;
    const value = line.slice(line.indexOf(":") + 1).trim();
    return value === "" ? "none" : value.replace(SANITISE, "_");
  }
  return "none";
}
