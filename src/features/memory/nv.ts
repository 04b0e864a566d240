// memory.nv: NVDIMM devices (libnvdimm's /sys/bus/nd/devices), each with its type and mode.

import type { HostRoot } from "../hostroot.js";
import type { AttributeElements } from "../nodefeatures.js";
import { attributes } from "../constructors.js";
import { errnoCode } from "../../lib/fserror.js";
import { trimSpace } from "../../lib/go/strings.js";

const BASE = "/sys/bus/nd/devices";

/** No nd bus → no devices (an empty list, as in NFD). */
export async function detectNv(host: HostRoot): Promise<AttributeElements[]> {
  let names: string[];
  try {
    names = await host.readDir(BASE);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return [];
    throw e;
  }
  return Promise.all(
    names.map(async (name) => {
      const attrs = attributes(["name", name]);
      const [devtype, mode] = await Promise.all(
        ["devtype", "mode"].map((a) => host.tryReadAttribute(`${BASE}/${name}/${a}`)),
      );
      if (devtype !== undefined) attrs.devtype = trimSpace(devtype);
      if (mode !== undefined) attrs.mode = trimSpace(mode);
      return attrs;
    }),
  );
}
