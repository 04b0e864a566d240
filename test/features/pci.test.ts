import { test } from "node:test";
import assert from "node:assert/strict";
import { pciSource, pciValue } from "../../src/features/pci/index.js";
import { onTree, plain } from "./tree.js";

const dev = (addr: string, files: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(files).map(([k, v]) => [`sys/devices/pci0000:00/${addr}/${k}`, v]),
  );
const link = (addr: string) => ({
  [`sys/bus/pci/devices/${addr}`]: { link: `../../../devices/pci0000:00/${addr}` },
});
const basic = (klass: string, vendor: string, device: string) => ({
  class: `${klass}\n`,
  vendor: `${vendor}\n`,
  device: `${device}\n`,
  subsystem_vendor: `${vendor}\n`,
  subsystem_device: "0x0001\n",
});

test("pci values: 0x stripped, class truncated to 4 hex digits", () => {
  assert.equal(pciValue("class", "0x030200\n"), "0302");
  assert.equal(pciValue("class", "0x0c0330\n"), "0c03");
  assert.equal(pciValue("class", "0x0604\n"), "0604");
  assert.equal(pciValue("vendor", "0x10de\n"), "10de");
  assert.equal(pciValue("sriov_totalvfs", "64\n"), "64");
  assert.equal(pciValue("iommu_group/type", "DMA-FQ\n"), "DMA-FQ");
});

test("pci.device: mandatory attributes, SR-IOV, IOMMU", async () => {
  const r = await onTree(pciSource, {
    ...dev("0000:17:00.0", basic("0x030200", "0x10de", "0x2330")),
    "sys/devices/pci0000:00/0000:17:00.0/iommu_group": { link: "../../../kernel/iommu_groups/42" },
    "sys/kernel/iommu_groups/42/type": "DMA\n",
    ...dev("0000:3b:00.0", { ...basic("0x020000", "0x8086", "0x1592"), sriov_totalvfs: "128\n" }),
    "sys/devices/pci0000:00/0000:3b:00.0/iommu": { link: "../../virtual/iommu/dmar0" },
    "sys/devices/virtual/iommu/dmar0/intel-iommu/version": "1:0\n",
    ...link("0000:17:00.0"),
    ...link("0000:3b:00.0"),
  });
  assert.deepEqual(plain(r.features.instances["pci.device"]?.elements), [
    {
      attributes: {
        class: "0302",
        vendor: "10de",
        device: "2330",
        subsystem_vendor: "10de",
        subsystem_device: "0001",
        "iommu_group/type": "DMA",
      },
    },
    {
      attributes: {
        class: "0200",
        vendor: "8086",
        device: "1592",
        subsystem_vendor: "8086",
        subsystem_device: "0001",
        sriov_totalvfs: "128",
        "iommu/intel-iommu/version": "1:0",
      },
    },
  ]);
});

test("pci.device: a device missing a mandatory attribute is skipped with a problem", async () => {
  const files = basic("0x060000", "0x8086", "0x29c0");
  const { subsystem_device: _gone, ...partial } = files;
  const r = await onTree(pciSource, {
    ...dev("0000:00:00.0", partial),
    ...dev("0000:00:01.0", basic("0x010802", "0x144d", "0xa808")),
    ...link("0000:00:00.0"),
    ...link("0000:00:01.0"),
  });
  assert.deepEqual(
    r.features.instances["pci.device"]?.elements.map((e) => e.attributes.class),
    ["0108"],
  );
  assert.match(
    r.problems[0]?.message ?? "",
    /skipping 0000:00:00\.0: cannot read \/\S+\/0000:00:00\.0\/subsystem_device: no such file/,
  );
});

test("pci.device: absolute device links resolve inside the host tree, never outside", async () => {
  const r = await onTree(pciSource, {
    ...dev("0000:00:02.0", basic("0x030000", "0x1234", "0x1111")),
    // Absolute: taken from the tree's root, not this machine's /sys.
    "sys/bus/pci/devices/0000:00:02.0": { link: "/sys/devices/pci0000:00/0000:00:02.0" },
    // Climbing far above the root stops at the root: this resolves to <root>/sys/devices/….
    "sys/bus/pci/devices/0000:00:09.0": {
      link: "../../../../../../../../../../../../sys/devices/pci0000:00/0000:00:02.0",
    },
    // Points at this machine's real /sys if followed naively: here it is missing.
    "sys/bus/pci/devices/0000:00:0a.0": { link: "/sys/bus/pci/devices/../../../../proc/self" },
  });
  const els = r.features.instances["pci.device"]?.elements ?? [];
  assert.deepEqual(
    els.map((e) => e.attributes.device),
    ["1111", "1111"],
  );
  assert.ok(r.problems.some((p) => p.message.includes("skipping 0000:00:0a.0")));
});

test("pci.device: no bus → feature absent, with a problem", async () => {
  const r = await onTree(pciSource, {});
  assert.equal(r.features.instances["pci.device"], undefined);
  assert.match(r.problems[0]?.message ?? "", /cannot list \/\S+\/sys\/bus\/pci\/devices/);
});
