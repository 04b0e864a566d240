// A real host captured with `kompat capture-host` (this project's Firecracker CI VM,
// Debian 12, kernel 6.18, virtio devices) and the export expected from it. Both are
// committed; regenerate after an intended change with:
//   kompat capture-host --force test/fixtures/hosts/<name> &&
//   kompat export features --host-root test/fixtures/hosts/<name> --sources=-cpu > <name>.no-cpu.json
// (The cpu source is left out of the expected file: its own tests own its fixtures.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO, runCli } from "../helpers/cli.js";
import { parseSnapshots } from "../../src/features/snapshot.js";
import { featuresToJson } from "../../src/features/snapshot-export.js";

const HOSTS = join(REPO, "test/fixtures/hosts");

for (const name of ["firecracker-debian12-amd64"]) {
  test(`captured host ${name}: export matches the committed expectation`, async () => {
    const want = await readFile(join(HOSTS, `${name}.no-cpu.json`), "utf8");
    const r = await runCli(
      ["export", "features", "--host-root", join(HOSTS, name), "--sources=-cpu"],
      {
        env: {},
      },
    );
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(r.stdout, want);
  });

  test(`captured host ${name}: YAML export reads back as the same snapshot`, async () => {
    const args = ["export", "features", "--host-root", join(HOSTS, name), "--sources=-cpu"];
    const json = await runCli(args, { env: {} });
    const yaml = await runCli([...args, "-o", "yaml"], { env: {} });
    assert.equal(yaml.code, 0, yaml.stderr);
    const a = parseSnapshots(json.stdout, "json")[0]?.features;
    const b = parseSnapshots(yaml.stdout, "yaml")[0]?.features;
    assert.ok(a && b);
    assert.equal(featuresToJson(b), featuresToJson(a));
  });

  test(`captured host ${name}: the cpu source runs on it too`, async () => {
    const r = await runCli(
      ["export", "features", "--host-root", join(HOSTS, name), "--sources", "cpu"],
      {
        env: {},
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const f = JSON.parse(r.stdout) as { attributes: Record<string, unknown> };
    assert.ok(f.attributes["cpu.model"], "cpu.model from the captured /proc/cpuinfo");
  });
}
