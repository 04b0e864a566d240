// The kernel source: kernel.version, kernel.config, kernel.loadedmodule,
// kernel.enabledmodule, kernel.selinux, kernel.kvm.

import type { FeatureSource, SourceContext } from "../source.js";
import { emptyFeatures, type Features } from "../nodefeatures.js";
import { attributeFeature, cannotRead, flagFeature } from "../constructors.js";
import { parseKernelVersion, readKernelRelease, OSRELEASE_PATH } from "./version.js";
import { readKconfig } from "./config.js";
import {
  builtinModulesPath,
  parseModulesBuiltin,
  parseProcModules,
  PROC_MODULES,
} from "./modules.js";
import { selinuxEnforcing } from "./selinux.js";
import { kvmEnabled } from "./kvm.js";

export const kernelSource: FeatureSource = {
  name: "kernel",
  async discover(ctx: SourceContext): Promise<Features> {
    const { host } = ctx;
    const f = emptyFeatures();
    let release: string | undefined;
    try {
      release = await readKernelRelease(host);
      f.attributes["kernel.version"] = { elements: parseKernelVersion(release) };
    } catch (e) {
      ctx.warn(`kernel.version: ${cannotRead(host, OSRELEASE_PATH, e)}`);
    }

    const want = (name: string): boolean => ctx.wants(`kernel.${name}`);
    const [kconfig, loaded, builtin, selinux, kvm] = await Promise.all([
      // A config is ~300 KiB to inflate and parse: only when asked for.
      want("config") ? readKconfig(host, release) : undefined,
      want("loadedmodule") || want("enabledmodule")
        ? host.readText(PROC_MODULES).then(parseProcModules, (e: unknown) => {
            ctx.warn(`kernel.loadedmodule: ${cannotRead(host, PROC_MODULES, e)}`);
            return undefined;
          })
        : undefined,
      want("enabledmodule") ? readBuiltins(ctx, release) : undefined,
      want("selinux")
        ? selinuxEnforcing(host).catch((e: unknown) => {
            ctx.warn(`kernel.selinux: ${cannotRead(host, "/sys/fs", e)}`);
            return undefined;
          })
        : undefined,
      want("kvm")
        ? kvmEnabled(host).catch((e: unknown) => {
            ctx.warn(`kernel.kvm: ${cannotRead(host, "/sys/devices/virtual/misc/kvm", e)}`);
            return undefined;
          })
        : undefined,
    ]);

    if (kconfig !== undefined && "options" in kconfig)
      f.attributes["kernel.config"] = { elements: kconfig.options };
    else if (kconfig !== undefined) ctx.warn(`kernel.config: ${kconfig.searched}`);
    if (loaded) f.flags["kernel.loadedmodule"] = flagFeature(loaded);
    // Present only when modules.builtin was read, as in NFD.
    if (builtin) f.flags["kernel.enabledmodule"] = flagFeature([...(loaded ?? []), ...builtin]);
    if (selinux !== undefined)
      f.attributes["kernel.selinux"] = attributeFeature([["enabled", String(selinux)]]);
    if (kvm !== undefined)
      f.attributes["kernel.kvm"] = attributeFeature([["enabled", String(kvm)]]);
    return f;
  },
};

async function readBuiltins(
  ctx: SourceContext,
  release: string | undefined,
): Promise<string[] | undefined> {
  if (release === undefined) {
    ctx.warn("kernel.enabledmodule: kernel release unknown, modules.builtin not read");
    return undefined;
  }
  const path = builtinModulesPath(release);
  try {
    return parseModulesBuiltin(await ctx.host.readText(path, 16 << 20));
  } catch (e) {
    ctx.warn(`kernel.enabledmodule: ${cannotRead(ctx.host, path, e)}`);
    return undefined;
  }
}
