import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuSource } from "../../../src/features/cpu/index.js";
import { hypervisorFromSignature, dmiHypervisor } from "../../../src/features/cpu/hypervisor.js";
import { fixture, makeHost, type Entry } from "./tree.js";

const CLOCK = "/sys/devices/system/clocksource/clocksource0";

async function model(entries: Record<string, Entry>, arch = "amd64") {
  const h = await makeHost(entries);
  try {
    const f = await cpuSource.discover(h.ctx(arch));
    return { elements: f.attributes["cpu.model"]?.elements ?? {}, warnings: h.warnings };
  } finally {
    await h.cleanup();
  }
}

const withFlags = (text: string, add: string, remove: string[] = []): string =>
  text.replace(/^flags\t\t: (.*)$/gm, (_m, flags: string) => {
    const words = flags.split(" ").filter((w) => !remove.includes(w));
    return `flags\t\t: ${[...words, ...add.split(" ").filter(Boolean)].join(" ")}`;
  });

test("Intel Xeon bare metal: vendor, family, model, no hypervisor", async () => {
  const { elements } = await model({
    "/proc/cpuinfo": await fixture("cpuinfo-intel-xeon-8480.txt"),
  });
  assert.deepEqual(
    { ...elements },
    { vendor_id: "Intel", family: "6", id: "143", hypervisor: "none" },
  );
});

test("AMD EPYC bare metal", async () => {
  const { elements } = await model({ "/proc/cpuinfo": await fixture("cpuinfo-amd-epyc-7763.txt") });
  assert.deepEqual(
    { ...elements },
    { vendor_id: "AMD", family: "25", id: "1", hypervisor: "none" },
  );
});

test("Firecracker VM: KVM found through kvm-clock even when tsc is the current clock", async () => {
  const { elements } = await model({
    "/proc/cpuinfo": await fixture("cpuinfo-firecracker-amd-zen5.txt"),
    [`${CLOCK}/available_clocksource`]: "tsc kvm-clock \n",
    [`${CLOCK}/current_clocksource`]: "tsc\n",
  });
  assert.deepEqual({ ...elements }, { vendor_id: "AMD", family: "26", id: "2", hypervisor: "kvm" });
});

test("hypervisor evidence without CPUID", async () => {
  const vm = withFlags(await fixture("cpuinfo-intel-xeon-8480.txt"), "hypervisor");
  const hv = async (extra: Record<string, Entry>): Promise<string | undefined> =>
    (await model({ "/proc/cpuinfo": vm, ...extra })).elements.hypervisor;
  assert.equal(
    await hv({ [`${CLOCK}/available_clocksource`]: "hyperv_clocksource_tsc_page tsc acpi_pm\n" }),
    "msvm",
  );
  assert.equal(await hv({ [`${CLOCK}/current_clocksource`]: "xen\n" }), "xenhvm");
  assert.equal(await hv({ "/sys/hypervisor/type": "xen\n" }), "xenhvm");
  assert.equal(await hv({ "/sys/devices/system/cpu/cpuidle/current_driver": "haltpoll\n" }), "kvm");
  assert.equal(await hv({ "/sys/devices/virtual/dmi/id/sys_vendor": "VMware, Inc.\n" }), "vmware");
  assert.equal(
    await hv({
      "/sys/devices/virtual/dmi/id/sys_vendor": "Microsoft Corporation\n",
      "/sys/devices/virtual/dmi/id/product_name": "Virtual Machine\n",
    }),
    "msvm",
  );
  assert.equal(await hv({ "/sys/devices/virtual/dmi/id/sys_vendor": "QEMU\n" }), "qemu");
  assert.equal(await hv({}), "unknown");
});

test("hypervisor from the CPUID signature, as NFD names it", () => {
  assert.equal(hypervisorFromSignature(false, "KVMKVMKVM"), "none");
  assert.equal(hypervisorFromSignature(true, "KVMKVMKVM"), "kvm");
  assert.equal(hypervisorFromSignature(true, "Linux KVM Hv"), "kvm");
  assert.equal(hypervisorFromSignature(true, "Microsoft Hv"), "msvm");
  assert.equal(hypervisorFromSignature(true, "XenVMMXenVMM"), "xenhvm");
  assert.equal(hypervisorFromSignature(true, "TCGTCGTCGTCG"), "qemu");
  assert.equal(hypervisorFromSignature(true, "bhyve bhyve "), "bhyve");
  assert.equal(hypervisorFromSignature(true, "VBoxVBoxVBox"), "VBoxVBoxVBox");
  assert.equal(hypervisorFromSignature(true, "prl hyperv  "), "prl_hyperv_");
  assert.equal(hypervisorFromSignature(true, ""), "unknown");
  assert.equal(dmiHypervisor("Amazon EC2", "m7g.large", "Amazon EC2"), "kvm");
  assert.equal(dmiHypervisor("Dell Inc.", "PowerEdge R750", "Dell Inc."), undefined);
});

