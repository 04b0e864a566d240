import { test } from "node:test";
import assert from "node:assert/strict";
import { memorySource } from "../../src/features/memory/index.js";
import { canonicalKibibytes, hugepageSize } from "../../src/features/memory/hugepages.js";
import { onTree, plain } from "./tree.js";

const SWAPS_HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

test("hugepage sizes are Kubernetes quantities, as NFD names them", () => {
  const cases: Array<[string, string | undefined]> = [
    ["hugepages-2048kB", "2Mi"],
    ["hugepages-1048576kB", "1Gi"],
    ["hugepages-64kB", "64Ki"], // arm64 with 4k pages: contiguous-PTE size
    ["hugepages-32768kB", "32Mi"],
    ["hugepages-524288kB", "512Mi"], // arm64 with 64k pages
    ["hugepages-16777216kB", "16Gi"], // ppc64 / arm64 16G pages
    ["hugepages-1536kB", "1536Ki"], // not a power of two: stays in Ki
    ["hugepages-0kB", "0"],
    ["hugepages-kB", undefined],
    ["hugepages-twokB", undefined],
  ];
  for (const [name, want] of cases) assert.equal(hugepageSize(name), want, name);
  assert.equal(canonicalKibibytes(1024n * 1024n * 1024n), "1Ti");
});

test("memory.hugepages: totals per size, enabled when any pool is non-empty", async () => {
  const r = await onTree(memorySource, {
    "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "1024\n",
    "sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages": "0\n",
    "sys/kernel/mm/hugepages/stray-file": "x",
  });
  assert.deepEqual(plain(r.features.attributes["memory.hugepages"]?.elements), {
    enabled: "true",
    "hugepages-2Mi": "1024",
    "hugepages-1Gi": "0",
  });
});

test("memory.hugepages: all pools empty → enabled false; unreadable count → empty value", async () => {
  const r = await onTree(memorySource, {
    "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "0\n",
    "sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages": "0\n",
  });
  assert.deepEqual(plain(r.features.attributes["memory.hugepages"]?.elements), {
    enabled: "false",
    "hugepages-2Mi": "0",
    "hugepages-1Gi": "",
  });
  assert.ok(r.problems.some((p) => p.message.includes("hugepages-1048576kB/nr_hugepages")));
});

test("memory.hugepages: no hugepages directory → only enabled=false", async () => {
  const r = await onTree(memorySource, { "sys/kernel/mm": { dir: true } });
  assert.deepEqual(plain(r.features.attributes["memory.hugepages"]?.elements), {
    enabled: "false",
  });
});

test("memory.numa: node count and is_numa", async () => {
  const one = await onTree(memorySource, {
    "sys/devices/system/node/node0/cpulist": "0-3",
    "sys/bus/node/devices/node0": { link: "../../../devices/system/node/node0" },
  });
  assert.deepEqual(plain(one.features.attributes["memory.numa"]?.elements), {
    is_numa: "false",
    node_count: "1",
  });
  const two = await onTree(memorySource, {
    "sys/bus/node/devices/node0": { link: "../../../devices/system/node/node0" },
    "sys/bus/node/devices/node1": { link: "../../../devices/system/node/node1" },
  });
  assert.deepEqual(plain(two.features.attributes["memory.numa"]?.elements), {
    is_numa: "true",
    node_count: "2",
  });
  const none = await onTree(memorySource, {});
  assert.equal(none.features.attributes["memory.numa"], undefined);
  assert.ok(none.problems.some((p) => p.message.includes("/sys/bus/node/devices")));
});

test("memory.swap: a device listed after the header", async () => {
  const off = await onTree(memorySource, { "proc/swaps": SWAPS_HEADER });
  assert.equal(off.features.attributes["memory.swap"]?.elements.enabled, "false");
  const on = await onTree(memorySource, {
    "proc/swaps": `${SWAPS_HEADER}/dev/zram0   partition\t8388604\t\t0\t\t100\n\n`,
  });
  assert.equal(on.features.attributes["memory.swap"]?.elements.enabled, "true");
});

test("memory.nv: NVDIMM devices; always present", async () => {
  const none = await onTree(memorySource, {});
  assert.deepEqual(plain(none.features.instances["memory.nv"]), { elements: [] });
  const r = await onTree(memorySource, {
    "sys/devices/ndbus0/region0/devtype": "nd_pmem\n",
    "sys/devices/ndbus0/region0/mode": "fsdax\n",
    "sys/devices/ndbus0/dax0.0/devtype": "nd_dax\n",
    "sys/bus/nd/devices/region0": { link: "../../../devices/ndbus0/region0" },
    "sys/bus/nd/devices/dax0.0": { link: "../../../devices/ndbus0/dax0.0" },
  });
  assert.deepEqual(plain(r.features.instances["memory.nv"]?.elements), [
    { attributes: { name: "dax0.0", devtype: "nd_dax" } },
    { attributes: { name: "region0", devtype: "nd_pmem", mode: "fsdax" } },
  ]);
});
