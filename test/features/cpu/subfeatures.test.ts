import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuSource } from "../../../src/features/cpu/index.js";
import type { Features } from "../../../src/features/nodefeatures.js";
import { brandFrequencyMhz } from "../../../src/features/cpu/sst.js";
import { cpuDevices, fixture, makeHost, type Entry } from "./tree.js";

async function discover(entries: Record<string, Entry>, arch = "amd64") {
  const h = await makeHost(entries);
  try {
    return { f: await cpuSource.discover(h.ctx(arch)), warnings: h.warnings };
  } finally {
    await h.cleanup();
  }
}

const attrs = (f: Features, name: string): Record<string, string> | undefined => {
  const a = f.attributes[`cpu.${name}`];
  return a === undefined ? undefined : { ...a.elements };
};

const CPU = "/sys/devices/system/cpu";

test("topology: HT on, two sockets", async () => {
  const { f } = await discover(
    cpuDevices([
      { siblings: "0,2", pkg: "0" },
      { siblings: "1,3", pkg: "1" },
      { siblings: "0,2", pkg: "0" },
      { siblings: "1,3", pkg: "1" },
    ]),
  );
  assert.deepEqual(attrs(f, "topology"), { hardware_multithreading: "true", socket_count: "2" });
});

test("topology: HT off (ranges count as siblings too), one socket", async () => {
  const off = await discover(
    cpuDevices([
      { siblings: "0", pkg: "0" },
      { siblings: "1", pkg: "0" },
    ]),
  );
  assert.deepEqual(attrs(off.f, "topology"), {
    hardware_multithreading: "false",
    socket_count: "1",
  });
  const range = await discover(cpuDevices([{ siblings: "0-1", pkg: "0" }]));
  assert.equal(attrs(range.f, "topology")?.hardware_multithreading, "true");
});

test("topology: an unreadable CPU empties the feature, as in NFD", async () => {
  const entries = cpuDevices([
    { siblings: "0", pkg: "0" },
    { siblings: "1", pkg: "0" },
  ]);
  delete entries[`${CPU}/cpu1/topology/physical_package_id`];
  const { f, warnings } = await discover(entries);
  assert.deepEqual(attrs(f, "topology"), {});
  assert.ok(
    warnings.some((w) => w.includes("cpu1/topology")),
    warnings.join("\n"),
  );
});

test("pstate: active intel_pstate with turbo and one governor", async () => {
  const { f } = await discover({
    [`${CPU}/intel_pstate/status`]: "active\n",
    [`${CPU}/intel_pstate/no_turbo`]: "0\n",
    [`${CPU}/cpufreq/policy0/affected_cpus`]: "0\n",
    [`${CPU}/cpufreq/policy0/scaling_governor`]: "performance\n",
    [`${CPU}/cpufreq/policy1/affected_cpus`]: "1\n",
    [`${CPU}/cpufreq/policy1/scaling_governor`]: "performance\n",
    [`${CPU}/cpufreq/policy2/affected_cpus`]: "\n",
    [`${CPU}/cpufreq/policy2/scaling_governor`]: "powersave\n",
  });
  assert.deepEqual(attrs(f, "pstate"), {
    status: "active",
    turbo: "true",
    scaling_governor: "performance",
  });
});