test("vendor names and klauspost's model for families 7-14", async () => {
  const base = await fixture("cpuinfo-intel-xeon-8480.txt");
  const as = (vendor: string, family: number, modelNo: number): string =>
    base
      .replace(/^vendor_id\t: .*$/gm, `vendor_id\t: ${vendor}`)
      .replace(/^cpu family\t: .*$/gm, `cpu family\t: ${family}`)
      .replace(/^model\t\t: .*$/gm, `model\t\t: ${modelNo}`);
  const get = async (text: string) => (await model({ "/proc/cpuinfo": text })).elements;
  assert.equal((await get(as("HygonGenuine", 24, 1))).vendor_id, "Hygon");
  assert.equal((await get(as("CentaurHauls", 6, 15))).vendor_id, "VIA");
  assert.equal((await get(as("VIA VIA VIA ", 6, 15))).vendor_id, "VIA");
  const zhaoxin = await get(as("  Shanghai  ", 7, 59));
  assert.equal(zhaoxin.vendor_id, "VendorUnknown");
  assert.equal(zhaoxin.id, "11", "extended model dropped outside families 6 and 15+");
});

test("arm64: vendor and MIDR-derived family/id, hypervisor always none", async () => {
  const { elements } = await model(
    { "/proc/cpuinfo": await fixture("cpuinfo-arm64-graviton2.txt") },
    "arm64",
  );
  // Neoverse N1: variant 3, architecture 0xF, part 0xd0c, revision 1.
  assert.deepEqual(
    { ...elements },
    { vendor_id: "ARM", family: "63", id: "53441", hypervisor: "none" },
  );
  const g3 = await model(
    { "/proc/cpuinfo": await fixture("cpuinfo-arm64-graviton3.txt") },
    "arm64",
  );
  assert.equal(g3.elements.id, String((0xd40 << 4) | 1));
  const apple = (await fixture("cpuinfo-arm64-graviton2.txt")).replace(/0x41/g, "0x61");
  assert.equal(
    (await model({ "/proc/cpuinfo": apple }, "arm64")).elements.vendor_id,
    "VendorUnknown",
  );
  const noCpuid = (await fixture("cpuinfo-arm64-graviton2.txt")).replace(/ cpuid/g, "");
  const old = (await model({ "/proc/cpuinfo": noCpuid }, "arm64")).elements;
  assert.deepEqual([old.vendor_id, old.family, old.id], ["VendorUnknown", "0", "0"]);
});

test("s390x: cpuinfo identification/machine and /proc/sysinfo control program", async () => {
  const cpuinfo =
    "vendor_id       : IBM/S390\n# processors    : 2\nbogomips per cpu: 3241.00\n" +
    "features\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx sie\n\n" +
    "cpu number      : 0\nversion         : 00\nidentification  : 0133E8\nmachine         : 8561\n\n" +
    "cpu number      : 1\nversion         : 00\nidentification  : 2133E8\nmachine         : 8562\n";
  const { elements } = await model(
    {
      "/proc/cpuinfo": cpuinfo,
      "/proc/sysinfo": "LPAR Name: X\nVM00 Control Program: z/VM    7.2.0\n",
    },
    "s390x",
  );
  assert.deepEqual(
    { ...elements },
    {
      vendor_id: "IBM_S390",
      family: "0133E8",
      id: "8562",
      hypervisor: "z_VM_7.2.0",
    },
  );
});

test("no cpuinfo: model elements absent, a warning, no crash", async () => {
  const { elements, warnings } = await model({});
  assert.equal(elements.vendor_id, undefined);
  assert.ok(
    warnings.some((w) => w.includes("/proc/cpuinfo")),
    warnings.join("\n"),
  );
});
