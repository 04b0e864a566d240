// `cpu.model` `hypervisor`: NFD reports `none` unless CPUID says a hypervisor is present, then
// the leaf 0x40000000 vendor lower-cased (`kvm`, `msvm`, `vmware`, `xenhvm`, …), an unknown
// signature sanitised, or `unknown` when empty. With raw CPUID kompat does the same; without
// it, the signature is inferred from what Linux shows about the hypervisor it detected.

import type { HostRoot } from "../hostroot.js";
import { vendorForSignature } from "./vendors.js";

/** NFD's answer from the CPUID hypervisor bit and the leaf 0x40000000 signature. */
export function hypervisorFromSignature(present: boolean, signature: string): string {
  if (!present) return "none";
  const vendor = vendorForSignature(signature);
  if (vendor !== undefined) return vendor.toLowerCase();
  const clean = signature.replace(/[^-A-Za-z0-9_.]+/g, "_");
  return clean === "" ? "unknown" : clean;
}

const CLOCKSOURCE = "/sys/devices/system/clocksource/clocksource0";
const DMI = "/sys/devices/virtual/dmi/id";

/**
 * The hypervisor without CPUID. `present` is cpuinfo's `hypervisor` flag (undefined when
 * cpuinfo is unreadable: then only positive evidence counts). Evidence, strongest first:
 * the paravirtual clock sources Linux registered (each requires its hypervisor's CPUID
 * signature), Xen's /sys/hypervisor, the haltpoll cpuidle driver (KVM only), then DMI.
 */
export async function hypervisorFromHost(
  host: HostRoot,
  present: boolean | undefined,
): Promise<string | undefined> {
  if (present === false) return "none";
  const clocks = new Set(
    [
      await host.tryReadText(`${CLOCKSOURCE}/available_clocksource`),
      await host.tryReadText(`${CLOCKSOURCE}/current_clocksource`),
    ].flatMap((t) => (t ?? "").split(/\s+/).filter(Boolean)),
  );
  if (clocks.has("hyperv_clocksource_tsc_page") || clocks.has("hyperv_clocksource_msr")) {
    return "msvm";
  }
  if (clocks.has("kvm-clock")) return "kvm";
  if (clocks.has("xen")) return "xenhvm";
  if ((await host.tryReadText("/sys/hypervisor/type"))?.trim() === "xen") return "xenhvm";
  const idle = await host.tryReadText("/sys/devices/system/cpu/cpuidle/current_driver");
  if (idle?.trim() === "haltpoll") return "kvm";
  const fromDmi = dmiHypervisor(
    (await host.tryReadText(`${DMI}/sys_vendor`))?.trim() ?? "",
    (await host.tryReadText(`${DMI}/product_name`))?.trim() ?? "",
    (await host.tryReadText(`${DMI}/bios_vendor`))?.trim() ?? "",
  );
  if (fromDmi !== undefined) return fromDmi;
  return present === true ? "unknown" : undefined;
}

/** The hypervisor a VM's firmware names, as NFD would name that hypervisor's signature. */
export function dmiHypervisor(
  sysVendor: string,
  product: string,
  biosVendor: string,
): string | undefined {
  const v = sysVendor.toLowerCase();
  const p = product.toLowerCase();
  if (v.startsWith("vmware") || p.startsWith("vmware")) return "vmware";
  if (v === "microsoft corporation" && p === "virtual machine") return "msvm";
  if (v === "xen" || biosVendor.toLowerCase() === "xen") return "xenhvm";
  if (v === "bhyve" || biosVendor === "BHYVE") return "bhyve";
  // QEMU's signature is KVM's when accelerated; a QEMU guest with no kvm-clock is TCG.
  if (v === "qemu") return "qemu";
  // VirtualBox without its KVM paravirt interface signs `VBoxVBoxVBox` (unknown to klauspost).
  if (v === "innotek gmbh" || p === "virtualbox") return "VBoxVBoxVBox";
  if (v.startsWith("parallels")) return "prl_hyperv_";
  // Clouds whose VMs run on KVM.
  if (v === "amazon ec2" || v === "google" || v === "openstack foundation") return "kvm";
  return undefined;
}
