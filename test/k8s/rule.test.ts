// cluster label: the NodeFeatureRule, its fields against NFD's CRD, and the equivalence
// with validate-node: evaluated as nfd-master evaluates it (test/k8s/nfd-master.ts), on
// every node fixture the tests have, its labels are exactly validate-node's matching sets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { REPO, runCli } from "../helpers/cli.js";
import { loadSpec, evaluate } from "../../src/rules/index.js";
import { parseSnapshots, type NodeSnapshot } from "../../src/features/snapshot.js";
import {
  labelKeyProblem,
  nfdAllowsLabel,
  nodeFeatureRuleFor,
  type NodeFeatureRule,
} from "../../src/k8s/index.js";
import type { Spec } from "../../src/spec/model.js";
import { VALID } from "../spec/corpus.js";
import { nfdMasterLabels } from "./nfd-master.js";
import { exampleFeatures, incompatible, withoutNvidia, SPEC } from "./fixtures.js";

const SUBJECT = "sha256:" + "ab12".repeat(16);
const crd = JSON.parse(
  readFileSync(join(REPO, "test/k8s/fixtures/nodefeaturerule-crd.json"), "utf8"),
) as {
  schema: object;
  scope: string;
};
const checkCrd = new Ajv({ allErrors: true }).compile(crd.schema);

function spec(text: string): Spec {
  const s = loadSpec(text).spec;
  assert.ok(s, text);
  return s;
}

/** Specs that exercise what the rewrite must get right. */
const TRICKY: Record<string, string> = {
  "vars and backreferences, a name other rules also use": `version: v1alpha1
compatibilities:
- rules:
  - name: publish
    vars: {has_gpu: "true", gen: "9"}
    matchFeatures: [{feature: cpu.model, matchExpressions: {vendor_id: {op: In, value: [Intel, AMD]}}}]
  - name: read
    matchFeatures: [{feature: rule.matched, matchExpressions: {has_gpu: {op: IsTrue}, gen: {op: Gt, value: ["5"]}}}]
  - name: absent var
    matchFeatures: [{feature: rule.matched, matchExpressions: {never_set: {op: DoesNotExist}}}]
- weight: 5
  rules:
  - name: first rule reads rule.matched (nothing published yet)
    matchFeatures:
    - {feature: rule.matched, matchExpressions: {has_gpu: {op: DoesNotExist}}}
    - {feature: kernel.version, matchExpressions: {major: {op: Ge, value: ["5"]}}}
- rules:
  - name: can never match
    matchFeatures: [{feature: rule.matched, matchExpressions: {has_gpu: {op: Exists}}}]
`,
  "matchAny, empty op next to another expression, several sets": `version: v1alpha1
compatibilities:
- rules:
  - name: any
    matchAny:
    - matchFeatures: [{feature: system.osrelease, matchExpressions: {ID: {op: In, value: [rhel]}}}]
    - matchFeatures: [{feature: system.osrelease, matchExpressions: {ID: {op: In, value: [ubuntu, debian]}, VERSION_ID: {op: ""}}}]
  - name: then
    matchAny:
    - matchFeatures: [{feature: kernel.loadedmodule, matchExpressions: {nvidia: {op: Exists}}}]
    - matchFeatures: [{feature: kernel.loadedmodule, matchExpressions: {vfio_pci: {op: Exists}}}]
- tag: x
  rules: [{name: always}]
- description: a later rule that holds where an earlier one fails
  rules:
  - {name: module, matchFeatures: [{feature: kernel.loadedmodule, matchExpressions: {nvidia: {op: Exists}}}]}
  - {name: os, matchFeatures: [{feature: system.osrelease, matchExpressions: {ID: {op: In, value: [ubuntu, debian, alpine]}}}]}
`,
};

