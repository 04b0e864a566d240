// Value helpers: Go integers, versions (Masterminds semver as NFD uses it, plus kompat's
// flavor rule), RE2 regexps.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  compareVersions,
  compileRegexp,
  nfdVersionProblem,
  parseVersion,
} from "../../src/rules/index.js";
import type { Version } from "../../src/rules/index.js";
import { parseGoInt } from "../../src/lib/go/strconv.js";

describe("parseGoInt (strconv.Atoi, 64-bit)", () => {
  it("accepts an optional sign and decimal digits", () => {
    assert.equal(parseGoInt("5"), 5);
    assert.equal(parseGoInt("+5"), 5);
    assert.equal(parseGoInt("-5"), -5);
    assert.equal(parseGoInt("007"), 7);
    assert.equal(parseGoInt("0"), 0);
  });
  it("rejects what Go rejects", () => {
    for (const s of [
      "",
      "+",
      "-",
      " 5",
      "5 ",
      "0x10",
      "5.0",
      "1e3",
      "1_000",
      "٣",
      "--5",
      "+-5",
      "Infinity",
      "NaN",
    ]) {
      assert.equal(parseGoInt(s), undefined, JSON.stringify(s));
    }
  });
  it("keeps the full 64-bit range exactly and refuses beyond it", () => {
    assert.equal(parseGoInt("9223372036854775807"), 9223372036854775807n);
    assert.equal(parseGoInt("-9223372036854775808"), -9223372036854775808n);
    assert.equal(parseGoInt("9223372036854775808"), undefined);
    assert.equal(parseGoInt("-9223372036854775809"), undefined);
    assert.equal(parseGoInt("9007199254740993"), 9007199254740993n, "beyond 2^53 stays exact");
    assert.equal(parseGoInt("9007199254740991"), 9007199254740991);
    assert.equal(
      parseGoInt("000000000000000000000000000042"),
      42,
      "leading zeros do not count toward the range",
    );
  });
  it("handles very long digit strings without slowing down", () => {
    assert.equal(parseGoInt("0".repeat(100_000) + "42"), 42);
    assert.equal(parseGoInt("-" + "0".repeat(100_000) + "42"), -42);
    assert.equal(parseGoInt("9".repeat(100_000)), undefined);
    assert.equal(triple("0".repeat(100_000) + "7.1"), "7.1.0");
    assert.equal(typeof parseVersion("9".repeat(100_000)), "string");
  });
  it("compares numbers and bigints correctly", () => {
    const a = parseGoInt("9007199254740993");
    const b = parseGoInt("9007199254740992");
    assert.ok(a !== undefined && b !== undefined && a > b);
  });
});

function v(s: string): Version {
  const p = parseVersion(s);
  assert.notEqual(typeof p, "string", `${s}: ${String(p)}`);
  return p as Version;
}

function triple(s: string): string {
  const p = v(s);
  return `${p.major}.${p.minor}.${p.patch}`;
}

