// How long the webhook believes an image's answer: a tag for --tag-ttl, an image by digest
// for --digest-ttl (a corrected spec can be attached to a digest), "no artifact" for
// --negative-ttl. The registry fetch is replaced by a counter that can change its answer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NotFoundError } from "../../src/oci/errors.js";
import { SpecSource, type SpecSourceOptions } from "../../src/webhook/specs.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const spec = (name: string) =>
  `version: v1alpha1\ncompatibilities:\n- description: ${name}\n  rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Exists}\n`;

function source(opts: Partial<SpecSourceOptions>, answer: () => string | undefined) {
  const asked: string[] = [];
  const s = new SpecSource({
    client: { env: {} },
    fetch: (image) => {
      asked.push(image);
      const text = answer();
      if (text === undefined) return Promise.reject(new NotFoundError("no compatibility artifact"));
      return Promise.resolve({
        specText: text,
        subject: `registry.test/team/app@${DIGEST}`,
        subjectDigest: DIGEST,
        artifactDigest: `sha256:${"b".repeat(64)}`,
      });
    },
    ...opts,
  });
  return { s, asked };
}

const described = async (s: SpecSource, image: string) => {
  const got = await s.lookup(image);
  const v = got.value;
  return v.kind === "spec" ? v.spec.compatibilities[0]?.description : v.kind;
};

test("an answer by digest is fetched again after --digest-ttl: a spec attached later is used", async () => {
  let current = "first";
  const image = `registry.test/team/app@${DIGEST}`;
  const short = source({ digestTtlMs: 0 }, () => spec(current));
  assert.equal(await described(short.s, image), "first");
  current = "corrected";
  assert.equal(await described(short.s, image), "corrected");
  assert.equal(short.asked.length, 2);

  current = "first";
  const long = source({ digestTtlMs: 60_000, tagTtlMs: 0 }, () => spec(current));
  assert.equal(await described(long.s, image), "first");
  current = "corrected";
  assert.equal(await described(long.s, image), "first", "still believed within the TTL");
  assert.equal(long.asked.length, 1, "the tag TTL does not apply to a digest");
});

test("a tag's answer follows --tag-ttl, and 'no artifact' --negative-ttl", async () => {
  let current: string | undefined;
  const image = "registry.test/team/app:v1";
  const t = source({ tagTtlMs: 60_000, negativeTtlMs: 0, digestTtlMs: 0 }, () => current);
  assert.equal(await described(t.s, image), "none");
  current = spec("attached");
  assert.equal(await described(t.s, image), "attached", "no artifact is asked again");
  current = spec("moved");
  assert.equal(await described(t.s, image), "attached", "within the tag TTL");
  assert.equal(t.asked.length, 2);
});
