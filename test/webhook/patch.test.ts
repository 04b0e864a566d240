// The patch the webhook remembers: pods of three shapes (no affinity, affinity without a
// node part, their own node affinity) admitted twice each, in process, with the spec
// fetch replaced by the example spec's text: each gets the patch its own shape needs
// (add or replace, its terms kept), the second time the same, and one apply per rule.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import jsonpatch from "fast-json-patch";
import { SPEC } from "../k8s/fixtures.js";
import { validateObject } from "../k8s/models.js";
import { mutate, type AppliedRule } from "../../src/webhook/mutate.js";
import { SpecSource } from "../../src/webhook/specs.js";
import { replicaSetPod, review } from "./helpers.js";

interface Term {
  matchExpressions?: Array<{ key: string }>;
}

test("each pod shape gets its own patch, the same one again when admitted again", async () => {
  const specText = readFileSync(SPEC, "utf8");
  const specs = new SpecSource({
    client: { env: {} },
    fetch: (image) =>
      Promise.resolve({
        specText,
        subject: `${image.split(":v")[0]}@sha256:${"a".repeat(64)}`,
        subjectDigest: `sha256:${"a".repeat(64)}`,
        artifactDigest: `sha256:${"b".repeat(64)}`,
      }),
  });
  const applied: string[] = [];
  const deps = {
    specs,
    applyRule: (rule: { metadata: { name: string } }) => {
      applied.push(rule.metadata.name);
      return Promise.resolve();
    },
    deadlineMs: 10_000,
    failClosed: false,
    applied: new Map<string, AppliedRule>(),
  };
  const zone = { key: "topology.kubernetes.io/zone", operator: "In", values: ["a"] };
  const anti = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } };
  const shapes = {
    none: {},
    antiOnly: { affinity: anti },
    own: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [zone] }],
          },
        },
      },
    },
  };
  for (const [shape, extra] of Object.entries(shapes)) {
    const pod = replicaSetPod([{ name: "app", image: "registry.test/team/app:v1" }], extra);
    const answers = [];
    for (let i = 0; i < 2; i++) {
      const r = await mutate(review(pod).body.request, deps);
      assert.equal(r.outcome, "patched", shape);
      answers.push(r.response.patch);
    }
    assert.equal(answers[0], answers[1], shape);
    const ops = JSON.parse(
      Buffer.from(answers[0] ?? "", "base64").toString("utf8"),
    ) as jsonpatch.Operation[];
    const out = jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument as {
      spec: { affinity: Record<string, unknown> & { nodeAffinity: unknown } };
    };
    validateObject(out);
    const terms = (
      out.spec.affinity.nodeAffinity as {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: Term[] };
      }
    ).requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    assert.equal(terms.length, 2, shape);
    if (shape === "antiOnly")
      assert.deepEqual(out.spec.affinity.podAntiAffinity, anti.podAntiAffinity);
    if (shape === "own") for (const t of terms) assert.deepEqual(t.matchExpressions?.[0], zone);
    else for (const t of terms) assert.equal(t.matchExpressions?.length, 1, shape);
  }
  assert.equal(applied.length, 1, "one rule, applied once");
});
