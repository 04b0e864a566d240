// This machine as ground truth: what kompat discovers agrees with independent tools
// (uname, the shell's reading of os-release, /proc/modules, lspci), and a capture of the
// live host exports exactly like the host itself. Nothing here assumes what the machine has.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { discover } from "../../src/features/discover.js";
import { HostRoot } from "../../src/features/hostroot.js";
import { captureHost } from "../../src/features/capture.js";
import { featuresToJson } from "../../src/features/snapshot-export.js";
import type { Features } from "../../src/features/nodefeatures.js";
import { removeTree } from "./tree.js";

const live = discover({ host: new HostRoot(), env: {} });

function has(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** cpu.cpuid from /dev/cpu/0/cpuid (live) can name more than /proc/cpuinfo (a copy). */
function cpuidDeviceUsable(): boolean {
  try {
    return statSync("/dev/cpu/0/cpuid").isCharacterDevice();
  } catch {
    return false;
  }
}

test("a capture of this machine exports the same features as the machine", async () => {
  const parent = await mkdtemp(join(tmpdir(), "kompat-live-"));
  try {
    const dest = join(parent, "host");
    const cap = await captureHost({ dest, env: {} });
    const copy = await discover({ host: new HostRoot({ root: dest }), env: {} });
    const a: Features = structuredClone(cap.features);
    const b: Features = structuredClone(copy.features);
    if (cpuidDeviceUsable()) {
      // The device cannot be copied: its leaves are, as a recording in its place.
      const recording = await readFile(join(dest, "dev/cpu/0/cpuid"), "utf8");
      assert.match(recording, /^# kompat CPUID recording v1/);
      assert.equal(
        copy.problems.find((p) => p.message.includes("CPUID not readable")),
        undefined,
      );
    }
    // cpu.cpuid included: the copy decodes the same leaves the live run read.
    assert.equal(featuresToJson(b), featuresToJson(a));
  } finally {
    await removeTree(parent);
  }
});

test("kernel.version.full agrees with uname -r", async () => {
  const { features } = await live;
  const uname = execFileSync("uname", ["-r"], { encoding: "utf8" }).trim();
  const sanitised = uname.replace(/[^-A-Za-z0-9_.]/g, "_").replace(/^[-_.]+|[-_.]+$/g, "");
  assert.equal(features.attributes["kernel.version"]?.elements.full, sanitised);
  const [major, minor] = uname.split(/[.-]/);
  assert.equal(features.attributes["kernel.version"]?.elements.major, major);
  assert.equal(features.attributes["kernel.version"]?.elements.minor, minor);
});

test("system.osrelease agrees with the shell's reading of /etc/os-release", async (t) => {
  if (!existsSync("/etc/os-release")) return t.skip("no /etc/os-release on this machine");
  const { features } = await live;
  const got = features.attributes["system.osrelease"]?.elements ?? {};
  for (const key of ["ID", "VERSION_ID", "NAME", "PRETTY_NAME", "VERSION_CODENAME"]) {
    const value = execFileSync("sh", ["-c", `. /etc/os-release; printf %s "\${${key}:-}"`], {
      encoding: "utf8",
    });
    if (value === "") assert.equal(got[key], undefined, key);
    else assert.equal(got[key], value, key);
  }
});

test("kernel.loadedmodule agrees with /proc/modules (absent when it is)", async () => {
  const { features } = await live;
  const loaded = features.flags["kernel.loadedmodule"];
  if (!existsSync("/proc/modules")) {
    assert.equal(loaded, undefined);
    return;
  }
  const names = readFileSync("/proc/modules", "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split(" ")[0]);
  assert.deepEqual(Object.keys(loaded?.elements ?? {}).sort(), [...new Set(names)].sort());
});

test("kernel.enabledmodule exists exactly when modules.builtin of the running kernel is readable", async () => {
  const { features } = await live;
  const release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  const builtin = `/lib/modules/${release}/modules.builtin`;
  assert.equal(features.flags["kernel.enabledmodule"] !== undefined, existsSync(builtin), builtin);
});

test("pci.device agrees with lspci -n for every device", async (t) => {
  if (!has("lspci"))
    return t.skip("lspci not installed (apt-get install pciutils): cannot compare");
  if (!existsSync("/sys/bus/pci/devices")) return t.skip("this machine has no PCI bus");
  const { features } = await live;
  const out = execFileSync("lspci", ["-vmm", "-n", "-D"], { encoding: "utf8" });
  const devices = out
    .trim()
    .split(/\n\s*\n/)
    .filter((b) => b.trim() !== "")
    .map((block) => {
      const f = new Map(
        block.split("\n").map((l) => {
          const i = l.indexOf(":");
          return [l.slice(0, i), l.slice(i + 1).trim()] as const;
        }),
      );
      return f;
    });
  const ours = features.instances["pci.device"]?.elements ?? [];
  assert.equal(ours.length, devices.length, "number of PCI devices");
  // Both list devices in address order.
  devices.forEach((d, i) => {
    const a = ours[i]?.attributes ?? {};
    const slot = d.get("Slot");
    assert.equal(a.class, d.get("Class"), `${slot} class`);
    assert.equal(a.vendor, d.get("Vendor"), `${slot} vendor`);
    assert.equal(a.device, d.get("Device"), `${slot} device`);
    // lspci leaves out a zero subsystem.
    assert.equal(a.subsystem_vendor, d.get("SVendor") ?? "0000", `${slot} subsystem_vendor`);
    assert.equal(a.subsystem_device, d.get("SDevice") ?? "0000", `${slot} subsystem_device`);
  });
});
