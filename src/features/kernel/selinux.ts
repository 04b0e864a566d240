// kernel.selinux: `enabled` is whether SELinux is enforcing.

import type { HostRoot } from "../hostroot.js";
import { errnoCode } from "../../lib/fserror.js";

/**
 * true when /sys/fs/selinux/enforce starts with `1`; false when SELinux is absent.
 * Throws when /sys/fs itself cannot be seen (NFD then omits the feature).
 */
export async function selinuxEnforcing(host: HostRoot): Promise<boolean> {
  await host.stat("/sys/fs");
  let data: Buffer;
  try {
    data = await host.readBytes("/sys/fs/selinux/enforce", 4096);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return false;
    throw e;
  }
  // NFD indexes byte 0 unguarded (it would crash on an empty file): call that an error.
  if (data.length === 0) throw new Error("/sys/fs/selinux/enforce is empty");
  return data[0] === 0x31;
}
