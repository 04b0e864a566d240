import { test } from "node:test";
import assert from "node:assert/strict";
import { systemSource } from "../../src/features/system/index.js";
import { parseOsRelease } from "../../src/features/system/osrelease.js";
import { onTree, plain } from "./tree.js";

test("os-release: NFD's quoting rules (trim quotes, no unescaping, empty values skipped)", () => {
  const text = [
    'NAME="Ubuntu"',
    "ID=ubuntu",
    "ID_LIKE='debian'",
    'PRETTY_NAME="Ubuntu 24.04.1 LTS"',
    'VERSION_ID="24.04"',
    "MIXED=\"'odd'\"",
    'ESCAPED="say \\"hi\\""',
    "EMPTY=",
    'EMPTY_QUOTED=""',
    "# COMMENT=yes",
    "BAD KEY=x",
    "  INDENTED=x",
    "WINDOWS=crlf\r",
    "EQUALS=a=b",
    "lower_case=ok",
  ].join("\n");
  assert.deepEqual(plain(parseOsRelease(text)), {
    NAME: "Ubuntu",
    ID: "ubuntu",
    ID_LIKE: "debian",
    PRETTY_NAME: "Ubuntu 24.04.1 LTS",
    VERSION_ID: "24.04",
    "VERSION_ID.major": "24",
    "VERSION_ID.minor": "04",
    MIXED: "odd",
    ESCAPED: 'say \\"hi\\',
    // `""` matches `.+` and trims to "": NFD keeps it.
    EMPTY_QUOTED: "",
    WINDOWS: "crlf",
    EQUALS: "a=b",
    lower_case: "ok",
  });
});

test("os-release: VERSION_ID.major / .minor only when numeric parts exist", () => {
  const v = (id: string) => {
    const r = plain(parseOsRelease(`VERSION_ID=${id}\n`));
    return [r["VERSION_ID.major"], r["VERSION_ID.minor"]];
  };
  assert.deepEqual(v("12"), ["12", undefined]);
  assert.deepEqual(v('"9.4"'), ["9", "4"]);
  assert.deepEqual(v("15.5.1"), ["15", "5"]);
  assert.deepEqual(v("3.20.3"), ["3", "20"]);
  // The minor part must be followed by "." or the end: here it falls into the tail.
  assert.deepEqual(v("2024.1-beta"), ["2024", undefined]);
  assert.deepEqual(v("v1.2"), [undefined, undefined]);
  assert.deepEqual(v("rolling"), [undefined, undefined]);
  assert.deepEqual(v("8.x"), ["8", undefined]);
});

test("system source: os-release via a symlink, dmiid, name from /etc/hostname", async () => {
  const r = await onTree(systemSource, {
    "usr/lib/os-release": 'ID=debian\nVERSION_ID="12"\n',
    "etc/os-release": { link: "../usr/lib/os-release" },
    "etc/hostname": "# set by installer\nnode-7\n",
    "sys/devices/virtual/dmi/id/sys_vendor": "QEMU\n",
    "sys/devices/virtual/dmi/id/product_name": "Standard PC (Q35 + ICH9, 2009)\n",
    "sys/devices/virtual/dmi/id/product_serial": "secret\n",
  });
  assert.deepEqual(plain(r.features.attributes["system.osrelease"]?.elements), {
    ID: "debian",
    VERSION_ID: "12",
    "VERSION_ID.major": "12",
  });
  assert.deepEqual(plain(r.features.attributes["system.dmiid"]?.elements), {
    sys_vendor: "QEMU",
    product_name: "Standard PC (Q35 + ICH9, 2009)",
  });
  assert.deepEqual(plain(r.features.attributes["system.name"]?.elements), { nodename: "node-7" });
});

test("system.name: NODE_NAME wins; nothing known → empty; no os-release → absent", async () => {
  const r = await onTree(
    systemSource,
    { "etc/hostname": "h1\n" },
    { env: { NODE_NAME: "k8s-node-1" } },
  );
  assert.equal(r.features.attributes["system.name"]?.elements.nodename, "k8s-node-1");
  const none = await onTree(systemSource, {});
  assert.equal(none.features.attributes["system.name"]?.elements.nodename, "");
  assert.equal(none.features.attributes["system.osrelease"], undefined);
  assert.equal(none.features.attributes["system.dmiid"], undefined);
  assert.match(none.problems[0]?.message ?? "", /cannot read \/\S+\/etc\/os-release: no such file/);
});
