// Reads raw CPUID leaves through Linux's cpuid driver: a 16-byte pread of /dev/cpu/0/cpuid at
// offset `leaf | subleaf << 32` returns EAX, EBX, ECX, EDX as executed on CPU 0. Needs the
// `cpuid` module and read access (root, usually); otherwise discovery uses /proc/cpuinfo.

import { read as readFd } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { HostRoot } from "../hostroot.js";
import { CpuidLeaves, leavesToRead, type Regs } from "./cpuid-leaves.js";

export const CPUID_DEVICE = "/dev/cpu/0/cpuid";

/**
 * The leaves kompat's decoders use, or a reason why the device cannot be used. Only a
 * character device counts: a copied host tree cannot hold one, and a regular file there
 * would not answer per-leaf reads.
 */
export async function readCpuidDevice(
  host: HostRoot,
): Promise<{ leaves: CpuidLeaves } | { reason: string }> {
  // host.local, not host.open: a device node is not part of a host tree capture-host can copy.
  const path = host.local(CPUID_DEVICE);
  try {
    if (!(await stat(path)).isCharacterDevice()) return { reason: `${path} is not a device` };
  } catch (err) {
    return { reason: `${path}: ${errText(err)}` };
  }
  let fh;
  try {
    fh = await open(path, "r");
  } catch (err) {
    return { reason: `${path}: ${errText(err)}` };
  }
  try {
    const buf = Buffer.alloc(16);
    const read = async (leaf: number, sub: number): Promise<Regs> => {
      // The callback form, because FileHandle.read does not take a bigint position.
      const position = BigInt(leaf) | (BigInt(sub) << 32n);
      const bytesRead = await new Promise<number>((resolve, reject) =>
        readFd(fh.fd, buf, 0, 16, position, (err, n) => (err ? reject(err) : resolve(n))),
      );
      if (bytesRead !== 16) throw new Error(`short read of CPUID leaf 0x${leaf.toString(16)}`);
      return [buf.readUInt32LE(0), buf.readUInt32LE(4), buf.readUInt32LE(8), buf.readUInt32LE(12)];
    };
    const leaves = new CpuidLeaves();
    const std = await read(0, 0);
    const ext = await read(0x80000000, 0);
    leaves.set(0, 0, std).set(0x80000000, 0, ext);
    for (const [leaf, sub] of leavesToRead(std[0], ext[0])) {
      if (!leaves.has(leaf, sub)) leaves.set(leaf, sub, await read(leaf, sub));
    }
    return { leaves };
  } catch (err) {
    return { reason: `${path}: ${errText(err)}` };
  } finally {
    await fh.close();
  }
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ?? err.message;
  }
  return String(err);
}
