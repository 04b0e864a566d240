import { test } from "node:test";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import {
  featuresToJson,
  featuresToYaml,
  goJsonString,
} from "../../src/features/snapshot-export.js";
import { emptyFeatures, newMap } from "../../src/features/nodefeatures.js";
import { parseSnapshots } from "../../src/features/snapshot.js";

function sample() {
  const f = emptyFeatures();
  f.instances["pci.device"] = {
    elements: [{ attributes: Object.assign(newMap<string>(), { vendor: "10de", class: "0302" }) }],
  };
  f.instances["memory.nv"] = { elements: [] };
  f.attributes["kernel.version"] = {
    elements: Object.assign(newMap<string>(), { minor: "8", major: "6" }),
  };
  f.attributes["local.label"] = { elements: newMap() };
  f.flags["kernel.loadedmodule"] = {
    elements: Object.assign(newMap<Record<string, never>>(), { vfio_pci: {}, kvm: {} }),
  };
  return f;
}

test("JSON: NFD's shape — field order flags/attributes/instances, sorted maps, 4 spaces", () => {
  const want = `{
    "flags": {
        "kernel.loadedmodule": {
            "elements": {
                "kvm": {},
                "vfio_pci": {}
            }
        }
    },
    "attributes": {
        "kernel.version": {
            "elements": {
                "major": "6",
                "minor": "8"
            }
        },
        "local.label": {
            "elements": {}
        }
    },
    "instances": {
        "memory.nv": {
            "elements": []
        },
        "pci.device": {
            "elements": [
                {
                    "attributes": {
                        "class": "0302",
                        "vendor": "10de"
                    }
                }
            ]
        }
    }
}`;
  assert.equal(featuresToJson(sample()), want);
  assert.equal(
    featuresToJson(emptyFeatures()),
    `{\n    "flags": {},\n    "attributes": {},\n    "instances": {}\n}`,
  );
});

test("JSON: strings escaped as Go does (HTML characters, U+2028), keys in byte order", () => {
  assert.equal(
    goJsonString('a<b>&"c"\\\n\u2028\u0001'),
    '"a\\u003cb\\u003e\\u0026\\"c\\"\\\\\\n\\u2028\\u0001"',
  );
  const f = emptyFeatures();
  // Integer-like keys keep byte order (a JS object would put "10" before "9" first).
  f.attributes["kernel.config"] = {
    elements: Object.assign(newMap<string>(), {
      b: "1",
      "10": "x",
      "9": "y",
      "\u{1F600}": "e",
      "\uFFFD": "r",
      A: "z",
    }),
  };
  const text = featuresToJson(f);
  const keys = [...text.matchAll(/^ {16}"(.*?)":/gm)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  assert.deepEqual(keys, ["10", "9", "A", "b", "\uFFFD", "\u{1F600}"]);
  assert.deepEqual(JSON.parse(text).attributes["kernel.config"].elements["10"], "x");
});

test("YAML: same content, values stay strings, readable back as a snapshot", () => {
  const f = sample();
  f.attributes["system.osrelease"] = {
    elements: Object.assign(newMap<string>(), {
      VERSION_ID: "24.04",
      "VERSION_ID.minor": "04",
      ID: "y",
    }),
  };
  const y = featuresToYaml(f);
  const back = parseYaml(y) as Record<string, unknown>;
  assert.deepEqual(Object.keys(back), ["flags", "attributes", "instances"]);
  assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(featuresToJson(f)));
  const snap = parseSnapshots(y, "x.yaml")[0];
  assert.equal(snap?.features.attributes["system.osrelease"]?.elements["VERSION_ID.minor"], "04");
});
