// The platform (OCI os/architecture) a saved snapshot was taken on, read from what NFD
// records: the kernel's build configuration, the CPU's capability flags and vendor, the
// kernel release. NFD runs on Linux only, so the OS is always linux.

import { ociArchFromMachine } from "./arch.js";
import type { Features } from "./nodefeatures.js";

export interface SnapshotPlatform {
  os: "linux";
  architecture: string;
}

function attr(f: Features, feature: string, element: string): string | undefined {
  const feat = Object.hasOwn(f.attributes, feature) ? f.attributes[feature] : undefined;
  const els = feat?.elements;
  return els && Object.hasOwn(els, element) ? els[element] : undefined;
}

function hasFlag(f: Features, feature: string, element: string): boolean {
  const els = Object.hasOwn(f.flags, feature) ? f.flags[feature]?.elements : undefined;
  return els !== undefined && els !== null && Object.hasOwn(els, element);
}

/** From kernel.config: the architecture symbol the kernel was built for. */
function fromKernelConfig(f: Features): string | undefined {
  const on = (k: string) => attr(f, "kernel.config", k) === "y";
  if (on("X86_64")) return "amd64";
  if (on("X86_32")) return "386";
  if (on("ARM64")) return "arm64";
  if (on("ARM")) return "arm";
  if (on("S390")) return "s390x";
  if (on("PPC64")) return on("CPU_LITTLE_ENDIAN") ? "ppc64le" : "ppc64";
  if (on("RISCV") && on("64BIT")) return "riscv64";
  if (on("LOONGARCH") && on("64BIT")) return "loong64";
  return undefined;
}

/** From cpu.cpuid: x86 capability names or arm64 hwcap names (features.md). */
function fromCpuid(f: Features): string | undefined {
  const x86 = ["X86_64_V1", "X86_64_V2", "SSE2", "SSE3", "SSE42", "CMOV", "AVX"];
  if (x86.some((n) => hasFlag(f, "cpu.cpuid", n))) return "amd64";
  const arm64 = ["ASIMD", "EVTSTRM", "ATOMICS", "ASIMDHP"];
  if (arm64.some((n) => hasFlag(f, "cpu.cpuid", n))) return "arm64";
  return undefined;
}

/** From the kernel release when it names the machine (Fedora's `6.5.6-300.fc39.x86_64`). */
function fromKernelRelease(f: Features): string | undefined {
  const full = attr(f, "kernel.version", "full");
  const m = full === undefined ? null : /[._+-](x86_64|aarch64|ppc64le|s390x|riscv64)$/.exec(full);
  return m ? ociArchFromMachine(m[1] as string) : undefined;
}

/** The platform of one snapshot, or undefined when it does not tell. */
export function snapshotPlatform(f: Features): SnapshotPlatform | undefined {
  const architecture = fromKernelConfig(f) ?? fromCpuid(f) ?? fromKernelRelease(f);
  return architecture === undefined ? undefined : { os: "linux", architecture };
}
