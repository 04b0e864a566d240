// `cpu.pstate` (amd64): intel_pstate `status` (unless `off`), `turbo` (no_turbo starts with
// 0), and `scaling_governor` when status is `active` and every cpufreq policy with CPUs agrees.
// NFD creates the feature even when detection fails, so this never returns undefined.

import { newMap } from "../nodefeatures.js";
import type { SourceContext } from "../source.js";

const CPU = "/sys/devices/system/cpu";

export async function discoverPstate(ctx: SourceContext): Promise<Record<string, string>> {
  const out = newMap<string>();
  const host = ctx.host;
  if (!(await host.exists(CPU))) {
    ctx.warn(`cpu.pstate: ${host.local(CPU)} not found`);
    return out;
  }
  const dir = `${CPU}/intel_pstate`;
  if (!(await host.exists(dir))) return out;
  const status = (await host.tryReadText(`${dir}/status`))?.trim();
  if (status === undefined) {
    ctx.warn(`cpu.pstate: ${host.local(`${dir}/status`)} not found`);
    return out;
  }
  if (status === "off") return out;
  out.status = status;

  const noTurbo = await host.tryReadText(`${dir}/no_turbo`);
  if (noTurbo === undefined || noTurbo === "") {
    ctx.warn(`cpu.pstate: ${host.local(`${dir}/no_turbo`)} not found or empty`);
  } else {
    out.turbo = String(noTurbo.startsWith("0"));
  }
  if (status !== "active") return out;

  const policies = await host.tryReadDir(`${CPU}/cpufreq`);
  if (policies === undefined) return out;
  let governor = "";
  for (const policy of policies) {
    const base = `${CPU}/cpufreq/${policy}`;
    const cpus = await host.tryReadText(`${base}/affected_cpus`);
    if (cpus === undefined || cpus.trim() === "") continue;
    const g = (await host.tryReadText(`${base}/scaling_governor`))?.trim();
    if (g === undefined) continue;
    if (governor !== "" && governor !== g) {
      governor = "";
      break;
    }
    governor = g;
  }
  if (governor !== "") out.scaling_governor = governor;
  return out;
}
