// `cpu.rdt` (amd64): Intel RDT / AMD PQoS capabilities NFD reads from CPUID leaves 0x7, 0xF
// and 0x10, each `true` when present, and RDTL3CA_NUM_CLOSID = resctrl info/L3/num_closids - 1.
// Without raw CPUID the same bits come from the cpuinfo flags Linux derives from those leaves:
// cqm (7.EBX[12]), cqm_llc (0xF.0 EDX[1]), cqm_occup_llc / cqm_mbm_total / cqm_mbm_local
// (0xF.1 EDX[0..2]), rdt_a (7.EBX[15]), cat_l3 / cat_l2 / mba (0x10.0 EBX[1..3]). AMD's `mba`
// comes from leaf 0x80000020, which NFD does not read, so it counts on Intel only.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";
import { cpuinfoWords } from "./cpuinfo.js";
import type { CpuFacts } from "./facts.js";

interface RdtBits {
  mon: boolean;
  l3mon: boolean;
  occupancy: boolean;
  mbmTotal: boolean;
  mbmLocal: boolean;
  alloc: boolean;
  l3ca: boolean;
  l2ca: boolean;
  mba: boolean;
}

const bit = (v: number, n: number): boolean => ((v >>> n) & 1) === 1;

function rdtBits(facts: CpuFacts): RdtBits | undefined {
  const leaves = facts.x86?.leaves;
  if (leaves !== undefined) {
    const ebx7 = leaves.get(7, 0)[1];
    const edxF0 = leaves.get(0xf, 0)[3];
    const edxF1 = leaves.get(0xf, 1)[3];
    const ebx10 = leaves.get(0x10, 0)[1];
    return {
      mon: bit(ebx7, 12),
      l3mon: bit(edxF0, 1),
      occupancy: bit(edxF1, 0),
      mbmTotal: bit(edxF1, 1),
      mbmLocal: bit(edxF1, 2),
      alloc: bit(ebx7, 15),
      l3ca: bit(ebx10, 1),
      l2ca: bit(ebx10, 2),
      mba: bit(ebx10, 3),
    };
  }
  const flags = facts.cpuinfo ? cpuinfoWords(facts.cpuinfo, "flags") : undefined;
  if (flags === undefined) return undefined;
  return {
    mon: flags.has("cqm"),
    l3mon: flags.has("cqm_llc"),
    occupancy: flags.has("cqm_occup_llc"),
    mbmTotal: flags.has("cqm_mbm_total"),
    mbmLocal: flags.has("cqm_mbm_local"),
    alloc: flags.has("rdt_a"),
    l3ca: flags.has("cat_l3"),
    l2ca: flags.has("cat_l2"),
    mba: flags.has("mba") && facts.x86?.identity?.vendor === "Intel",
  };
}

export async function discoverRdt(
  ctx: SourceContext,
  facts: CpuFacts,
): Promise<Record<string, string>> {
  const out = newMap<string>();
  const b = rdtBits(facts);
  if (b === undefined) return out;
  if (b.mon && b.l3mon) {
    out.RDTMON = "true";
    if (b.occupancy) out.RDTCMT = "true";
    if (b.mbmTotal && b.mbmLocal) out.RDTMBM = "true";
  }
  if (b.alloc) {
    if (b.l3ca) {
      out.RDTL3CA = "true";
      const closids = await numClosids(ctx, "L3");
      if (closids !== undefined) out.RDTL3CA_NUM_CLOSID = String(closids - 1);
    }
    if (b.l2ca) out.RDTL2CA = "true";
    if (b.mba) out.RDTMBA = "true";
  }
  return out;
}

/** resctrl's info/<level>/num_closids, at resctrl's mount point (default /sys/fs/resctrl). */
async function numClosids(ctx: SourceContext, level: string): Promise<number | undefined> {
  const root = (await resctrlMount(ctx)) ?? "/sys/fs/resctrl";
  const path = `${root}/info/${level}/num_closids`;
  const text = await ctx.host.tryReadText(path);
  if (text === undefined) return undefined;
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) {
    ctx.warn(`cpu.rdt: ${path}: not an integer: ${JSON.stringify(t)}`);
    return undefined;
  }
  return Number(t);
}

async function resctrlMount(ctx: SourceContext): Promise<string | undefined> {
  const text = await ctx.host.tryReadText("/proc/self/mountinfo");
  for (const line of (text ?? "").split("\n")) {
    // mountinfo: id parent dev root mountpoint options [optional…] - fstype source superopts
    const [left, right] = line.split(" - ");
    if (left === undefined || right === undefined || !right.startsWith("resctrl ")) continue;
    const mountpoint = left.split(" ")[4];
    if (mountpoint) return mountpoint.replace(/\\040/g, " ");
  }
  return undefined;
}
