import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  InvalidPlatformError,
  formatPlatform,
  hostPlatform,
  matchPlatform,
  parsePlatform,
  toDescriptorPlatform,
} from "../../src/oci/platform.js";
import { goArch } from "../../src/lib/go/arch.js";

describe("parsePlatform", () => {
  const cases: [string, object][] = [
    ["linux/amd64", { os: "linux", architecture: "amd64" }],
    ["linux/arm64/v8", { os: "linux", architecture: "arm64", variant: "v8" }],
    ["linux/arm/v7", { os: "linux", architecture: "arm", variant: "v7" }],
    ["linux", { os: "linux", architecture: "riscv64" }],
    [
      "windows/amd64:10.0.17763.1234",
      { os: "windows", architecture: "amd64", osVersion: "10.0.17763.1234" },
    ],
    ["windows:10.0", { os: "windows", architecture: "riscv64", osVersion: "10.0" }],
    // Like NFD: everything after the first ":" is the OS version, an empty variant is none.
    ["linux/amd64:a:b", { os: "linux", architecture: "amd64", osVersion: "a:b" }],
    ["linux/amd64/", { os: "linux", architecture: "amd64" }],
    ["linux/amd64:", { os: "linux", architecture: "amd64" }],
    // As containerd: a lone architecture takes the host's OS; aliases are normalised.
    ["amd64", { os: "plan9", architecture: "amd64" }],
    ["x86_64", { os: "plan9", architecture: "amd64" }],
    ["arm64:1", { os: "plan9", architecture: "arm64", osVersion: "1" }],
    ["linux/x86_64", { os: "linux", architecture: "amd64" }],
    ["Linux/AMD64", { os: "linux", architecture: "amd64" }],
    ["linux/aarch64", { os: "linux", architecture: "arm64" }],
    ["linux/aarch64/8", { os: "linux", architecture: "arm64", variant: "v8" }],
    ["linux/armhf", { os: "linux", architecture: "arm", variant: "v7" }],
    ["linux/armel", { os: "linux", architecture: "arm", variant: "v6" }],
    ["linux/arm/7", { os: "linux", architecture: "arm", variant: "v7" }],
    ["linux/arm", { os: "linux", architecture: "arm" }],
    ["linux/i386", { os: "linux", architecture: "386" }],
    ["macos/arm64", { os: "darwin", architecture: "arm64" }],
    // A known OS alone stays an OS; an unknown name is read as NFD reads it, an OS.
    ["windows", { os: "windows", architecture: "riscv64" }],
    ["haiku", { os: "haiku", architecture: "riscv64" }],
  ];
  for (const [input, want] of cases) {
    it(input, () => assert.deepEqual(parsePlatform(input, "riscv64", "plan9"), want));
  }

  const bad: [string, string][] = [
    ["", "the OS is empty"],
    ["/amd64", "the OS is empty"],
    ["linux/", "the architecture is empty"],
    ["linux//v7", "the architecture is empty"],
    ["linux/arm/v7/x", "expected os[/arch[/variant]][:os_version]"],
  ];
  for (const [input, fragment] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parsePlatform(input, "amd64"),
        (e: unknown) =>
          e instanceof InvalidPlatformError &&
          e.message === `invalid platform ${JSON.stringify(input)}: ${fragment}`,
      );
    });
  }

  it("defaults the architecture to this machine's", () => {
    assert.equal(parsePlatform("linux").architecture, hostPlatform().architecture);
  });
});

describe("host platform", () => {
  it("maps Node's architecture names to OCI's", () => {
    const table: Record<string, string> = {
      x64: "amd64",
      arm64: "arm64",
      arm: "arm",
      ia32: "386",
      ppc64: "ppc64le",
      s390x: "s390x",
      riscv64: "riscv64",
      loong64: "loong64",
    };
    for (const [node, oci] of Object.entries(table)) assert.equal(goArch(node, true), oci);
    assert.equal(goArch("ppc64", false), "ppc64");
    assert.equal(goArch("mips", false), "mips");
    assert.equal(goArch("mipsel", true), "mipsle");
    assert.equal(goArch("mips64el", true), "mips64le");
    assert.deepEqual(hostPlatform("x64", "linux"), { os: "linux", architecture: "amd64" });
    assert.deepEqual(hostPlatform("arm64", "linux"), { os: "linux", architecture: "arm64" });
    assert.equal(hostPlatform("x64", "win32").os, "windows");
  });
});

describe("matchPlatform", () => {
  const entry = { os: "linux", architecture: "arm", variant: "v7", "os.version": "5" };
  it("is exact on every field the target sets", () => {
    assert.equal(matchPlatform({ os: "linux", architecture: "arm" }, entry), true);
    assert.equal(matchPlatform({ os: "linux", architecture: "arm", variant: "v7" }, entry), true);
    assert.equal(matchPlatform({ os: "linux", architecture: "arm", variant: "v6" }, entry), false);
    assert.equal(matchPlatform({ os: "linux", architecture: "arm", osVersion: "5" }, entry), true);
    assert.equal(matchPlatform({ os: "linux", architecture: "arm", osVersion: "6" }, entry), false);
    assert.equal(matchPlatform({ os: "linux", architecture: "arm64" }, entry), false);
    assert.equal(matchPlatform({ os: "windows", architecture: "arm" }, entry), false);
  });
  it("does not match an entry without platform or without the variant asked for", () => {
    assert.equal(matchPlatform({ os: "linux", architecture: "amd64" }, undefined), false);
    assert.equal(
      matchPlatform(
        { os: "linux", architecture: "arm64", variant: "v8" },
        { os: "linux", architecture: "arm64" },
      ),
      false,
    );
  });
  it("formats and converts back", () => {
    const p = parsePlatform("linux/arm/v7:5", "amd64");
    assert.equal(formatPlatform(p), "linux/arm/v7:5");
    assert.equal(matchPlatform(p, toDescriptorPlatform(p)), true);
  });
});
