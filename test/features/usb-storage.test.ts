import { test } from "node:test";
import assert from "node:assert/strict";
import { usbSource } from "../../src/features/usb/index.js";
import { storageSource } from "../../src/features/storage/index.js";
import { onTree, plain } from "./tree.js";

const USB = "sys/devices/pci0000:00/0000:00:14.0/usb1";

test("usb.device: device-level class as is; class 00 expands per interface", async () => {
  const r = await onTree(usbSource, {
    // A hub (class 09): one instance.
    [`${USB}/bDeviceClass`]: "09\n",
    [`${USB}/idVendor`]: "1d6b\n",
    [`${USB}/idProduct`]: "0002\n",
    [`${USB}/serial`]: "0000:00:14.0\n",
    // A composite device (class 00): video + audio + audio interfaces, no serial.
    [`${USB}/1-3/bDeviceClass`]: "00\n",
    [`${USB}/1-3/idVendor`]: "046d\n",
    [`${USB}/1-3/idProduct`]: "085e\n",
    [`${USB}/1-3/serial`]: "\n",
    [`${USB}/1-3/1-3:1.0/bInterfaceClass`]: "0e\n",
    [`${USB}/1-3/1-3:1.1/bInterfaceClass`]: "01\n",
    [`${USB}/1-3/1-3:1.2/bInterfaceClass`]: "01\n",
    // Class 00 without interfaces: nothing.
    [`${USB}/1-4/bDeviceClass`]: "00\n",
    [`${USB}/1-4/idVendor`]: "abcd\n",
    [`${USB}/1-4/idProduct`]: "0001\n",
    // An interface entry (no idProduct): not a device.
    "sys/bus/usb/devices/1-3:1.0": {
      link: `../../../devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0`,
    },
    "sys/bus/usb/devices/1-3": { link: `../../../devices/pci0000:00/0000:00:14.0/usb1/1-3` },
    "sys/bus/usb/devices/1-4": { link: `../../../devices/pci0000:00/0000:00:14.0/usb1/1-4` },
    "sys/bus/usb/devices/usb1": { link: `../../../devices/pci0000:00/0000:00:14.0/usb1` },
  });
  assert.deepEqual(plain(r.features.instances["usb.device"]?.elements), [
    { attributes: { class: "0e", vendor: "046d", device: "085e" } },
    { attributes: { class: "01", vendor: "046d", device: "085e" } },
    { attributes: { class: "01", vendor: "046d", device: "085e" } },
    { attributes: { class: "09", vendor: "1d6b", device: "0002", serial: "0000:00:14.0" } },
  ]);
});

test("usb.device: no USB bus → present and empty", async () => {
  const r = await onTree(usbSource, {});
  assert.deepEqual(plain(r.features.instances["usb.device"]), { elements: [] });
});

test("storage.block: queue properties, each only when readable", async () => {
  const r = await onTree(storageSource, {
    "sys/devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/queue/rotational": "0\n",
    "sys/devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/queue/dax": "0\n",
    "sys/devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/queue/nr_zones": "0\n",
    "sys/devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/queue/zoned": "none\n",
    "sys/devices/virtual/block/loop0/queue/rotational": "1\n",
    "sys/block/nvme0n1": { link: "../devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1" },
    "sys/block/loop0": { link: "../devices/virtual/block/loop0" },
  });
  assert.deepEqual(plain(r.features.instances["storage.block"]?.elements), [
    { attributes: { name: "loop0", rotational: "1" } },
    { attributes: { name: "nvme0n1", dax: "0", rotational: "0", nr_zones: "0", zoned: "none" } },
  ]);
});

test("storage.block: no /sys/block → absent, with a problem", async () => {
  const r = await onTree(storageSource, {});
  assert.equal(r.features.instances["storage.block"], undefined);
  assert.match(r.problems[0]?.message ?? "", /cannot list \/\S+\/sys\/block/);
});
