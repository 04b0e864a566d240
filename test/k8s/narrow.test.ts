// parseNarrowed against JSON.parse: the same object but for the features not named, on a
// real-shaped NodeFeature, pretty-printed or not, with the JSON corners a skip can trip on.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNarrowed } from "../../src/k8s/narrow.js";
import { exampleFeatures } from "./fixtures.js";

type Groups = Record<string, Record<string, unknown>>;

/** What JSON.parse gives, its feature groups cut down to `names` (lower case). */
function expected(text: string, names: Set<string>): unknown {
  const o = JSON.parse(text) as { spec: { features: Groups } };
  for (const g of Object.values(o.spec.features))
    for (const k of Object.keys(g)) if (!names.has(k.toLowerCase())) delete g[k];
  return o;
}

const object = (features: unknown) => ({
  apiVersion: "nfd.k8s-sigs.io/v1alpha1",
  kind: "NodeFeature",
  metadata: { name: "n1", namespace: "nfd", labels: { "nfd.node.kubernetes.io/node-name": "n1" } },
  spec: { features, labels: { a: "b" } },
});

test("a NodeFeature keeps only the named features, the rest as JSON.parse has it", () => {
  const features = exampleFeatures();
  const all = [
    ...Object.keys(features.flags ?? {}),
    ...Object.keys(features.attributes ?? {}),
    ...Object.keys(features.instances ?? {}),
  ];
  assert.ok(all.length > 10);
  const names = new Set(["kernel.loadedmodule", "CPU.CPUID".toLowerCase(), "pci.device"]);
  for (const text of [
    JSON.stringify(object(features)),
    JSON.stringify(object(features), null, 2),
  ]) {
    const got = parseNarrowed(text, names);
    assert.deepEqual(got, expected(text, names));
    const kept = (got as { spec: { features: Groups } }).spec.features;
    assert.ok(Object.keys(kept.flags ?? {}).length + Object.keys(kept.instances ?? {}).length > 0);
    assert.deepEqual(
      parseNarrowed(text, new Set(all.map((n) => n.toLowerCase()))),
      JSON.parse(text),
    );
  }
});

test("strings with quotes, backslashes and brackets, escaped keys and __proto__ are read as JSON.parse reads them", () => {
  const tricky = {
    flags: {
      "skip.me": { elements: { 'a"}]': 'x\\"{[', "b\\": "\\\\", c: [1, -2.5e3, true, null] } },
      "kEEp.me": { elements: { 'q"': "\u00fc \u65e5" } },
      "esc\u0041ped": { elements: {} },
    },
    attributes: { __proto__: { elements: { polluted: "no" } } },
    instances: {},
  };
  const text = JSON.stringify(object(tricky))
    .replace('"escAped"', '"esc\\u0041ped"')
    .replace('"attributes":{}', '"attributes":{"__proto__":{"elements":{"polluted":"no"}}}');
  const names = new Set(["keep.me", "escaped", "__proto__"]);
  const got = parseNarrowed(text, names) as { spec: { features: Groups } };
  assert.deepEqual(got, expected(text, names));
  assert.ok(Object.hasOwn(got.spec.features.flags ?? {}, "escAped"));
  assert.equal(Object.getPrototypeOf(got.spec.features.attributes), Object.prototype);
  assert.deepEqual(Object.keys(got.spec.features.attributes ?? {}), ["__proto__"]);
});

test("a spec or features that is not an object is kept as it is; what is not JSON throws", () => {
  const names = new Set(["x"]);
  for (const spec of ['"text"', "null", "[1,2]", '{"features":7}'])
    assert.deepEqual(parseNarrowed(`{"spec":${spec}}`, names), JSON.parse(`{"spec":${spec}}`));
  for (const bad of [
    '{"spec":{"features":{"flags":{"a":1 "b":2}}}}',
    '{"spec":{"features":{"flags":{"x":tru}}}}',
    '{"metadata":{"name":}}',
    '{"spec":{"features":{"flags":{"a":"open}}}}',
    '{"spec":{}} trailing',
    '{"spec" {}}',
  ])
    assert.throws(() => parseNarrowed(bad, names), SyntaxError, bad);
});
