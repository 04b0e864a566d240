// Vendor names as klauspost/cpuid gives them (NFD prints `cpuid.CPU.VendorID.String()`).

export const VENDOR_UNKNOWN = "VendorUnknown";

/**
 * CPUID vendor signatures (leaf 0 for CPUs, leaf 0x40000000 for hypervisors) and klauspost's
 * name for each. Keys are compared after trimming, because /proc/cpuinfo prints
 * `VIA VIA VIA ` and friends with their padding and readers may have trimmed it.
 */
const SIGNATURES: ReadonlyArray<readonly [string, string]> = [
  ["AMDisbetter!", "AMD"],
  ["AuthenticAMD", "AMD"],
  ["CentaurHauls", "VIA"],
  ["GenuineIntel", "Intel"],
  ["TransmetaCPU", "Transmeta"],
  ["GenuineTMx86", "Transmeta"],
  ["Geode by NSC", "NSC"],
  ["VIA VIA VIA ", "VIA"],
  ["KVMKVMKVM", "KVM"],
  ["Linux KVM Hv", "KVM"],
  ["TCGTCGTCGTCG", "QEMU"],
  ["Microsoft Hv", "MSVM"],
  ["VMwareVMware", "VMware"],
  ["XenVMMXenVMM", "XenHVM"],
  ["bhyve bhyve ", "Bhyve"],
  ["HygonGenuine", "Hygon"],
  ["Vortex86 SoC", "SiS"],
  ["SiS SiS SiS ", "SiS"],
  ["RiseRiseRise", "SiS"],
  ["Genuine  RDC", "RDC"],
  ["QNXQVMBSQG", "QNX"],
  ["ACRNACRNACRN", "ACRN"],
  ["SRESRESRESRE", "SRE"],
  ["Apple VZ", "Apple"],
];

/** klauspost's vendor name for an exact (untrimmed) signature, or undefined. */
export function vendorForSignature(signature: string): string | undefined {
  for (const [sig, name] of SIGNATURES) if (sig === signature) return name;
  return undefined;
}

/** Like vendorForSignature, for text that may have lost its trailing padding. */
export function vendorForTrimmedSignature(signature: string): string | undefined {
  const s = signature.trim();
  for (const [sig, name] of SIGNATURES) if (sig.trim() === s) return name;
  return undefined;
}

/** arm64 MIDR implementer codes klauspost knows (anything else is VendorUnknown). */
const ARM_IMPLEMENTERS: ReadonlyMap<number, string> = new Map([
  [0xc0, "Ampere"],
  [0x41, "ARM"],
  [0x42, "Broadcom"],
  [0x43, "Cavium"],
  [0x44, "DEC"],
  [0x46, "Fujitsu"],
  [0x49, "Infineon"],
  [0x4d, "Motorola"],
  [0x4e, "NVIDIA"],
  [0x50, "AMCC"],
  [0x51, "Qualcomm"],
  [0x56, "Marvell"],
  [0x69, "Intel"],
]);

export function vendorForArmImplementer(code: number): string {
  return ARM_IMPLEMENTERS.get(code) ?? VENDOR_UNKNOWN;
}
