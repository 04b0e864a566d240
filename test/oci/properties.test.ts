// Properties of the parsers over generated input: they either succeed or fail with their own
// error type (never a crash), and canonical references read back to themselves.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AuthError, mergeScopes, parseChallenges } from "../../src/oci/auth-challenge.js";
import { InvalidPlatformError, parsePlatform } from "../../src/oci/platform.js";
import {
  InvalidReferenceError,
  formatReference,
  parseReference,
  referrersTagFor,
} from "../../src/oci/reference.js";

const noisy = fc.string({ unit: fc.constantFrom(...'aZ09:/@.-_[]"=, \\\t+é'), maxLength: 40 });

describe("parser robustness", () => {
  it("parseReference fails only with InvalidReferenceError", () => {
    fc.assert(
      fc.property(noisy, (s) => {
        try {
          parseReference(s);
        } catch (e) {
          assert.ok(e instanceof InvalidReferenceError, String(e));
        }
      }),
    );
  });
  it("parseChallenges fails only with AuthError", () => {
    fc.assert(
      fc.property(noisy, (s) => {
        try {
          parseChallenges(s);
        } catch (e) {
          assert.ok(e instanceof AuthError, String(e));
        }
      }),
    );
  });
  it("parsePlatform fails only with InvalidPlatformError", () => {
    fc.assert(
      fc.property(noisy, (s) => {
        try {
          parsePlatform(s, "amd64");
        } catch (e) {
          assert.ok(e instanceof InvalidPlatformError, String(e));
        }
      }),
    );
  });
});

const component = fc.stringMatching(/^[a-z0-9]{1,5}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,5}){0,2}$/);
const host = fc.oneof(
  fc.constant("docker.io"),
  fc.constant("localhost"),
  fc.stringMatching(/^[a-z0-9]{1,8}\.(?:io|com)(?::[1-9][0-9]{0,3})?$/),
  fc.integer({ min: 1, max: 65535 }).map((p) => `[::1]:${p}`),
);
const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);

describe("canonical references", () => {
  it("formatReference(parseReference(x)) parses back to the same reference", () => {
    fc.assert(
      fc.property(
        host,
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.option(tag, { nil: undefined }),
        fc.option(digest, { nil: undefined }),
        (h, parts, t, d) => {
          const text = `${h}/${parts.join("/")}${t ? `:${t}` : ""}${d ? `@${d}` : ""}`;
          const ref = parseReference(text);
          assert.equal(ref.kind, "registry");
          assert.deepEqual(parseReference(formatReference(ref)), ref);
          if (ref.kind === "registry") assert.equal(ref.target, d ?? t ?? "latest");
        },
      ),
    );
  });
  it("referrers tags are valid tags", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9+._-]{0,40}:[A-Za-z0-9=_-]{1,150}$/), (d) => {
        assert.match(referrersTagFor(d), /^\w[\w.-]{0,127}$/);
      }),
    );
  });
  it("mergeScopes is idempotent and order-independent", () => {
    const scope = fc
      .tuple(fc.constantFrom("a", "b/c"), fc.subarray(["pull", "push", "delete"], { minLength: 1 }))
      .map(([r, acts]) => `repository:${r}:${acts.join(",")}`);
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 6 }), (scopes) => {
        const m = mergeScopes(scopes);
        assert.deepEqual(mergeScopes(m), m);
        assert.deepEqual(mergeScopes([...scopes].reverse()), m);
      }),
    );
  });
});
