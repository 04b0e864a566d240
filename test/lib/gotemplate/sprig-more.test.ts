// Sprig functions beyond the string/list/dict core: decimal float arithmetic, wrap,
// random values, AES, sha512sum, typeIsLike, hello.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { fails, run } from "./helpers.js";
import { decryptAES, encryptAES } from "../../../src/lib/gotemplate/sprig/crypto.js";

describe("sprig float arithmetic in decimal", () => {
  const cases: Array<[string, string]> = [
    // Exact decimal sums, where float64 would print 0.30000000000000004.
    ["{{ addf 0.1 0.2 }}", "0.3"],
    ["{{ addf 1 2.5 3 }}", "6.5"],
    ["{{ addf }}", "0"],
    ["{{ add1f 1.1 }}", "2.1"],
    ['{{ subf 1.5 0.4 "0.1" }}', "1"],
    ["{{ mulf 1.1 3 }}", "3.3"],
    ["{{ mulf 2 }}", "2"],
    // 16 decimal places, the last rounded half away from zero.
    ["{{ divf 1 3 }}", "0.3333333333333333"],
    ["{{ divf 2 3 }}", "0.6666666666666667"],
    ["{{ divf -2 3 }}", "-0.6666666666666667"],
    ["{{ divf 10 4 2 }}", "1.25"],
    ["{{ divf 1e-20 3 }}", "0"],
    ["{{ mulf 1e300 1e300 }}", "+Inf"],
  ];
  for (const [src, want] of cases) it(src, () => assert.equal(run(src), want));

  it("division by zero is an error, as the decimal library's panic", () => {
    fails("{{ divf 1 0 }}", {}, /error calling divf: decimal division by 0/);
  });
});

describe("sprig wrap and wrapWith", () => {
  const cases: Array<[string, string]> = [
    ['{{ wrap 5 "Hello World" }}', "Hello\nWorld"],
    ['{{ wrap 10 "The quick brown fox" }}', "The quick\nbrown fox"],
    ['{{ wrap 3 "abcdefgh ij" }}', "abcdefgh\nij"],
    ['{{ wrap 0 "a b" }}', "a\nb"],
    ['{{ wrap 20 "" }}', ""],
    ['{{ wrapWith 5 "\\t" "Hello World" }}', "Hello\tWorld"],
    ['{{ wrapWith 3 "|" "abcdefgh ij" }}', "abc|def|gh|ij"],
    // goutils skips leading spaces of a line and keeps the one before the last break space.
    ['{{ wrap 4 "  ab  cd" }}', "ab \ncd"],
  ];
  for (const [src, want] of cases) it(src, () => assert.equal(run(src), want));
});

describe("sprig random values", () => {
  it("random strings draw from goutils' character sets, with the length asked", () => {
    const sets: Array<[string, RegExp]> = [
      ["randAlpha", /^[A-Za-z]{40}$/],
      ["randAlphaNum", /^[A-Za-z0-9]{40}$/],
      ["randNumeric", /^[0-9]{40}$/],
      ["randAscii", /^[\x20-\x7e]{40}$/],
    ];
    for (const [fn, re] of sets) {
      const a = run(`{{ ${fn} 40 }}`);
      assert.match(a, re, fn);
      assert.notEqual(run(`{{ ${fn} 40 }}`), a, `${fn} repeated itself`);
      assert.equal(run(`{{ ${fn} 0 }}|{{ ${fn} -3 }}`), "|", fn);
    }
  });

  it("randInt stays in [min, max) and refuses an empty range", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(run("{{ randInt -2 3 }}"));
    assert.deepEqual([...seen].sort(), ["-1", "-2", "0", "1", "2"]);
    fails("{{ randInt 3 3 }}", {}, /error calling randInt: invalid argument to Intn/);
  });

  it("randBytes is base64 of that many bytes; uuidv4 is a version 4 UUID; shuffle permutes", () => {
    assert.equal(Buffer.from(run("{{ randBytes 24 }}"), "base64").length, 24);
    assert.match(
      run("{{ uuidv4 }}"),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const s = run('{{ shuffle "abcdefghijklmnopqrstuvwxyzé" }}');
    assert.deepEqual([...s].sort(), [..."abcdefghijklmnopqrstuvwxyzé"].sort());
  });

  it("sizes are capped like every other function's output", () => {
    fails("{{ randAlpha 100000000 }}", {}, /exceeds the \d+-byte limit/);
    fails("{{ randBytes 100000000 }}", {}, /exceeds the \d+-byte limit/);
  });
});

