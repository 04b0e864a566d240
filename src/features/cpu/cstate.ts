// `cpu.cstate` (amd64): `enabled` = intel_idle's max_cstate > 0, only while intel_idle is the
// cpuidle driver. As in NFD, the feature is absent when detection fails (no sysfs, unreadable
// driver or max_cstate) and empty when cpuidle is off or another driver is in use.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";
import { parseGoInt } from "../../lib/go/strconv.js";

const CPU = "/sys/devices/system/cpu";

export async function discoverCstate(
  ctx: SourceContext,
): Promise<Record<string, string> | undefined> {
  const out = newMap<string>();
  if (!(await ctx.host.exists(CPU))) {
    ctx.warn(`cpu.cstate: ${ctx.host.local(CPU)} not found`);
    return undefined;
  }
  if (!(await ctx.host.exists(`${CPU}/cpuidle`))) return out;
  const driver = await ctx.host.tryReadText(`${CPU}/cpuidle/current_driver`);
  if (driver === undefined) {
    ctx.warn(`cpu.cstate: ${ctx.host.local(`${CPU}/cpuidle/current_driver`)} not found`);
    return undefined;
  }
  if (driver.trim() !== "intel_idle") return out;
  const path = "/sys/module/intel_idle/parameters/max_cstate";
  const text = await ctx.host.tryReadText(path);
  if (text === undefined) {
    ctx.warn(`cpu.cstate: ${ctx.host.local(path)} not found`);
    return undefined;
  }
  const value = parseGoInt(text.trim());
  if (value === undefined) {
    ctx.warn(`cpu.cstate: ${path}: not an integer: ${JSON.stringify(text.trim())}`);
    return undefined;
  }
  out.enabled = String(value > 0);
  return out;
}