describe("versions", () => {
  it("coerces partial versions, allows a v prefix and leading zeros", () => {
    assert.equal(triple("6"), "6.0.0");
    assert.equal(triple("6.8"), "6.8.0");
    assert.equal(triple("v1.2.3"), "1.2.3");
    assert.equal(triple("24.04"), "24.4.0");
    assert.equal(triple("01.002.0003"), "1.2.3");
  });
  it("drops the pre-release and build metadata", () => {
    assert.equal(triple("6.8.0-45-generic"), "6.8.0");
    assert.equal(triple("1.2.3-rc.1+build.5"), "1.2.3");
    assert.equal(triple("1.2.3+build-1"), "1.2.3");
    assert.equal(compareVersions(v("6.8.0-45-generic"), v("6.8.0")), 0);
  });
  it("kompat ignores any flavor after the first - or +", () => {
    assert.equal(triple("5.14.0-427.13.1.el9_4.x86_64"), "5.14.0");
    assert.equal(triple("1.2.3-a..b"), "1.2.3");
    assert.equal(triple("1.2.3-01"), "1.2.3");
    assert.equal(triple("1.2.3-"), "1.2.3");
    assert.equal(triple("1.2.3+bad_meta"), "1.2.3");
  });
  it("knows every NFD rejection of an accepted version", () => {
    assert.match(nfdVersionProblem("5.14.0-427.13.1.el9_4.x86_64") ?? "", /contains "_"/);
    assert.match(nfdVersionProblem("1.2.3-a..b") ?? "", /empty identifier/);
    assert.match(nfdVersionProblem("1.2.3-") ?? "", /empty identifier/);
    assert.match(nfdVersionProblem("1.2.3-01") ?? "", /leading zero/);
    assert.match(nfdVersionProblem("1.2.3+meta_data") ?? "", /build metadata contains "_"/);
    assert.match(nfdVersionProblem("1.2.3-a+b+c") ?? "", /build metadata contains "\+"/);
    for (const ok of [
      "1.2.3",
      "6.8.0-45-generic",
      "1.2.3-rc.1+build.01",
      "1.2.3-0",
      "1.2.3-0a",
      "v1",
    ]) {
      assert.equal(nfdVersionProblem(ok), undefined, ok);
    }
  });
  it("rejects what both reject, saying why", () => {
    assert.match(String(parseVersion("V1.2.3")), /lower-case "v"/);
    assert.match(String(parseVersion("1.2.3.4")), /more than three numeric parts/);
    assert.match(String(parseVersion("")), /empty/);
    for (const bad of [
      "abc",
      " 1.2",
      "1.2 ",
      "1..2",
      ".1",
      "1.2.x",
      "1.2.3\n",
      "١.٢",
      "18446744073709551616",
    ]) {
      assert.equal(typeof parseVersion(bad), "string", JSON.stringify(bad));
    }
    assert.equal(triple("18446744073709551615"), "18446744073709551615.0.0");
  });
  it("compares major, minor, patch numerically", () => {
    assert.ok(compareVersions(v("1.10"), v("1.9")) > 0);
    assert.ok(compareVersions(v("2"), v("1.99.99")) > 0);
    assert.ok(compareVersions(v("1.2.3"), v("1.2.4")) < 0);
    assert.equal(compareVersions(v("1.2"), v("1.2.0")), 0);
  });
});

describe("RE2 regexps", () => {
  it("searches unanchored with Go syntax", () => {
    const t = (p: string, s: string) => {
      const re = compileRegexp(p);
      assert.notEqual(typeof re, "string", String(re));
      return typeof re !== "string" && re.test(s);
    };
    assert.ok(t("gen", "6.8.0-45-generic"));
    assert.ok(t("(?i)^UBUNTU$", "ubuntu"));
    assert.ok(t("^[[:alpha:]]+$", "rhel"));
    assert.ok(t("^\\pL+$", "Ünïcödé"));
    assert.ok(t("\\Q1.2\\E", "v1.2"));
    assert.ok(!t("\\Q1.2\\E", "v1x2"));
    assert.ok(!t("^a$", "a\n"), "$ is end of text without (?m)");
    assert.ok(t("(?s)a.b", "a\nb"));
    assert.ok(!t("a.b", "a\nb"), ". does not match a newline by default");
  });
  it("explains invalid patterns", () => {
    assert.match(
      String(compileRegexp("([")),
      /invalid regular expression "\(\[": missing closing \]/,
    );
    assert.match(String(compileRegexp("(?=x)")), /no lookahead or lookbehind/);
    assert.match(String(compileRegexp("(a)\\1")), /no backreferences/);
    assert.match(String(compileRegexp("a{1001}")), /invalid repeat count/);
  });
  it("matches in linear time: (a+)+$ over 100 KB finishes", () => {
    const re = compileRegexp("(a+)+$");
    assert.ok(typeof re !== "string");
    assert.equal(re.test("a".repeat(100_000) + "b"), false);
    assert.equal(re.test("a".repeat(100_000)), true);
  });
});