describe("sprig AES", () => {
  it("encryptAES is AES-256-CBC with the IV in front, and decryptAES reads it back", () => {
    const secret = "the spec's secret";
    const out = run('{{ encryptAES "pw" .s }}', { s: secret });
    const raw = Buffer.from(out, "base64");
    assert.equal(raw.length, 16 + 32); // IV + 17 bytes padded to two blocks
    // Decrypted independently: key = password bytes zero-padded to 32.
    const key = Buffer.alloc(32);
    key.write("pw");
    const d = createDecipheriv("aes-256-cbc", key, raw.subarray(0, 16));
    const plain = Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString();
    assert.equal(plain, secret);
    assert.equal(run('{{ decryptAES "pw" .c }}', { c: out }), secret);
    assert.equal(run('{{ encryptAES "pw" "" }}|{{ decryptAES "pw" "" }}'), "|");
  });

  it("a password longer than 32 bytes is cut, and round trips still work", () => {
    const long = "p".repeat(40);
    assert.equal(decryptAES(long, encryptAES(long, "x")), "x");
    assert.equal(decryptAES("p".repeat(32), encryptAES(long, "x")), "x");
  });

  it("malformed input is an error where Go panics or fails", () => {
    fails(
      '{{ decryptAES "pw" "not base64!" }}',
      {},
      /error calling decryptAES: illegal base64 data/,
    );
    fails('{{ decryptAES "pw" "AAAA" }}', {}, /slice bounds out of range/);
    const oddLength = Buffer.alloc(16 + 5).toString("base64");
    fails(`{{ decryptAES "pw" "${oddLength}" }}`, {}, /input not full blocks/);
  });
});

describe("sprig odds and ends", () => {
  it("sha512sum, typeIsLike, hello", () => {
    assert.equal(
      run('{{ sha512sum "abc" }}'),
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    assert.equal(
      run('{{ typeIsLike "string" "a" }}|{{ typeIsLike "int" "a" }}|{{ typeIsLike "int" 1 }}'),
      "true|false|true",
    );
    assert.equal(run("{{ hello }}"), "Hello!");
  });
});

describe("sprig merge and mergeOverwrite (mergo's rules for two maps)", () => {
  const D = '{{ $d := dict "a" 1 "b" "" "n" (dict "x" 1) "l" (list 1) "z" 5 }}';
  const S = '{{ $s := dict "a" 9 "b" "x" "c" 3 "n" (dict "x" 2 "y" 3) "l" (list 2 3) "z" nil }}';
  const cases: Array<[string, string]> = [
    // Merge: only where dst has no value or an empty one; nested maps merge; nil is skipped.
    [`${D}${S}{{ merge $d $s | toJson }}`, '{"a":1,"b":"x","c":3,"l":[1],"n":{"x":1,"y":3},"z":5}'],
    [
      `${D}${S}{{ mergeOverwrite $d $s | toJson }}`,
      '{"a":9,"b":"x","c":3,"l":[2,3],"n":{"x":2,"y":3},"z":null}',
    ],
    // dst is changed in place and returned; of several sources the first to fill a key wins.
    [
      '{{ $d := dict }}{{ $_ := merge $d (dict "k" 1) (dict "k" 2 "j" 3) }}{{ toJson $d }}',
      '{"j":3,"k":1}',
    ],
    ['{{ mergeOverwrite (dict) (dict "k" 1) (dict "k" 2) | toJson }}', '{"k":2}'],
    // An empty list or map in dst takes src's; a non-map dst value stays without overwrite.
    [
      '{{ merge (dict "l" list "m" dict) (dict "l" (list 1) "m" (dict "q" 1)) | toJson }}',
      '{"l":[1],"m":{"q":1}}',
    ],
    ['{{ merge (dict "m" "text") (dict "m" (dict "q" 1)) | toJson }}', '{"m":"text"}'],
    ['{{ mergeOverwrite (dict "m" "text") (dict "m" (dict "q" 1)) | toJson }}', '{"m":{"q":1}}'],
    ['{{ mustMerge (dict "a" 0) (dict "a" 2) | toJson }}', '{"a":2}'],
    ['{{ mustMergeOverwrite (dict "a" 1) (dict "a" "") | toJson }}', '{"a":""}'],
  ];
  for (const [src, want] of cases) it(src, () => assert.equal(run(src), want));

  it("a map nested in itself is refused instead of recursing forever", () => {
    fails(
      '{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ merge $d $d }}',
      {},
      /error calling merge: maps nested deeper than 100 levels/,
    );
  });
});