test("pstate: governors disagree, passive mode, off, missing driver", async () => {
  const disagree = await discover({
    [`${CPU}/intel_pstate/status`]: "active\n",
    [`${CPU}/intel_pstate/no_turbo`]: "1\n",
    [`${CPU}/cpufreq/policy0/affected_cpus`]: "0\n",
    [`${CPU}/cpufreq/policy0/scaling_governor`]: "performance\n",
    [`${CPU}/cpufreq/policy1/affected_cpus`]: "1\n",
    [`${CPU}/cpufreq/policy1/scaling_governor`]: "powersave\n",
  });
  assert.deepEqual(attrs(disagree.f, "pstate"), { status: "active", turbo: "false" });
  const passive = await discover({
    [`${CPU}/intel_pstate/status`]: "passive\n",
    [`${CPU}/intel_pstate/no_turbo`]: "0\n",
    [`${CPU}/cpufreq/policy0/affected_cpus`]: "0\n",
    [`${CPU}/cpufreq/policy0/scaling_governor`]: "schedutil\n",
  });
  assert.deepEqual(attrs(passive.f, "pstate"), { status: "passive", turbo: "true" });
  const off = await discover({ [`${CPU}/intel_pstate/status`]: "off\n" });
  assert.deepEqual(attrs(off.f, "pstate"), {});
  const none = await discover({ [`${CPU}/online`]: "0-1\n" });
  assert.deepEqual(attrs(none.f, "pstate"), {}, "created empty without intel_pstate");
  const nosys = await discover({});
  assert.deepEqual(attrs(nosys.f, "pstate"), {}, "created empty even when sysfs is missing");
});

test("cstate: intel_idle, other driver, no cpuidle, errors", async () => {
  const on = await discover({
    [`${CPU}/cpuidle/current_driver`]: "intel_idle\n",
    "/sys/module/intel_idle/parameters/max_cstate": "9\n",
  });
  assert.deepEqual(attrs(on.f, "cstate"), { enabled: "true" });
  const zero = await discover({
    [`${CPU}/cpuidle/current_driver`]: "intel_idle\n",
    "/sys/module/intel_idle/parameters/max_cstate": "0\n",
  });
  assert.deepEqual(attrs(zero.f, "cstate"), { enabled: "false" });
  const other = await discover({ [`${CPU}/cpuidle/current_driver`]: "acpi_idle\n" });
  assert.deepEqual(attrs(other.f, "cstate"), {});
  const noIdle = await discover({ [`${CPU}/online`]: "0\n" });
  assert.deepEqual(attrs(noIdle.f, "cstate"), {});
  const bad = await discover({
    [`${CPU}/cpuidle/current_driver`]: "intel_idle\n",
    "/sys/module/intel_idle/parameters/max_cstate": "lots\n",
  });
  assert.equal(attrs(bad.f, "cstate"), undefined, "absent when detection fails");
  assert.ok(bad.warnings.some((w) => w.includes("max_cstate") && w.includes("lots")));
  assert.equal(attrs((await discover({})).f, "cstate"), undefined, "absent without sysfs");
});

test("sst: base frequency above the brand string's nominal frequency", async () => {
  const cpuinfo = await fixture("cpuinfo-intel-xeon-6338n.txt");
  const bf = await discover({
    "/proc/cpuinfo": cpuinfo,
    ...cpuDevices([
      { siblings: "0", pkg: "0", baseFreq: "2200000" },
      { siblings: "1", pkg: "0", baseFreq: "2600000" },
    ]),
  });
  assert.deepEqual(attrs(bf.f, "sst"), { "bf.enabled": "true" });
  const flat = await discover({
    "/proc/cpuinfo": cpuinfo,
    ...cpuDevices([{ siblings: "0", pkg: "0", baseFreq: "2200000" }]),
  });
  assert.deepEqual(attrs(flat.f, "sst"), {});
  const unknown = await discover({
    "/proc/cpuinfo": await fixture("cpuinfo-intel-xeon-8480.txt"),
    ...cpuDevices([{ siblings: "0", pkg: "0", baseFreq: "2600000" }]),
  });
  assert.deepEqual(attrs(unknown.f, "sst"), {});
  assert.ok(unknown.warnings.some((w) => w.includes("nominal base frequency unknown")));
  assert.equal(brandFrequencyMhz("Intel(R) Xeon(R) Gold 6252N CPU @ 2.30GHz"), 2300);
  assert.equal(brandFrequencyMhz("AMD EPYC 7763 64-Core Processor"), undefined);
});

