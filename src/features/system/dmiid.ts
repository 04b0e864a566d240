// system.dmiid: the world-readable DMI identification strings (no serials or UUIDs).

import type { HostRoot } from "../hostroot.js";
import { newMap, type AttributeElements } from "../nodefeatures.js";
import { trimSpace } from "../../lib/go/strings.js";

const BASE = "/sys/devices/virtual/dmi/id";
const DMI_ATTRIBUTES = [
  "bios_date",
  "bios_vendor",
  "bios_version",
  "board_asset_tag",
  "board_name",
  "board_vendor",
  "board_version",
  "chassis_asset_tag",
  "chassis_type",
  "chassis_vendor",
  "chassis_version",
  "product_family",
  "product_name",
  "product_sku",
  "product_version",
  "sys_vendor",
];

/** The readable ones; undefined when none is (NFD then omits the feature). */
export async function readDmiId(host: HostRoot): Promise<AttributeElements | undefined> {
  const values = await Promise.all(
    DMI_ATTRIBUTES.map((a) => host.tryReadAttribute(`${BASE}/${a}`)),
  );
  const out = newMap<string>();
  let any = false;
  DMI_ATTRIBUTES.forEach((a, i) => {
    const v = values[i];
    if (v === undefined) return;
    out[a] = trimSpace(v);
    any = true;
  });
  return any ? out : undefined;
}
