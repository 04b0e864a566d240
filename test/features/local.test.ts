import { test } from "node:test";
import assert from "node:assert/strict";
import { localSource } from "../../src/features/local/index.js";
import { parseFeatureFile, parseRfc3339 } from "../../src/features/local/parse.js";
import { onTree, plain } from "./tree.js";

const DIR = "etc/kubernetes/node-feature-discovery/features.d";
const NOW = Date.parse("2026-06-01T00:00:00Z");

test("feature files: key=value, bare key = true, comments, trimming", () => {
  const r = parseFeatureFile("# a comment\n  gpu.model = a100 \nfast\n\nx=\n=orphan\nk=v=w\n", NOW);
  assert.deepEqual(plain(r.features), {
    "gpu.model ": " a100",
    fast: "true",
    x: "",
    "": "orphan",
    k: "v=w",
  });
  assert.deepEqual(plain(r.labels), plain(r.features));
  assert.deepEqual(r.problems, []);
});

test("feature files: no-feature / no-label apply to the next key only", () => {
  const r = parseFeatureFile(
    [
      "a=1",
      "# +no-feature",
      "a=2",
      "b=1",
      "# +no-label",
      "c=1",
      "# +no-feature",
      "# +no-label",
      "d=1",
    ].join("\n"),
    NOW,
  );
  // a=2 removes an earlier a from the features (NFD deletes the key), labels get a=2.
  assert.deepEqual(plain(r.features), { b: "1", c: "1" });
  assert.deepEqual(plain(r.labels), { a: "2", b: "1" });
});

test("feature files: expiry-time applies to all following lines", () => {
  const r = parseFeatureFile(
    [
      "early=1",
      "# +expiry-time=2030-01-01T00:00:00Z",
      "fresh=1",
      "# +expiry-time=2020-01-01T00:00:00+02:00",
      "# +no-feature",
      "stale=1",
      "also_stale",
      "# +expiry-time=2026-06-01T00:00:01.5Z",
      // The pending no-feature was not consumed by the expired lines.
      "late=1",
    ].join("\n"),
    NOW,
  );
  assert.deepEqual(plain(r.features), { early: "1", fresh: "1" });
  assert.deepEqual(plain(r.labels), { early: "1", fresh: "1", late: "1" });
});

test("feature files: bad directives are reported and ignored", () => {
  const r = parseFeatureFile(
    "# +expiry-time\n# +expiry-time=tomorrow\n# +frobnicate\n#+no-feature\n# + no-label\nk=v\n",
    NOW,
  );
  assert.deepEqual(plain(r.features), { k: "v" });
  assert.deepEqual(plain(r.labels), { k: "v" });
  assert.equal(r.problems.length, 4, r.problems.join("\n"));
  assert.match(r.problems[0] ?? "", /expiry-time=value/);
  assert.match(r.problems[1] ?? "", /"tomorrow": not RFC 3339/);
  assert.match(r.problems[2] ?? "", /unknown directive "frobnicate"/);
  assert.match(r.problems[3] ?? "", /unknown directive " no-label"/);
});

test("RFC 3339 as Go parses it", () => {
  assert.equal(parseRfc3339("2026-06-01T00:00:00Z"), NOW);
  assert.equal(parseRfc3339("2026-06-01T02:00:00+02:00"), NOW);
  assert.equal(parseRfc3339("2026-06-01T00:00:00.250Z"), NOW + 250);
  for (const bad of [
    "2026-06-01",
    "2026-06-01 00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-06-01T24:00:00Z",
    "2026-06-01t00:00:00z",
  ])
    assert.equal(parseRfc3339(bad), undefined, bad);
});

test("local source: files in name order, later overrides, hidden and big files skipped", async () => {
  const r = await onTree(localSource, {
    [`${DIR}/10-base`]: "vendor=acme\nzone=a\n# +no-label\ninternal=1\n",
    [`${DIR}/20-override`]: "zone=b\n",
    [`${DIR}/.hidden`]: "secret=1\n",
    [`${DIR}/30-big`]: `huge=1\n${"#".repeat(70_000)}\n`,
    [`${DIR}/40-dir`]: { dir: true },
    [`${DIR}/50-link`]: { link: "10-base" },
  });
  assert.deepEqual(plain(r.features.attributes["local.feature"]?.elements), {
    vendor: "acme",
    zone: "a",
    internal: "1",
  });
  assert.deepEqual(plain(r.features.attributes["local.label"]?.elements), {
    vendor: "acme",
    zone: "a",
  });
  assert.ok(
    r.problems.some((p) => /30-big: 70008 bytes > 65536/.test(p.message)),
    JSON.stringify(r.problems),
  );
});

test("local source: no features.d → both features present and empty, no problem", async () => {
  const r = await onTree(localSource, {});
  assert.deepEqual(plain(r.features.attributes["local.feature"]), { elements: {} });
  assert.deepEqual(plain(r.features.attributes["local.label"]), { elements: {} });
  assert.deepEqual(r.problems, []);
});
