// The behaviours of compat-spec §3–§6, each against two hosts (serverA, serverB).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { evaluate } from "../../src/rules/index.js";
import type { Spec } from "../../src/spec/model.js";
import { oneTerm, rule, serverA, serverB, set, spec, term, x } from "./fixtures.js";

/** isMatch of every rule of every evaluated set, for serverA and serverB. */
function outcomes(s: Spec, tags?: string[]): { a: boolean[][]; b: boolean[][] } {
  const run = (f: ReturnType<typeof serverA>) =>
    evaluate(s, f, tags === undefined ? undefined : { tags }).sets.map((r) =>
      (r.rules ?? []).map((x) => x.isMatch),
    );
  return { a: run(serverA()), b: run(serverB()) };
}

function expectOne(s: Spec, a: boolean, b: boolean): void {
  assert.deepEqual(outcomes(s), { a: [[a]], b: [[b]] });
}

describe("terms and operators on the two servers", () => {
  it("Exists on a flag", () =>
    expectOne(oneTerm(term("kernel.loadedmodule", { vfio_pci: x("Exists") })), true, false));
  it("DoesNotExist on a flag", () =>
    expectOne(oneTerm(term("kernel.loadedmodule", { nvidia: x("DoesNotExist") })), false, true));
  it("In on an attribute", () =>
    expectOne(oneTerm(term("cpu.model", { vendor_id: x("In", ["Intel", "AMD"]) })), true, true));
  it("NotIn needs the element (and the feature)", () =>
    expectOne(oneTerm(term("kernel.config", { PREEMPT_RT: x("NotIn", ["y"]) })), false, false));
  it("NotIn on a present element", () =>
    expectOne(oneTerm(term("cpu.model", { vendor_id: x("NotIn", ["AMD"]) })), true, false));
  it("Gt and Ge on integers", () => {
    expectOne(oneTerm(term("kernel.version", { major: x("Gt", ["5"]) })), true, false);
    expectOne(oneTerm(term("kernel.version", { major: x("Ge", ["5"]) })), true, true);
  });
  it("GtLt on integers is exclusive", () => {
    expectOne(oneTerm(term("cpu.model", { family: x("GtLt", ["5", "7"]) })), true, false);
    expectOne(oneTerm(term("cpu.model", { family: x("GtLt", ["6", "25"]) })), false, false);
  });
  it("GeLe on integers is inclusive", () =>
    expectOne(oneTerm(term("cpu.model", { family: x("GeLe", ["6", "25"]) })), true, true));
  it("versions drop the kernel flavor", () =>
    expectOne(oneTerm(term("kernel.version", { full: x("Ge", ["6.8"], "version") })), true, false));
  it("version Gt is false on equal versions", () =>
    expectOne(
      oneTerm(term("kernel.version", { full: x("Gt", ["6.8.0"], "version") })),
      false,
      false,
    ));
  it("version GeLe with leading zeros", () =>
    expectOne(
      oneTerm(term("system.osrelease", { VERSION_ID: x("GeLe", ["22.04", "24.04"], "version") })),
      true,
      false,
    ));
  it("a flavor NFD rejects is accepted (5.14.0-427.13.1.el9_4.x86_64 is 5.14.0)", () =>
    expectOne(
      oneTerm(term("kernel.version", { full: x("GeLe", ["5.14", "5.14.0"], "version") })),
      false,
      true,
    ));
  it("InRegexp is unanchored and uses RE2 syntax", () => {
    expectOne(oneTerm(term("kernel.version", { full: x("InRegexp", ["generic"]) })), true, false);
    expectOne(
      oneTerm(term("system.osrelease", { ID: x("InRegexp", ["(?i)^UBUNTU$"]) })),
      true,
      false,
    );
    expectOne(
      oneTerm(term("system.osrelease", { ID: x("InRegexp", ["^[[:alpha:]]{4}$"]) })),
      false,
      true,
    );
  });
  it("IsTrue and IsFalse", () => {
    expectOne(oneTerm(term("memory.numa", { is_numa: x("IsTrue") })), true, false);
    expectOne(oneTerm(term("kernel.selinux", { enabled: x("IsFalse") })), true, false);
  });
  it("one instance must satisfy every expression", () => {
    expectOne(
      oneTerm(term("pci.device", { vendor: x("In", ["10de"]), class: x("In", ["0302"]) })),
      true,
      false,
    );
    expectOne(
      oneTerm(term("pci.device", { vendor: x("In", ["10de"]), class: x("In", ["0200"]) })),
      false,
      false,
    );
  });
  it("Gt on an instance attribute some instances lack", () =>
    expectOne(oneTerm(term("pci.device", { sriov_totalvfs: x("Gt", ["64"]) })), true, false));
  it("DoesNotExist on instances: some instance lacks it", () =>
    expectOne(oneTerm(term("pci.device", { sriov_totalvfs: x("DoesNotExist") })), true, true));
  it("an empty expression map matches a feature with instances", () =>
    expectOne(oneTerm(term("pci.device", {})), true, true));
  it("matchName with a regexp and with In", () => {
    expectOne(oneTerm(term("cpu.cpuid", undefined, x("InRegexp", ["^AVX512"]))), true, false);
    expectOne(oneTerm(term("cpu.cpuid", undefined, x("In", ["X86_64_V4"]))), true, false);
  });
  it("matchName sees attribute names of a feature that also has flags", () =>
    expectOne(oneTerm(term("cpu.cpuid", undefined, x("In", ["AVX10_VERSION"]))), true, false));
  it("matchName sees instance attribute names", () =>
    expectOne(oneTerm(term("pci.device", undefined, x("In", ["sriov_totalvfs"]))), true, false));
  it("matchExpressions and matchName must both hold", () => {
    expectOne(
      oneTerm(term("cpu.cpuid", { AVX2: x("Exists") }, x("InRegexp", ["^X86_64_V4$"]))),
      true,
      false,
    );
    expectOne(
      oneTerm(term("cpu.cpuid", { NOPE: x("Exists") }, x("InRegexp", ["^X86_64_V4$"]))),
      false,
      false,
    );
  });
  it("an unknown feature fails the term without error", () =>
    expectOne(oneTerm(term("foo.bar", { x: x("Exists") })), false, false));
  it("the empty op holds, except on a missing feature", () => {
    expectOne(oneTerm(term("kernel.loadedmodule", { anything: x("") })), true, true);
    expectOne(oneTerm(term("foo.bar", { anything: x("") })), false, false);
  });
  it("feature names are case-insensitive, element names are not", () => {
    expectOne(oneTerm(term("Kernel.LoadedModule", { kvm: x("Exists") })), true, true);
    expectOne(oneTerm(term("kernel.loadedmodule", { KVM: x("Exists") })), false, false);
  });
  it("DoesNotExist on a feature with flags and attributes needs absence in both", () =>
    expectOne(oneTerm(term("cpu.cpuid", { AVX10_VERSION: x("DoesNotExist") })), false, true));
  it("an attribute of a feature that also has flags", () =>
    expectOne(oneTerm(term("cpu.cpuid", { AVX10_VERSION: x("Ge", ["1"]) })), true, false));
  it("In on a flag never holds (flags have no value)", () =>
    expectOne(oneTerm(term("kernel.loadedmodule", { kvm: x("In", ["kvm"]) })), false, false));
  it("a host value that is not a number fails the expression, not the run", () =>
    expectOne(oneTerm(term("kernel.version", { full: x("Gt", ["5"]) })), false, false));
  it("a term with only a feature holds when the feature exists", () => {
    expectOne(oneTerm(term("memory.numa")), true, true);
    expectOne(oneTerm(term("kernel.config")), true, false);
  });
});

