// kompat's `host` observation: what the host had for each expression.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluate, HOST_VALUES_CAP } from "../../src/rules/index.js";
import type { ExpressionReport } from "../../src/rules/report.js";
import type { Features } from "../../src/features/nodefeatures.js";
import type { FeatureMatcherTerm } from "../../src/spec/model.js";
import { features, oneTerm, serverA, serverB, term, x } from "./fixtures.js";

function only(t: FeatureMatcherTerm, f: Features): ExpressionReport {
  const e = evaluate(oneTerm(t), f).sets[0]?.rules?.[0]?.matchedExpressions?.[0];
  assert.ok(e, "one expression report");
  return e;
}

describe("host observations", () => {
  it("an attribute's value", () => {
    const e = only(term("cpu.model", { vendor_id: x("In", ["AMD"]) }), serverA());
    assert.equal(e.isMatch, false);
    assert.deepEqual(e.host, { state: "value", value: "Intel" });
  });
  it("a flag", () => {
    assert.deepEqual(only(term("kernel.loadedmodule", { kvm: x("Exists") }), serverA()).host, {
      state: "flag",
    });
    const e = only(term("kernel.loadedmodule", { kvm: x("DoesNotExist") }), serverA());
    assert.equal(e.isMatch, false);
    assert.deepEqual(e.host, { state: "flag" });
  });
  it("a missing element and a missing feature", () => {
    assert.deepEqual(only(term("kernel.loadedmodule", { nvidia: x("Exists") }), serverB()).host, {
      state: "missing-element",
    });
    assert.deepEqual(only(term("kernel.config", { HZ: x("Exists") }), serverB()).host, {
      state: "missing-feature",
    });
  });
  it("distinct instance values in discovery order, with the instance count", () => {
    const e = only(term("pci.device", { vendor: x("In", ["10de"]) }), serverA());
    assert.equal(e.isMatch, true);
    assert.deepEqual(e.host, { state: "instances", values: ["8086", "10de"], instances: 2 });
  });
  it("caps the list of instance values", () => {
    const insts = Array.from({ length: 30 }, (_, i) => ({ id: String(i % 20) }));
    const e = only(
      term("usb.device", { id: x("In", ["19"]) }),
      features({ instances: { "usb.device": insts } }),
    );
    assert.equal(e.isMatch, true);
    assert.equal(e.host?.values?.length, HOST_VALUES_CAP);
    assert.deepEqual(e.host?.values?.slice(0, 3), ["0", "1", "2"]);
    assert.equal(e.host?.instances, 30);
  });
  it("an element no instance has", () => {
    const e = only(term("pci.device", { numa_node: x("Exists") }), serverA());
    assert.deepEqual(e.host, { state: "missing-element", instances: 2 });
  });
  it("matchName: the matching names, sorted and capped, and how many", () => {
    const e = only(term("cpu.cpuid", undefined, x("InRegexp", ["^(AVX|X86)"])), serverA());
    assert.equal(e.matcherType, "matchName");
    assert.equal(e.name, "");
    assert.deepEqual(e.host, {
      state: "names",
      values: [
        "AVX",
        "AVX10_VERSION",
        "AVX2",
        "AVX512F",
        "AVX512VL",
        "X86_64_V2",
        "X86_64_V3",
        "X86_64_V4",
      ],
      instances: 10,
      count: 8,
    });
    const many = only(term("cpu.cpuid", undefined, x("Exists")), serverA());
    assert.equal(many.host?.count, 10);
    assert.equal(many.host?.values?.length, HOST_VALUES_CAP);
    const none = only(term("cpu.cpuid", undefined, x("In", ["NOPE"])), serverA());
    assert.deepEqual(none.host, { state: "names", values: [], instances: 10, count: 0 });
  });
  it("a host value that is not a number: error with the reason, the run goes on", () => {
    const e = only(term("kernel.version", { full: x("Gt", ["5"]) }), serverA());
    assert.equal(e.isMatch, false);
    assert.equal(e.host?.state, "error");
    assert.equal(e.host?.value, "6.8.0-45-generic");
    assert.match(e.host?.error ?? "", /"6\.8\.0-45-generic" is not an integer.*type: version/);
  });
  it("an instance value that is not a number fails only that instance", () => {
    const f = features({ instances: { "net.dev": [{ speed: "unknown" }, { speed: "1000" }] } });
    const ok = only(term("net.dev", { speed: x("Ge", ["100"]) }), f);
    assert.equal(ok.isMatch, true);
    assert.equal(ok.host?.state, "instances");
    const bad = only(term("net.dev", { speed: x("Ge", ["10000"]) }), f);
    assert.equal(bad.isMatch, false);
    assert.equal(bad.host?.state, "error");
    assert.match(bad.host?.error ?? "", /"unknown" is not an integer/);
    assert.deepEqual(bad.host?.values, ["unknown", "1000"]);
  });
  it("a host value that is not a version", () => {
    const f = features({ attributes: { "x.y": { v: "banana" } } });
    const e = only(term("x.y", { v: x("Ge", ["1.0"], "version") }), f);
    assert.equal(e.host?.state, "error");
    assert.match(e.host?.error ?? "", /not a version/);
  });
  it("an unchecked invalid expression fails where NFD would notice, with the reason", () => {
    const bad = only(term("kernel.version", { major: x("Gt", ["five"]) }), serverA());
    assert.equal(bad.isMatch, false);
    assert.equal(bad.host?.state, "error");
    assert.match(
      bad.host?.error ?? "",
      /invalid expression: Gt compares integers: "five" is not an integer/,
    );
    const unknown = only(term("kernel.loadedmodule", { kvm: x("Equals", ["kvm"]) }), serverA());
    assert.match(unknown.host?.error ?? "", /unknown op "Equals"/);
    // NFD only checks In's values when the element has a value: on a flag it simply fails.
    const onFlag = only(term("kernel.loadedmodule", { kvm: x("In") }), serverA());
    assert.deepEqual([onFlag.isMatch, onFlag.host?.state], [false, "flag"]);
  });
});
