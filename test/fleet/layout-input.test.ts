// audit offline, on OCI image layouts; and audit's bad input: a clear message naming the
// place, exit 2, nothing fetched.

import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { clientOpts, tempDir } from "../oci/util.js";
import { mapBounded } from "../../src/fleet/image-spec.js";
import { parseImageList } from "../../src/fleet/image-list.js";
import { featuresKey } from "../../src/fleet/groups.js";
import {
  ATOM_NODE,
  CPU,
  CPU_NODE,
  Layout,
  attach,
  features,
  fleetFile,
  userEnv,
  writeFile,
} from "./helpers.js";

// A proxy that does not exist: any network use would fail.
const env = { ...userEnv(), HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9" };

describe("audit on OCI layouts (offline)", () => {
  let dir: string;
  before(async () => {
    dir = join(tempDir("kompat-layout-"), "app");
    const layout = new Layout(dir);
    layout.image("cpu");
    layout.image("nospec");
    await attach(`oci-layout:${dir}:cpu`, CPU, clientOpts());
  });

  it("reads the specs from the layout", async () => {
    const nodes = fleetFile([
      ["cpu-1", CPU_NODE],
      ["atom-1", ATOM_NODE],
    ]);
    const r = await runCli(
      [
        "audit",
        "--features",
        nodes,
        "--images",
        `oci-layout:${dir}:cpu`,
        "--images",
        `oci-layout:${dir}:nospec`,
        "-o",
        "json",
      ],
      { env },
    );
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { cells: Array<{ group: string; state: string }> };
    assert.deepEqual(
      out.cells.map((c) => `${c.group}:${c.state}`),
      ["G1:compatible", "G2:incompatible", "G1:no-spec", "G2:no-spec"],
    );
  });
});

describe("audit: bad input", () => {
  const nodes = () => fleetFile([["cpu-1", CPU_NODE]]);
  const bad = async (argv: string[], message: RegExp, stdin?: string) => {
    const r = await runCli(argv, { env, ...(stdin !== undefined ? { stdin } : {}) });
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  };

  it("names the flag, the file and the line", async () => {
    await bad(
      ["audit", "--features", nodes()],
      /audit: give the images with --images REF, --images FILE or --images-from-cluster/,
    );
    await bad(
      ["audit", "--images", "a:1"],
      /audit: give the nodes with one of --features FILE or --cluster/,
    );
    await bad(
      ["audit", "--images", "a:1", "--features", nodes(), "-o", "pdf"],
      /-o pdf: expected text, json, yaml or html/,
    );
    await bad(
      ["audit", "--image", "a:1", "--features", nodes()],
      /the images are given with --images/,
    );
    const list = writeFile(
      "# builds\nregistry.example/app:1\nregistry.example/app:2 extra\n",
      "images.txt",
    );
    await bad(
      ["audit", "--images", list, "--features", nodes()],
      new RegExp(`${list}:3: expected one reference a line, got "registry.example/app:2 extra"`),
    );
    const badRef = writeFile("registry.example/app@sha256:zz\n", "refs.txt");
    await bad(
      ["audit", "--images", badRef, "--features", nodes()],
      new RegExp(`${badRef}:1: invalid reference "registry.example/app@sha256:zz"`),
    );
    const empty = writeFile("# nothing yet\n\n", "empty.txt");
    await bad(
      ["audit", "--images", empty, "--features", nodes()],
      /--images .*empty\.txt: the file lists no image/,
    );
    await bad(
      ["audit", "--images", "-", "--features", "-"],
      /only one of --images -, --features - can read stdin/,
    );
    const noNodes = writeFile("[]", "none.json");
    await bad(
      ["audit", "--images", "a:1", "--features", noNodes],
      /invalid features: .*none\.json holds no node/,
    );
    const broken = writeFile('{"n": {"flags": 3}}', "broken.json");
    await bad(
      ["audit", "--images", "a:1", "--features", broken],
      /invalid features: .*broken\.json:1:\d+: expected a map/,
    );
    await bad(
      ["audit", "--images", "a:1", "--features", "/nonexistent/f.json"],
      /cannot read features \/nonexistent\/f\.json: no such file/,
    );
  });

  it("an image list from stdin", async () => {
    const r = await runCli(["audit", "--images", "-", "--features", nodes(), "-o", "json"], {
      env,
      stdin: "oci-layout:/nonexistent/dir:1\n",
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /"state": "error"/);
  });
});

describe("fleet pieces", () => {
  it("text output shows control characters in node names instead of sending them", async () => {
    const { renderAuditText } = await import("../../src/cli/audit-render.js");
    const { style } = await import("../../src/cli/render.js");
    const { demoAudit } = await import("./demo.js");
    const audit = await demoAudit(3, 1);
    const g = audit.groups[0];
    if (g) g.nodes[0] = "evil\u001b]0;title\u0007";
    const text = renderAuditText(audit, style(false));
    assert.match(text, /evil\\x1b\]0;title\\x07/);
    assert.doesNotMatch(text, /\u001b/);
  });

  it("image lists: comments, blank lines, CRLF", () => {
    assert.deepEqual(
      parseImageList("# c\r\na:1 # first\r\n\r\n  b@sha256:" + "0".repeat(64) + "\n", "f"),
      ["a:1", "b@sha256:" + "0".repeat(64)],
    );
  });

  it("group keys: the named features decide, element order does not", () => {
    const a = features("a", CPU_NODE);
    const b = features("b", CPU_NODE);
    const names = ["cpu.cpuid", "kernel.version", "pci.device"];
    assert.equal(featuresKey(a, names), featuresKey(b, names));
    assert.notEqual(featuresKey(a, ["system.name"]), featuresKey(b, ["system.name"]));
    const reordered = features("c", CPU_NODE);
    reordered.flags["cpu.cpuid"] = { elements: { AVX2: {}, SSE42: {} } };
    assert.equal(featuresKey(a, names), featuresKey(reordered, names));
    // A feature present but empty is not a feature missing (DoesNotExist tells them apart).
    const empty = features("d", CPU_NODE);
    empty.flags["usb.device"] = { elements: {} };
    assert.notEqual(featuresKey(a, ["usb.device"]), featuresKey(empty, ["usb.device"]));
    // An attribute value cannot pass for another key.
    const x = features("x", CPU_NODE);
    const y = features("y", CPU_NODE);
    x.attributes["kernel.version"] = { elements: { a: "b", c: "d" } };
    y.attributes["kernel.version"] = { elements: { a: 'b","c', c: "d" } };
    assert.notEqual(featuresKey(x, names), featuresKey(y, names));
  });

  it("at most `limit` fetches in flight, results in order", async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => setImmediate(r));
      inFlight--;
      return n * 10;
    });
    assert.deepEqual(out, [10, 20, 30, 40, 50, 60, 70]);
    assert.equal(most, 3);
  });
});
