// The usb source: usb.device. A device whose class is `00` declares its classes per
// interface: it yields one instance per interface, with the interface's class.

import type { FeatureSource, SourceContext } from "../source.js";
import type { HostRoot } from "../hostroot.js";
import { emptyFeatures, newMap, type AttributeElements, type Features } from "../nodefeatures.js";
import { instanceFeature, reason } from "../constructors.js";
import { brief } from "../hostio.js";
import { trimSpace } from "../../lib/go/strings.js";

const BASE = "/sys/bus/usb/devices";
/** Attribute → sysfs file, named like the PCI source's attributes. */
const FILES: Array<[string, string]> = [
  ["class", "bDeviceClass"],
  ["vendor", "idVendor"],
  ["device", "idProduct"],
  ["serial", "serial"],
];

export const usbSource: FeatureSource = {
  name: "usb",
  async discover(ctx: SourceContext): Promise<Features> {
    const f = emptyFeatures();
    // NFD globs `*/idProduct`: anything with a product id is a device (not a hub port,
    // interface, …). A missing or unreadable bus is simply no devices.
    const entries = (await ctx.host.tryReadDir(BASE)) ?? [];
    const isDevice = await Promise.all(
      entries.map((e) => ctx.host.exists(`${BASE}/${e}/idProduct`)),
    );
    const devs = entries.filter((_, i) => isDevice[i]);
    const found = await Promise.all(
      devs.map((d) =>
        readDevice(ctx.host, `${BASE}/${d}`).catch((e: unknown) => {
          ctx.warn(`usb.device: skipping ${brief(d)}: ${reason(e)}`);
          return [];
        }),
      ),
    );
    f.instances["usb.device"] = instanceFeature(found.flat());
    return f;
  },
};

async function readDevice(host: HostRoot, dir: string): Promise<AttributeElements[]> {
  const values = await Promise.all(
    FILES.map(([, file]) => host.tryReadAttribute(`${dir}/${file}`)),
  );
  const attrs = newMap<string>();
  FILES.forEach(([attr], i) => {
    const v = trimSpace(values[i] ?? "");
    if (v !== "") attrs[attr] = v;
  });
  if (attrs.class !== "00") return [attrs];
  // Class 00: one instance per interface (`<dev>/*/bInterfaceClass`), not de-duplicated.
  const entries = (await host.tryReadDir(dir)) ?? [];
  const withClass = await Promise.all(
    entries.map((e) => host.exists(`${dir}/${e}/bInterfaceClass`)),
  );
  const ifaces = entries.filter((_, i) => withClass[i]);
  const classes = await Promise.all(
    ifaces.map(async (i) => trimSpace(await host.readAttribute(`${dir}/${i}/bInterfaceClass`))),
  );
  return classes.map((c) => {
    const a = newMap<string>();
    Object.assign(a, attrs);
    a.class = c;
    return a;
  });
}