test("rdt: Intel monitoring and allocation flags, resctrl closids", async () => {
  const { f } = await discover({
    "/proc/cpuinfo": await fixture("cpuinfo-intel-xeon-8480.txt"),
    "/sys/fs/resctrl/info/L3/num_closids": "16\n",
  });
  assert.deepEqual(attrs(f, "rdt"), {
    RDTMON: "true",
    RDTCMT: "true",
    RDTMBM: "true",
    RDTL3CA: "true",
    RDTL3CA_NUM_CLOSID: "15",
    RDTL2CA: "true",
    RDTMBA: "true",
  });
});

test("rdt: AMD mba is not leaf 0x10's, resctrl mounted elsewhere", async () => {
  const { f } = await discover({
    "/proc/cpuinfo": await fixture("cpuinfo-amd-epyc-7763.txt"),
    "/proc/self/mountinfo":
      "22 1 0:20 / /proc rw - proc proc rw\n40 22 0:35 / /mnt/rdt rw,relatime - resctrl resctrl rw\n",
    "/mnt/rdt/info/L3/num_closids": "16\n",
  });
  const rdt = attrs(f, "rdt");
  assert.equal(rdt?.RDTMBA, undefined);
  assert.equal(rdt?.RDTL3CA_NUM_CLOSID, "15");
  assert.equal(rdt?.RDTMON, "true");
  const vm = await discover({ "/proc/cpuinfo": await fixture("cpuinfo-firecracker-amd-zen5.txt") });
  assert.deepEqual(attrs(vm.f, "rdt"), {}, "created empty");
});

test("security: SEV host parameters and cgroup misc capacities", async () => {
  const { f } = await discover({
    "/proc/cpuinfo": await fixture("cpuinfo-amd-epyc-7763.txt"),
    "/sys/module/kvm_amd/parameters/sev": "Y\n",
    "/sys/module/kvm_amd/parameters/sev_es": "1\n",
    "/sys/module/kvm_amd/parameters/sev_snp": "N\n",
    "/sys/fs/cgroup/misc.capacity": "sev 410\nsev_es 99\n",
  });
  assert.deepEqual(attrs(f, "security"), {
    "sev.enabled": "true",
    "sev.asids": "410",
    "sev.es.enabled": "true",
    "sev.encrypted_state_ids": "99",
  });
});

test("security: TDX host and guest, SGX EPC from sysfs", async () => {
  const tdx = await discover({
    "/proc/cpuinfo": (await fixture("cpuinfo-intel-xeon-8480.txt")).replace(
      /^flags(.*)$/gm,
      "flags$1 sgx tdx_guest",
    ),
    "/sys/module/kvm_intel/parameters/tdx": "Y\n",
    "/sys/fs/cgroup/misc/misc.capacity": "tdx 63\n",
    "/sys/devices/system/node/node0/x86/sgx_total_bytes": "4194304\n",
    "/sys/devices/system/node/node1/x86/sgx_total_bytes": "4194304\n",
  });
  assert.deepEqual(attrs(tdx.f, "security"), {
    "sgx.enabled": "true",
    "sgx.epc": "8388608",
    "tdx.enabled": "true",
    "tdx.total_keys": "63",
    "tdx.protected": "true",
  });
  const no = await discover({
    "/proc/cpuinfo": await fixture("cpuinfo-intel-xeon-8480.txt"),
    "/sys/module/kvm_intel/parameters/tdx": "N\n",
  });
  assert.deepEqual(attrs(no.f, "security"), {});
});

test("security on s390x: Secure Execution host", async () => {
  const { f } = await discover({ "/sys/firmware/uv/prot_virt_host": "1\n" }, "s390x");
  assert.deepEqual(attrs(f, "security"), { "se.enabled": "true" });
});

test("coprocessor: nx_gzip on ppc64le only", async () => {
  const entries = { "/sys/devices/vio/ibm,compression-v1/nx_gzip_caps": "x\n" };
  assert.deepEqual(attrs((await discover(entries, "ppc64le")).f, "coprocessor"), {
    nx_gzip: "true",
  });
  assert.deepEqual(attrs((await discover(entries, "amd64")).f, "coprocessor"), {});
});
