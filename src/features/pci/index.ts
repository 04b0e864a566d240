// The pci source: pci.device, one instance per device in /sys/bus/pci/devices. Devices are
// symlinks into /sys/devices; under --host-root they resolve inside the host tree.

import type { FeatureSource, SourceContext } from "../source.js";
import type { HostRoot } from "../hostroot.js";
import { emptyFeatures, newMap, type AttributeElements, type Features } from "../nodefeatures.js";
import { cannotRead, instanceFeature, listOrWarn } from "../constructors.js";
import { brief } from "../hostio.js";
import { trimSpace } from "../../lib/go/strings.js";

const BASE = "/sys/bus/pci/devices";
const MANDATORY = ["class", "vendor", "device", "subsystem_vendor", "subsystem_device"];
const OPTIONAL = ["sriov_totalvfs", "iommu_group/type", "iommu/intel-iommu/version"];

/** A sysfs value as NFD stores it: `0x` dropped, trimmed; a class keeps 4 hex digits. */
export function pciValue(attr: string, raw: string): string {
  const v = trimSpace(raw.startsWith("0x") ? raw.slice(2) : raw);
  return attr === "class" && v.length > 4 ? v.slice(0, 4) : v;
}

export const pciSource: FeatureSource = {
  name: "pci",
  async discover(ctx: SourceContext): Promise<Features> {
    const f = emptyFeatures();
    const names = await listOrWarn(ctx, BASE, "pci.device");
    if (names === undefined) return f;
    const devs = await Promise.all(names.map((n) => readDevice(ctx, n)));
    f.instances["pci.device"] = instanceFeature(
      devs.filter((d): d is AttributeElements => d !== undefined),
    );
    return f;
  },
};

async function readDevice(
  ctx: SourceContext,
  name: string,
): Promise<AttributeElements | undefined> {
  const dir = `${BASE}/${name}`;
  const host: HostRoot = ctx.host;
  const all = [...MANDATORY, ...OPTIONAL];
  const values = await Promise.all(
    all.map((a) =>
      host.readAttribute(`${dir}/${a}`).then(
        (raw) => ({ raw }),
        (error: unknown) => ({ error }),
      ),
    ),
  );
  const attrs = newMap<string>();
  for (const [i, attr] of all.entries()) {
    const v = values[i];
    if (v === undefined) continue;
    if ("raw" in v) attrs[attr] = pciValue(attr, v.raw);
    else if (MANDATORY.includes(attr)) {
      // NFD skips a device missing any mandatory attribute.
      ctx.warn(
        `pci.device: skipping ${brief(name)}: ${cannotRead(host, `${dir}/${attr}`, v.error)}`,
      );
      return undefined;
    }
  }
  return attrs;
}
