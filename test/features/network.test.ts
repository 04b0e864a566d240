import { test } from "node:test";
import assert from "node:assert/strict";
import { networkSource } from "../../src/features/network/index.js";
import { onTree, plain } from "./tree.js";

const PCI = "sys/devices/pci0000:00/0000:3b:00.0";

test("network: interfaces with a device link are physical, the rest virtual", async () => {
  const r = await onTree(networkSource, {
    [`${PCI}/sriov_totalvfs`]: "128\n",
    [`${PCI}/sriov_numvfs`]: "8\n",
    [`${PCI}/net/ens1f0/operstate`]: "up\n",
    [`${PCI}/net/ens1f0/speed`]: "100000\n",
    [`${PCI}/net/ens1f0/mtu`]: "9000\n",
    [`${PCI}/net/ens1f0/device`]: { link: "../../../0000:3b:00.0" },
    "sys/devices/virtual/net/lo/operstate": "unknown\n",
    "sys/devices/virtual/net/lo/mtu": "65536\n",
    // speed of a virtual link fails with EINVAL on a real host: here it is simply absent.
    "sys/devices/virtual/net/br0/operstate": "down\n",
    "sys/devices/virtual/net/br0/mtu": "1500\n",
    "sys/devices/virtual/net/br0/speed": "-1\n",
    "sys/class/net/ens1f0": { link: `../../devices/pci0000:00/0000:3b:00.0/net/ens1f0` },
    "sys/class/net/lo": { link: "../../devices/virtual/net/lo" },
    "sys/class/net/br0": { link: "../../devices/virtual/net/br0" },
    "sys/class/net/bonding_masters": "bond0\n",
  });
  assert.deepEqual(plain(r.features.instances["network.device"]?.elements), [
    {
      attributes: {
        name: "ens1f0",
        operstate: "up",
        speed: "100000",
        sriov_numvfs: "8",
        sriov_totalvfs: "128",
        mtu: "9000",
      },
    },
  ]);
  assert.deepEqual(plain(r.features.instances["network.virtual"]?.elements), [
    { attributes: { name: "br0", operstate: "down", speed: "-1", mtu: "1500" } },
    { attributes: { name: "lo", operstate: "unknown", mtu: "65536" } },
  ]);
});

test("network: a physical NIC without SR-IOV has no sriov attributes", async () => {
  const r = await onTree(networkSource, {
    "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/operstate": "up\n",
    "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/mtu": "1500\n",
    "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/device": { link: "../../../virtio2" },
    "sys/class/net/eth0": { link: "../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0" },
  });
  assert.deepEqual(plain(r.features.instances["network.device"]?.elements), [
    { attributes: { name: "eth0", operstate: "up", mtu: "1500" } },
  ]);
  assert.deepEqual(plain(r.features.instances["network.virtual"]?.elements), []);
});

test("network: a dangling device link counts as virtual (NFD stats it)", async () => {
  const r = await onTree(networkSource, {
    "sys/devices/virtual/net/x0/mtu": "1500\n",
    "sys/devices/virtual/net/x0/device": { link: "../../../nowhere" },
    "sys/class/net/x0": { link: "../../devices/virtual/net/x0" },
  });
  assert.equal(r.features.instances["network.device"]?.elements.length, 0);
  assert.equal(r.features.instances["network.virtual"]?.elements.length, 1);
});

test("network: no /sys/class/net → both features present and empty, with a problem", async () => {
  const r = await onTree(networkSource, {});
  assert.deepEqual(plain(r.features.instances["network.device"]), { elements: [] });
  assert.deepEqual(plain(r.features.instances["network.virtual"]), { elements: [] });
  assert.match(r.problems[0]?.message ?? "", /cannot list \/\S+\/sys\/class\/net: no such file/);
});
