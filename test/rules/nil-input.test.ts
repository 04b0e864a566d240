// NFD's unit-test vectors for MatchMulti with an empty expression set
// (pkg/apis/nfd/nodefeaturerule/expression_test.go, "empty expression and nil input" and its
// neighbours): a feature whose elements are null (a nil map, as a NodeFeature written by
// another agent can hold) is not an empty map, and nothing matches it.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseSnapshots } from "../../src/features/snapshot.js";
import { evaluate, verdict } from "../../src/rules/index.js";
import { oneTerm, term, x } from "./fixtures.js";
import type { FeatureMatcherTerm } from "../../src/spec/model.js";

/** One node whose feature x.y has these parts (undefined: not in that map at all). */
function node(parts: { flags?: unknown; attributes?: unknown; instances?: unknown }) {
  const doc: Record<string, unknown> = { flags: {}, attributes: {}, instances: {} };
  for (const [k, v] of Object.entries(parts))
    (doc[k] as Record<string, unknown>)["x.y"] = { elements: v };
  const [n] = parseSnapshots(JSON.stringify(doc), "node.json");
  assert.ok(n);
  return n.features;
}

function holds(t: FeatureMatcherTerm, f: ReturnType<typeof node>): boolean {
  const s = oneTerm(t);
  const full = evaluate(s, f).compatible;
  assert.equal(verdict(s, f).compatible, full, "verdict and report agree");
  return full;
}

const EMPTY = term("x.y", {});

describe("NFD MatchMulti vectors: empty expression", () => {
  it("and nil input: false", () => {
    assert.equal(holds(EMPTY, node({ flags: null, attributes: null, instances: null })), false);
  });
  it("and empty input keys, values and instances: true", () => {
    assert.equal(holds(EMPTY, node({ flags: {}, attributes: {}, instances: [] })), true);
  });
  it("and empty input values: true", () => {
    assert.equal(holds(EMPTY, node({ attributes: {} })), true);
  });
  it("and empty input instances: false", () => {
    assert.equal(holds(EMPTY, node({ instances: [] })), false);
  });
  it("and one input instance with empty attributes: true", () => {
    assert.equal(holds(EMPTY, node({ instances: [{ attributes: {} }] })), true);
  });
  it("with a value: true", () => {
    assert.equal(holds(EMPTY, node({ attributes: { foo: "bar" } })), true);
  });
});

describe("nil input is not an empty map", () => {
  it("DoesNotExist and the empty op do not match a feature whose elements are null", () => {
    const f = node({ flags: null, attributes: null });
    assert.equal(holds(term("x.y", { foo: x("DoesNotExist") }), f), false);
    assert.equal(holds(term("x.y", { foo: x("") }), f), false);
    assert.equal(holds(term("x.y", undefined, x("Exists")), f), false);
  });
  it("an absent elements key is nil as well", () => {
    const [n] = parseSnapshots('{"flags": {"x.y": {}}}', "node.json");
    assert.ok(n);
    assert.equal(holds(EMPTY, n.features), false);
  });
  it("a nil map beside a real one: the real one decides", () => {
    const f = node({ flags: null, attributes: { foo: "1" } });
    assert.equal(holds(term("x.y", { foo: x("In", ["1"]) }), f), true);
    assert.equal(holds(term("x.y", { bar: x("DoesNotExist") }), f), true);
  });
});
