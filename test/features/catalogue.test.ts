// The catalogue (spec/catalogue.ts) is what lint and discovery both read: every feature a
// source discovers must be in its entry, with the kind the entry says.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { discover } from "../../src/features/discover.js";
import { HostRoot } from "../../src/features/hostroot.js";
import { emptyFeatures } from "../../src/features/nodefeatures.js";
import {
  CATALOGUE,
  CATALOGUE_FEATURES,
  KNOWN_FEATURES,
  SOURCE_NAMES,
  catalogueEntries,
} from "../../src/spec/catalogue.js";
import { REPO } from "../helpers/cli.js";
import { runSources } from "../../src/features/discover.js";

const HOST = join(REPO, "test/fixtures/hosts/firecracker-debian12-amd64");

test("a captured host's features are all in the catalogue, under their source, with their kind", async () => {
  const { features } = await discover({
    host: new HostRoot({ root: HOST }),
    env: {},
    arch: "amd64",
  });
  const found: string[] = [];
  for (const kind of ["flags", "attributes", "instances"] as const) {
    for (const name of Object.keys(features[kind])) {
      found.push(name);
      const source = name.split(".")[0] as keyof typeof CATALOGUE;
      const entry = CATALOGUE[source].features.find((f) => f.name === name && f.kind === kind);
      assert.ok(entry, `${kind} ${name} is not in the catalogue entry of ${source}`);
    }
  }
  // The fixture exercises most of the catalogue.
  assert.ok(found.length >= 25, found.join(", "));
});

test("each source's always-present features appear when it finds nothing", async () => {
  for (const name of SOURCE_NAMES) {
    const stub = { name, discover: async () => emptyFeatures() };
    const r = await runSources([stub], { host: new HostRoot(), env: {}, arch: "amd64" }, 1000);
    const created = (["flags", "attributes", "instances"] as const).flatMap((k) =>
      Object.keys(r.features[k]).map((f) => `${k} ${f}`),
    );
    const want = CATALOGUE[name].features
      .filter((f) => f.always !== undefined)
      .map((f) => `${f.kind} ${f.name}`);
    assert.deepEqual(created.sort(), want.sort(), name);
  }
});

test("lint's known features are the catalogue's, plus rule.matched", () => {
  assert.deepEqual(
    [...KNOWN_FEATURES].sort(),
    [...new Set([...CATALOGUE_FEATURES.map((f) => f.name), "rule.matched"])].sort(),
  );
  assert.deepEqual(
    catalogueEntries("CPU.CPUID").map((f) => f.kind),
    ["flags", "attributes"],
  );
});
