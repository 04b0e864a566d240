// `cpu.security`: confidential-computing capabilities. amd64: SGX (EPC size from CPUID leaf
// 0x12, else the kernel's per-node sgx_total_bytes), TDX host (kvm_intel tdx parameter) and
// guest (TDX_GUEST), AMD SEV/SEV-ES/SEV-SNP host (kvm_amd parameters) with their cgroup misc
// capacities. s390x: Secure Execution host. Each element only when present.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";
import type { CpuFacts } from "./facts.js";

export async function discoverSecurity(
  ctx: SourceContext,
  facts: CpuFacts,
): Promise<Record<string, string>> {
  const out = newMap<string>();
  const host = ctx.host;
  if (facts.arch === "s390x") {
    if ((await host.tryReadText("/sys/firmware/uv/prot_virt_host")) === "1\n") {
      out["se.enabled"] = "true";
    }
    return out;
  }
  const x86 = facts.x86;
  if (x86 === undefined) return out;

  const epc = await sgxEpcBytes(ctx, facts);
  if (epc > 0) {
    out["sgx.enabled"] = "true";
    out["sgx.epc"] = String(epc);
  }
  if ((await host.tryReadText("/sys/module/kvm_intel/parameters/tdx")) === "Y\n") {
    out["tdx.enabled"] = "true";
    const keys = await miscCapacity(ctx, "tdx");
    if (keys !== undefined) out["tdx.total_keys"] = String(keys);
  }
  if (x86.features.has("TDX_GUEST")) out["tdx.protected"] = "true";
  if (await kvmAmdParameter(ctx, "sev")) {
    out["sev.enabled"] = "true";
    const asids = await miscCapacity(ctx, "sev");
    if (asids !== undefined) out["sev.asids"] = String(asids);
  }
  if (await kvmAmdParameter(ctx, "sev_es")) {
    out["sev.es.enabled"] = "true";
    const ids = await miscCapacity(ctx, "sev_es");
    if (ids !== undefined) out["sev.encrypted_state_ids"] = String(ids);
  }
  if (await kvmAmdParameter(ctx, "sev_snp")) out["sev.snp.enabled"] = "true";
  return out;
}

/**
 * Total SGX EPC in bytes, 0 without SGX. From CPUID when readable (NFD's source); else the
 * sum of /sys/devices/system/node/node*\/x86/sgx_total_bytes (Linux 6.0+), which counts the
 * same EPC sections once the kernel's SGX driver has them.
 */
async function sgxEpcBytes(ctx: SourceContext, facts: CpuFacts): Promise<number> {
  const x86 = facts.x86;
  if (x86 === undefined || !x86.features.has("SGX")) return 0;
  if (x86.sgxEpcBytes !== undefined) return x86.sgxEpcBytes;
  const nodes = (await ctx.host.tryReadDir("/sys/devices/system/node")) ?? [];
  let total = 0;
  for (const node of nodes.filter((n) => /^node\d+$/.test(n))) {
    const text = await ctx.host.tryReadText(`/sys/devices/system/node/${node}/x86/sgx_total_bytes`);
    if (text !== undefined && /^\d+$/.test(text.trim())) total += Number(text.trim());
  }
  return total;
}

async function kvmAmdParameter(ctx: SourceContext, name: string): Promise<boolean> {
  const text = await ctx.host.tryReadText(`/sys/module/kvm_amd/parameters/${name}`);
  return text !== undefined && (text.startsWith("1") || text.startsWith("Y"));
}

/**
 * A resource's capacity in the cgroup misc controller, as NFD reads it: the first of
 * misc.capacity (cgroup v2) or misc/misc.capacity (v1) that opens, its first line starting
 * with the resource name (a prefix match, as NFD does), second space-separated field.
 */
async function miscCapacity(ctx: SourceContext, resource: string): Promise<number | undefined> {
  for (const path of ["/sys/fs/cgroup/misc.capacity", "/sys/fs/cgroup/misc/misc.capacity"]) {
    const text = await ctx.host.tryReadText(path);
    if (text === undefined) continue;
    for (const line of text.split("\n")) {
      if (!line.startsWith(resource)) continue;
      const field = line.split(" ")[1];
      return field !== undefined && /^[+-]?\d+$/.test(field) ? Number(field) : undefined;
    }
    return undefined;
  }
  return undefined;
}