describe("rules and sets", () => {
  it("the documented example: vfio-pci is not vfio_pci, no listed NIC", () => {
    const s = spec(
      set([
        rule("kernel and cpu", {
          matchFeatures: [
            term("kernel.loadedmodule", { "vfio-pci": x("Exists") }),
            term("cpu.model", { vendor_id: x("In", ["Intel", "AMD"]) }),
          ],
        }),
        rule("one of available nics", {
          matchAny: [
            {
              matchFeatures: [
                term("pci.device", { vendor: x("In", ["0eee"]), class: x("In", ["0200"]) }),
              ],
            },
            {
              matchFeatures: [
                term("pci.device", { vendor: x("In", ["0fff"]), class: x("In", ["0200"]) }),
              ],
            },
          ],
        }),
      ]),
    );
    assert.deepEqual(outcomes(s), { a: [[false, false]], b: [[false, false]] });
  });
  it("matchAny needs one element", () => {
    const s = spec(
      set([
        rule("amd or nvidia", {
          matchAny: [
            { matchFeatures: [term("cpu.model", { vendor_id: x("In", ["AMD"]) })] },
            { matchFeatures: [term("pci.device", { vendor: x("In", ["10de"]) })] },
          ],
        }),
      ]),
    );
    assert.deepEqual(outcomes(s), { a: [[true]], b: [[true]] });
  });
  it("matchAny and matchFeatures must both hold", () => {
    const s = spec(
      set([
        rule("amd with a new kernel", {
          matchAny: [{ matchFeatures: [term("cpu.model", { vendor_id: x("In", ["AMD"]) })] }],
          matchFeatures: [term("kernel.version", { major: x("Ge", ["6"]) })],
        }),
      ]),
    );
    assert.deepEqual(outcomes(s), { a: [[false]], b: [[false]] });
  });
  it("matchFeatures is an AND over terms", () => {
    const s = oneTerm(term("cpu.model", { vendor_id: x("In", ["Intel"]) }));
    s.compatibilities[0]?.rules[0]?.matchFeatures?.push(
      term("memory.numa", { is_numa: x("IsFalse") }),
    );
    assert.deepEqual(outcomes(s), { a: [[false]], b: [[false]] });
  });
  it("a rule with no matchers matches", () =>
    assert.deepEqual(outcomes(spec(set([rule("always")]))), { a: [[true]], b: [[true]] }));
  it("every rule is evaluated and reported in order", () => {
    const s = spec(
      set([
        rule("one", { matchFeatures: [term("foo.bar")] }),
        rule("two", { matchFeatures: [term("memory.numa")] }),
      ]),
    );
    const r = evaluate(s, serverA());
    assert.deepEqual(
      r.sets[0]?.rules?.map((x) => [x.name, x.isMatch]),
      [
        ["one", false],
        ["two", true],
      ],
    );
    assert.equal(r.sets[0]?.isMatch, false);
    assert.equal(r.compatible, false);
  });
  it("two sets, either may match; the best is the heaviest match", () => {
    const s = spec(
      set(
        [
          rule("nvidia gpu", {
            matchFeatures: [term("pci.device", { vendor: x("In", ["10de"]) })],
          }),
        ],
        { tag: "gpu", weight: 10 },
      ),
      set([rule("avx2", { matchFeatures: [term("cpu.cpuid", { AVX2: x("Exists") })] })], {
        tag: "cpu",
        weight: 1,
      }),
    );
    assert.deepEqual(outcomes(s), { a: [[true], [true]], b: [[false], [true]] });
    assert.equal(evaluate(s, serverA()).best, 0);
    assert.equal(evaluate(s, serverB()).best, 1);
  });
  it("the first set wins a tie of weights", () => {
    const s = spec(
      set([rule("a")], { weight: 5 }),
      set([rule("b")], { weight: 5 }),
      set([rule("c")], { weight: 2 }),
    );
    assert.equal(evaluate(s, serverA()).best, 0);
  });
  it("no matching set: incompatible, no best", () => {
    const r = evaluate(spec(set([rule("x", { matchFeatures: [term("foo.bar")] })])), serverA());
    assert.equal(r.compatible, false);
    assert.equal(r.best, null);
  });
  it("tags select sets; untagged sets are skipped then", () => {
    const s = spec(
      set(
        [
          rule("nvidia gpu", {
            matchFeatures: [term("pci.device", { vendor: x("In", ["10de"]) })],
          }),
        ],
        { tag: "gpu", weight: 10 },
      ),
      set([rule("avx2", { matchFeatures: [term("cpu.cpuid", { AVX2: x("Exists") })] })], {
        tag: "cpu",
        weight: 1,
      }),
      set([rule("untagged", { matchFeatures: [term("cpu.cpuid", { AVX2: x("Exists") })] })]),
    );
    assert.deepEqual(outcomes(s, ["gpu"]), { a: [[true]], b: [[false]] });
    const r = evaluate(s, serverB(), { tags: ["cpu"] });
    assert.deepEqual(
      r.sets.map((x) => x.index),
      [1],
    );
    assert.equal(r.best, 0, "best indexes the evaluated sets");
    assert.equal(evaluate(s, serverB(), { tags: [] }).sets.length, 3, "no tags = every set");
  });
});

