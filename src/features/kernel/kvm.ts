// kernel.kvm: `enabled` is whether the kvm misc device is registered.

import type { HostRoot } from "../hostroot.js";
import { errnoCode } from "../../lib/fserror.js";

/** true when /sys/devices/virtual/misc/kvm exists; throws on errors other than absence. */
export async function kvmEnabled(host: HostRoot): Promise<boolean> {
  try {
    await host.stat("/sys/devices/virtual/misc/kvm");
    return true;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return false;
    throw e;
  }
}