function allSpecs(): Array<[string, Spec]> {
  const out: Array<[string, Spec]> = [
    ["examples/compat-spec.yaml", spec(readFileSync(SPEC, "utf8"))],
  ];
  for (const [n, t] of Object.entries(TRICKY)) out.push([n, spec(t)]);
  for (const e of VALID) {
    const s = loadSpec(e.text).spec;
    if (!s) continue;
    try {
      nodeFeatureRuleFor(s, { subjectDigest: SUBJECT, specDigest: SUBJECT });
      out.push([`corpus: ${e.name}`, s]);
    } catch {
      // refused specs are tested below
    }
  }
  return out;
}

function allNodes(): NodeSnapshot[] {
  const nodes: NodeSnapshot[] = [];
  const add = (name: string, text: string) =>
    nodes.push(...parseSnapshots(text, name).map((n) => ({ ...n, name: `${name}:${n.name}` })));
  add("example", JSON.stringify(exampleFeatures()));
  add("without-nvidia", JSON.stringify(withoutNvidia()));
  add("incompatible", JSON.stringify(incompatible()));
  add("empty", JSON.stringify({ flags: {}, attributes: {}, instances: {} }));
  const hosts = join(REPO, "test/fixtures/hosts");
  for (const f of readdirSync(hosts).filter((f) => f.endsWith(".json")))
    add(f, readFileSync(join(hosts, f), "utf8"));
  // Variations the specs above care about.
  const old = exampleFeatures();
  const kv = old.attributes["kernel.version"];
  if (kv) kv.elements = { full: "4.19.0", major: "4", minor: "19", revision: "0" };
  add("old-kernel", JSON.stringify(old));
  const rhel = withoutNvidia();
  const os = rhel.attributes["system.osrelease"];
  if (os) os.elements = { ID: "rhel", VERSION_ID: "9.4", "VERSION_ID.major": "9" };
  const vfio = rhel.flags["kernel.loadedmodule"];
  if (vfio) vfio.elements["vfio_pci"] = {};
  add("rhel-vfio", JSON.stringify(rhel));
  const amd = exampleFeatures();
  const cm = amd.attributes["cpu.model"];
  if (cm) cm.elements["vendor_id"] = "AMD";
  add("amd", JSON.stringify(amd));
  return nodes;
}

test("the NodeFeatureRule's fields are those of NFD's CRD; label keys pass Kubernetes' syntax and nfd-master's policy", () => {
  for (const [name, s] of allSpecs()) {
    const { rule, labels } = nodeFeatureRuleFor(s, {
      subjectDigest: SUBJECT,
      specDigest: SUBJECT,
      image: "r.example/app:1",
    });
    assert.ok(checkCrd(rule), `${name}: ${JSON.stringify(checkCrd.errors)}`);
    assert.equal(rule.metadata.name, `kompat-${"ab12".repeat(16)}`);
    assert.ok(rule.metadata.name.length <= 253);
    for (const key of labels.values()) {
      assert.equal(labelKeyProblem(key), undefined, key);
      assert.ok(nfdAllowsLabel(key), key);
      assert.match(key, /^kompat\.feature\.node\.kubernetes\.io\/ab12ab12ab12-set\d+$/);
    }
  }
  assert.equal(crd.scope, "Cluster");
  // The checker does catch what the CRD would not take.
  assert.equal(
    checkCrd({
      spec: {
        rules: [
          { name: "x", matchFeatures: [{ feature: "a", matchExpressions: { b: { op: "" } } }] },
        ],
      },
    }),
    false,
  );
  assert.equal(checkCrd({ spec: { rules: [{ name: "x", labelz: {} }] } }), false);
});