describe("variables and rule.matched", () => {
  it("a later rule sees vars of a matched rule", () => {
    const s = spec(
      set([
        rule("gpu present", {
          vars: { has_gpu: "true" },
          matchFeatures: [term("pci.device", { vendor: x("In", ["10de"]) })],
        }),
        rule("gpu driver loaded", {
          matchFeatures: [
            term("rule.matched", { has_gpu: x("IsTrue") }),
            term("kernel.loadedmodule", { nvidia: x("Exists") }),
          ],
        }),
      ]),
    );
    assert.deepEqual(outcomes(s), { a: [[true, true]], b: [[false, false]] });
    assert.deepEqual({ ...evaluate(s, serverA()).sets[0]?.rules?.[0]?.vars }, { has_gpu: "true" });
  });
  it("an unmatched rule publishes nothing", () => {
    const s = spec(
      set([
        rule("never", {
          vars: { x: "true" },
          matchAny: [
            { matchFeatures: [term("cpu.model", { vendor_id: x("In", ["NoSuchVendor"]) })] },
          ],
        }),
        rule("sees x", { matchFeatures: [term("rule.matched", { x: x("Exists") })] }),
      ]),
    );
    assert.deepEqual(outcomes(s), { a: [[false, false]], b: [[false, false]] });
    assert.equal(evaluate(s, serverA()).sets[0]?.rules?.[0]?.vars, undefined);
  });
  it("rule.matched exists (empty) from the second rule on, not in the first", () => {
    const s = spec(
      set([
        rule("first", { matchFeatures: [term("rule.matched", { y: x("DoesNotExist") })] }),
        rule("second", { matchFeatures: [term("rule.matched", { y: x("DoesNotExist") })] }),
        rule("third", { matchFeatures: [term("rule.matched", { y: x("") })] }),
      ]),
    );
    assert.deepEqual(outcomes(s), { a: [[false, true, true]], b: [[false, true, true]] });
  });
  it("vars do not cross compatibility sets", () => {
    const s = spec(
      set([rule("publish", { vars: { y: "1" } })]),
      set([rule("sees y", { matchFeatures: [term("rule.matched", { y: x("Exists") })] })]),
    );
    assert.deepEqual(outcomes(s), { a: [[true], [false]], b: [[true], [false]] });
  });
  it("later vars override earlier ones", () => {
    const s = spec(
      set([
        rule("one", { vars: { v: "1", w: "a" } }),
        rule("two", { vars: { v: "2" } }),
        rule("check", {
          matchFeatures: [term("rule.matched", { v: x("In", ["2"]), w: x("In", ["a"]) })],
        }),
      ]),
    );
    assert.deepEqual(outcomes(s), { a: [[true, true, true]], b: [[true, true, true]] });
  });
});
