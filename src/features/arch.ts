// The architecture discovery runs for (OCI names: amd64, arm64, …). cpu.cpuid differs per
// architecture, so under --host-root it must be the tree's, not this process's.

import { endianness } from "node:os";
import type { HostRoot } from "./hostroot.js";
import { goArch } from "../lib/go/arch.js";
import { trimSpace } from "../lib/go/strings.js";

/** `uname -m` → OCI architecture; undefined when unknown. */
export function ociArchFromMachine(machine: string): string | undefined {
  const m = machine.trim();
  if (m === "x86_64" || m === "amd64") return "amd64";
  if (m === "aarch64" || m === "arm64" || m === "aarch64_be") return "arm64";
  if (/^armv\d+/.test(m) || m === "arm") return "arm";
  if (/^i[3-6]86$/.test(m)) return "386";
  if (m === "ppc64le" || m === "ppc64" || m === "s390x" || m === "riscv64") return m;
  if (m === "loongarch64") return "loong64";
  if (m === "mips64") return "mips64";
  if (m === "mips") return "mips";
  return undefined;
}

/** Guesses the architecture from /proc/cpuinfo's field names (each arch has its own). */
export function ociArchFromCpuinfo(text: string): string | undefined {
  const keys = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const k = trimSpace(line.slice(0, colon));
    if (!keys.has(k)) keys.set(k, trimSpace(line.slice(colon + 1)));
  }
  const vendor = keys.get("vendor_id");
  if (vendor !== undefined && vendor.includes("S390")) return "s390x";
  if (keys.has("flags") && vendor !== undefined) {
    return ` ${keys.get("flags")} `.includes(" lm ") ? "amd64" : "386";
  }
  const cpuArch = keys.get("CPU architecture");
  if (cpuArch !== undefined) return cpuArch === "8" || cpuArch === "AArch64" ? "arm64" : "arm";
  const isa = keys.get("isa");
  if (isa !== undefined && /^rv64/.test(isa)) return "riscv64";
  if (keys.has("cpu") && /POWER|ppc/i.test(keys.get("cpu") ?? "")) return "ppc64le";
  return undefined;
}

/**
 * The host's architecture. On the live host (or --host-prefix, which shares this kernel)
 * it is this process's, as NFD's is the one it was built for. Under --host-root it is read
 * from the tree: /proc/sys/kernel/arch (`uname -m`, Linux 6.1+), else the shape of
 * /proc/cpuinfo, else this process's.
 */
export async function hostArch(host: HostRoot): Promise<string> {
  const own = goArch(process.arch, endianness() === "LE");
  if (host.root === undefined) return own;
  const machine = await host.tryReadText("/proc/sys/kernel/arch", 256);
  const fromMachine = machine === undefined ? undefined : ociArchFromMachine(machine);
  if (fromMachine) return fromMachine;
  const cpuinfo = await host.tryReadText("/proc/cpuinfo", 4 << 20);
  return (cpuinfo === undefined ? undefined : ociArchFromCpuinfo(cpuinfo)) ?? own;
}
