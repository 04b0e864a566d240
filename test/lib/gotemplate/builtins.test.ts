import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fails, run } from "./helpers.js";

describe("gotemplate builtins", () => {
  it("and / or return an operand and short-circuit", () => {
    assert.equal(
      run('{{ and 1 "x" 2 }}|{{ and 1 0 2 }}|{{ or 0 "" "z" }}|{{ or 0 "" }}'),
      "2|0|z|",
    );
    // The failing field is never evaluated.
    assert.equal(run("{{ and false .missing }}|{{ or true .missing }}", {}), "false|true");
    assert.equal(run("{{ 5 | and 1 }}|{{ 0 | or 0 }}"), "5|0");
    assert.equal(run('{{ not 0 }}|{{ not "a" }}|{{ not .l }}', { l: [] }), "true|false|true");
  });

  it("len and index follow Go (bytes for strings)", () => {
    assert.equal(
      run('{{ len "héllo" }}|{{ len .l }}|{{ len .m }}', { l: [1, 2], m: { a: 1 } }),
      "6|2|1",
    );
    assert.equal(
      run('{{ index "abc" 1 }}|{{ index .l 1 }}|{{ index .m "a" 0 }}', {
        l: ["x", "y"],
        m: { a: ["z"] },
      }),
      "98|y|z",
    );
    assert.equal(run('{{ index .m "none" }}', { m: {} }), "<no value>");
    assert.equal(run("{{ index .l }}", { l: [1] }), "[1]");
    fails("{{ index .l 2 }}", { l: [1, 2] }, /error calling index: index out of range: 2/);
    fails("{{ index .l -1 }}", { l: [1] }, /error calling index: index out of range: -1/);
    fails('{{ index .l "a" }}', { l: [1] }, /cannot index slice\/array with type string/);
    fails("{{ index .m 1 }}", { m: {} }, /value has type int; should be string/);
    fails("{{ index 3 1 }}", {}, /can't index item of type int/);
    fails("{{ index nil 1 }}", {}, /index of untyped nil/);
    fails("{{ len nil }}", {}, /len of nil pointer/);
  });

  it("compares like Go's eq/ne/lt/le/gt/ge", () => {
    assert.equal(
      run(
        '{{ eq 1 1 }}|{{ eq "a" "b" "c" "a" }}|{{ eq 1.5 1.5 }}|{{ eq true true }}|{{ eq nil nil }}',
      ),
      "true|true|true|true|true",
    );
    assert.equal(
      run('{{ eq .x nil }}|{{ eq "a" nil }}|{{ ne 1 2 }}', { x: null }),
      "true|false|true",
    );
    assert.equal(
      run('{{ lt 1 2 }}|{{ le 2 2 }}|{{ gt 2.5 1.5 }}|{{ ge "b" "a" }}|{{ lt "B" "a" }}'),
      "true|true|true|true|true",
    );
    fails(
      '{{ eq 1 "1" }}',
      {},
      'template: 1:4: executing "eq": error calling eq: incompatible types for comparison',
    );
    fails("{{ eq 1 1.0 }}", {}, /incompatible types for comparison/);
    fails("{{ lt true false }}", {}, /invalid type for comparison/);
    fails("{{ lt .l .l }}", { l: [] }, /invalid type for comparison/);
    fails("{{ eq .l .l }}", { l: [1] }, /non-comparable types/);
    fails("{{ eq 1 }}", {}, /missing argument for comparison/);
  });

  it("escapes for HTML, JavaScript and URL queries", () => {
    assert.equal(
      run(`{{ html "<a href=\\"x\\">'&'</a>" }}`),
      "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
    assert.equal(
      run(`{{ js "it's \\"q\\" <b> & = \\\\" }}`),
      'it\\\'s \\"q\\" \\u003Cb\\u003E \\u0026 \\u003D \\\\',
    );
    assert.equal(run('{{ urlquery "a b&c=d/é" }}'), "a+b%26c%3Dd%2F%C3%A9");
    assert.equal(run("{{ html 1 2 }}|{{ urlquery .x }}", { x: null }), "1 2|%3Cno+value%3E");
  });

  it("print, println and slice", () => {
    assert.equal(run('{{ print 1 2 "a" "b" 3 nil }}'), "1 2ab3 <nil>");
    assert.equal(run('{{ println "a" 1 }}'), "a 1\n");
    assert.equal(
      run("{{ slice .l 1 }}|{{ slice .l 0 1 }}|{{ slice .l }}", { l: [1, 2, 3] }),
      "[2 3]|[1]|[1 2 3]",
    );
    fails(
      '{{ slice "abc" 1 }}',
      {},
      /error calling slice: list should be type of slice or array but string/,
    );
  });

  it("call invokes functions found in the data", () => {
    assert.equal(
      run("{{ call .f 2 3 }}", { f: (a: unknown, b: unknown) => Number(a) * Number(b) }),
      "6",
    );
    fails("{{ call .x }}", { x: "s" }, /error calling call: non-function of type string/);
    fails(
      "{{ call .f }}",
      {
        f: () => {
          throw new Error("boom");
        },
      },
      /error calling call: boom/,
    );
  });
});

describe("gotemplate printf", () => {
  const cases: [string, string][] = [
    ['"%s|%5s|%-5s|%.2s|%05s" "ab" "ab" "ab" "abc" "ab"', "ab|   ab|ab   |ab|   ab"],
    [
      '"%d|%5d|%-5d|%05d|%+d|% d|%x|%X|%#x|%o|%#o|%O|%b" 42 42 42 -42 42 42 255 255 255 8 8 8 5',
      "42|   42|42   |-0042|+42| 42|ff|FF|0xff|10|010|0o10|101",
    ],
    ['"%.3d|%8.3d" 7 -7', "007|    -007"],
    [
      '"%f|%.2f|%8.3f|%-8.1f|%08.2f|%+.1f" 3.14159 3.14159 3.14159 2.5 -3.5 2.0',
      "3.141590|3.14|   3.142|2.5     |-0003.50|+2.0",
    ],
    [
      '"%e|%.2E|%g|%g|%g|%.3g|%G" 1234.5678 0.000123 100000.0 1000000.0 0.00001 3.14159 1e-7',
      "1.234568e+03|1.23E-04|100000|1e+06|1e-05|3.14|1E-07",
    ],
    ['"%.0f %.0f %.0f %.1f %.2f" 0.5 1.5 2.5 0.25 1.005', "0 2 2 0.2 1.00"],
    ['"%v|%v|%v|%v|%v" 1.0 2.5 1e21 123456789.0 -0.0', "1|2.5|1e+21|1.23456789e+08|-0"],
    [
      '"%t|%v|%c|%c|%U|%#U|%q|%q" true false 65 233 65 233 65 "a\\"b\\n"',
      "true|false|A|é|U+0041|U+00E9 'é'|'A'|\"a\\\"b\\n\"",
    ],
    ['"%x|% x|%X|%#x" "hi" "hi" "hi" "hi"', "6869|68 69|6869|0x6869"],
    ['"%q|%+q|%#q" "é\\t" "é" "raw"', '"é\\t"|"\\u00e9"|`raw`'],
    ['"%d%%|%5.1f%%" 50 99.5', "50%| 99.5%"],
    [
      '"%T|%T|%T|%T|%T|%T" 1 1.5 "s" true .l .m',
      "int|float64|string|bool|[]interface {}|map[string]string",
    ],
    [
      '"%v|%d|%s|%#v|%#v" .l .n .l .l .m',
      '[a 1]|[1 2]|[a %!s(int=1)]|[]interface {}{"a", 1}|map[string]string{"k":"v"}',
    ],
    ['"%v|%+v" .m .m', "map[k:v]|map[k:v]"],
    ['"%*d|%-*d|%.*f" 4 7 4 7 2 3.14159', "   7|7   |3.14"],
    ['"%[2]s %[1]s" "a" "b"', "b a"],
  ];
  for (const [args, want] of cases) {
    it(`printf ${args}`, () => {
      assert.equal(run(`{{ printf ${args} }}`, { l: ["a", 1], n: [1, 2], m: { k: "v" } }), want);
    });
  }

  it("marks bad verbs, missing and extra arguments as Go does", () => {
    assert.equal(run('{{ printf "%d" "x" }}'), "%!d(string=x)");
    assert.equal(run('{{ printf "%s" 1 }}'), "%!s(int=1)");
    assert.equal(run('{{ printf "%f" 1 }}'), "%!f(int=1)");
    assert.equal(run('{{ printf "%d" nil }}'), "%!d(<nil>)");
    assert.equal(run('{{ printf "%s %d" "a" }}'), "a %!d(MISSING)");
    assert.equal(run('{{ printf "%s" "a" 1 "b" }}'), "a%!(EXTRA int=1, string=b)");
    assert.equal(run('{{ printf "%z" 1 }}'), "%!z(int=1)");
    assert.equal(run('{{ printf "abc%" }}'), "abc%!(NOVERB)");
  });
});
