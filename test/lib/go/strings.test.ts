import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareStrings,
  fields,
  isSpace,
  sortStrings,
  trim,
  trimLeft,
  trimRight,
  trimSpace,
} from "../../../src/lib/go/strings.js";

const sign = (n: number): number => Math.sign(n);

describe("Go string order", () => {
  it("is the order of UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
        assert.equal(sign(compareStrings(a, b)), bytes);
      }),
    );
  });
  it("puts astral code points after U+E000..U+FFFF, unlike JS", () => {
    assert.ok("\u{1f600}" < "\uff01");
    assert.ok(compareStrings("\u{1f600}", "\uff01") > 0);
    assert.deepEqual(sortStrings(["\u{1f600}", "\uff01", "a"]), ["a", "\uff01", "\u{1f600}"]);
    assert.deepEqual(sortStrings(["b", "a", "B"]), ["B", "a", "b"]);
  });
});

describe("Go white space", () => {
  it("is unicode.IsSpace: U+0085 yes, U+FEFF and U+200B no", () => {
    assert.equal(isSpace(0x85), true);
    assert.equal(isSpace(0x3000), true);
    assert.equal(isSpace(0xfeff), false);
    assert.equal(isSpace(0x200b), false);
    assert.equal(trimSpace("\u0085\t x \u3000"), "x");
    assert.equal(trimSpace("\ufeffx"), "\ufeffx");
    assert.deepEqual(fields(" a\u00a0b  c\n"), ["a", "b", "c"]);
    assert.deepEqual(fields(" \t "), []);
  });
});

describe("strings.Trim with a cutset", () => {
  it("works on code points, astral ones included", () => {
    assert.equal(trim('"x"', '"'), "x");
    assert.equal(trim("-_.5.4_", "-_."), "5.4");
    assert.equal(trimRight("2048kB", "kB"), "2048");
    assert.equal(trimLeft("\u{1f600}\u{1f600}x\u{1f600}", "\u{1f600}"), "x\u{1f600}");
    assert.equal(trimRight("\u{1f600}x\u{1f600}\u{1f600}", "\u{1f600}"), "\u{1f600}x");
    // A lone half of a pair is not the pair.
    assert.equal(trimRight("x\ud83d", "\u{1f600}"), "x\ud83d");
  });
});
