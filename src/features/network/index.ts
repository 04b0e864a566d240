// The network source: network.device (interfaces backed by a device, i.e. with a
// `device` link) and network.virtual (the rest). Each attribute only when readable.

import type { FeatureSource, SourceContext } from "../source.js";
import type { HostRoot } from "../hostroot.js";
import { emptyFeatures, type AttributeElements, type Features } from "../nodefeatures.js";
import { attributes, instanceFeature, listOrWarn } from "../constructors.js";
import { trimSpace } from "../../lib/go/strings.js";

const BASE = "/sys/class/net";
const DEVICE_ATTRS = ["operstate", "speed", "device/sriov_numvfs", "device/sriov_totalvfs", "mtu"];
const VIRTUAL_ATTRS = ["operstate", "speed", "mtu"];

export const networkSource: FeatureSource = {
  name: "network",
  async discover(ctx: SourceContext): Promise<Features> {
    const f = emptyFeatures();
    const devices: AttributeElements[] = [];
    const virtuals: AttributeElements[] = [];
    // Unlistable: both features stay empty (created below).
    const listed = await listOrWarn(ctx, BASE, "network");
    const names = (listed ?? []).filter((n) => n !== "bonding_masters");
    const ifaces = await Promise.all(names.map((n) => readIface(ctx.host, n)));
    for (const i of ifaces) (i.physical ? devices : virtuals).push(i.attrs);
    // Always present, possibly empty, as in NFD.
    f.instances["network.device"] = instanceFeature(devices);
    f.instances["network.virtual"] = instanceFeature(virtuals);
    return f;
  },
};

async function readIface(
  host: HostRoot,
  name: string,
): Promise<{ physical: boolean; attrs: AttributeElements }> {
  const dir = `${BASE}/${name}`;
  const physical = await host.exists(`${dir}/device`);
  const files = physical ? DEVICE_ATTRS : VIRTUAL_ATTRS;
  // e.g. `speed` of a link that is down fails with EINVAL: NFD skips it silently.
  const values = await Promise.all(files.map((a) => host.tryReadAttribute(`${dir}/${a}`)));
  const attrs = attributes(["name", name]);
  files.forEach((file, i) => {
    const v = values[i];
    if (v !== undefined) attrs[file.slice(file.lastIndexOf("/") + 1)] = trimSpace(v);
  });
  return { physical, attrs };
}