test("nfd-master's evaluation of the rule labels exactly the sets validate-node matches, on every node fixture", () => {
  const nodes = allNodes();
  let compared = 0;
  let labelled = 0;
  for (const [name, s] of allSpecs()) {
    const { rule, labels } = nodeFeatureRuleFor(s, { subjectDigest: SUBJECT, specDigest: SUBJECT });
    // Another NodeFeatureRule sorted earlier published vars of the same names as the spec's.
    const other: NodeFeatureRule = {
      apiVersion: "nfd.k8s-sigs.io/v1alpha1",
      kind: "NodeFeatureRule",
      metadata: { name: "aaa-other", labels: {}, annotations: {} },
      spec: {
        rules: [
          {
            name: "other",
            vars: { has_gpu: "false", gen: "1", never_set: "x" },
            labels: { "vendor.example/x": "1" },
          },
        ],
      },
    };
    for (const node of nodes) {
      const report = evaluate(s, node.features);
      for (const before of [undefined, { has_gpu: "true" }]) {
        const got = nfdMasterLabels(before ? [rule] : [rule, other], node.features, before);
        for (const [n, key] of labels) {
          const set = report.sets.find((x) => x.index === n - 1);
          assert.equal(
            got[key] === "true",
            set?.isMatch === true,
            `${name}, ${node.name}, set ${n}`,
          );
          compared++;
          if (got[key]) labelled++;
        }
      }
    }
  }
  assert.ok(compared > 200, `${compared} comparisons`);
  assert.ok(labelled > 20 && labelled < compared, `${labelled} labels of ${compared}`);
});

test("what cannot be rewritten safely is refused with the place and the reason", async () => {
  const refuse = (text: string) => () => nodeFeatureRuleFor(spec(text), { specDigest: SUBJECT });
  assert.throws(
    refuse(`version: v1alpha1
compatibilities:
- rules:
  - {name: a, varsTemplate: "{{range .cpu.model}}v={{.Value}}{{end}}", matchFeatures: [{feature: cpu.model, matchExpressions: {vendor_id: {op: Exists}}}]}
  - {name: b, matchFeatures: [{feature: rule.matched, matchExpressions: {v: {op: Exists}}}]}
`),
    /set 1 rule 1 "a": its varsTemplate publishes variables that a later rule reads from rule\.matched; nfd-master shares rule\.matched/,
  );
  assert.throws(
    refuse(`version: v1alpha1
compatibilities:
- rules:
  - {name: a, vars: {x: "1"}}
  - {name: b, matchFeatures: [{feature: rule.matched, matchName: {op: InRegexp, value: ["^x"]}}]}
`),
    /set 1 rule 2 "b": matchName on rule\.matched cannot be rewritten safely/,
  );
  assert.throws(
    refuse(`version: v1alpha1
compatibilities:
- rules:
  - {name: a, matchFeatures: [{feature: cpu.model, matchExpressions: {vendor_id: {op: ""}}}]}
`),
    /set 1 rule 1 "a": cpu\.model vendor_id uses the empty op "" alone, which has no NodeFeatureRule form/,
  );
  const r = await runCli(["cluster", "label", "--spec", "-"], {
    stdin: `version: v1alpha1\ncompatibilities:\n- rules:\n  - {name: a, vars: {x: "1"}}\n  - {name: b, matchFeatures: [{feature: rule.matched, matchName: {op: Exists}}]}\n`,
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^kompat: cannot express the spec as a NodeFeatureRule: set 1 rule 2 "b": matchName on rule\.matched/,
  );
});

test("cluster label prints YAML by default, the name from the subject digest; --tags narrows the sets", async () => {
  const r = await runCli(["cluster", "label", "--spec", SPEC, "--tags", "cpu"]);
  assert.equal(r.code, 0, r.stderr);
  const { parse } = await import("yaml");
  const o = parse(r.stdout) as NodeFeatureRule;
  assert.equal(o.kind, "NodeFeatureRule");
  assert.match(o.metadata.name, /^kompat-[0-9a-f]{64}$/);
  const keys = o.spec.rules.flatMap((x) => Object.keys(x.labels ?? {}));
  assert.equal(keys.length, 1);
  assert.match(keys[0] ?? "", /-set2$/);
  assert.ok(checkCrd(o));
});
