import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fails, run } from "./helpers.js";

/** Each case: template, expected output (data is DATA). */
type Case = [string, string];

const DATA = {
  s: "Hello World",
  csv: "a,b,c",
  l: ["b", "a", "c"],
  n: ["3", "1"],
  m: { k: "v", z: "1", i: 0 },
  empty: "",
};

function table(name: string, cases: Case[]): void {
  describe(name, () => {
    for (const [src, want] of cases) {
      it(src, () => assert.equal(run(src, DATA), want));
    }
  });
}

table("sprig strings", [
  ['{{ trim "  a b \\n\\t" }}', "a b"],
  ['{{ trimAll "$-" "-$a$b$-" }}', "a$b"],
  ['{{ trimPrefix "Hello " .s }}|{{ trimPrefix "x" .s }}', "World|Hello World"],
  ['{{ trimSuffix " World" .s }}|{{ trimSuffix "x" .s }}', "Hello|Hello World"],
  ['{{ upper .s }}|{{ lower .s }}|{{ upper "straße" }}', "HELLO WORLD|hello world|STRAßE"],
  [
    '{{ title "hello wORLD-x_y 1st" }}|{{ untitle "Hello World" }}',
    "Hello WORLD-X_y 1st|hello world",
  ],
  ['{{ repeat 3 "ab" }}|{{ "x" | repeat 2 }}|{{ repeat 0 "a" }}', "ababab|xx|"],
  ["{{ substr 0 5 .s }}|{{ substr 6 100 .s }}|{{ substr -1 3 .s }}", "Hello|World|Hel"],
  ["{{ trunc 5 .s }}|{{ trunc -5 .s }}|{{ trunc 50 .s }}", "Hello|World|Hello World"],
  [
    '{{ abbrev 8 .s }}|{{ abbrev 3 .s }}|{{ abbrev 20 .s }}|{{ abbrevboth 5 10 "1234567890abcdefghij" }}',
    "Hello...|Hello World|Hello World|...6789...",
  ],
  ['{{ nospace " a b\\tc\\n" }}|{{ initials .s }}', "abc|HW"],
  ['{{ replace "o" "0" .s }}|{{ replace "" "-" "ab" }}', "Hell0 W0rld|-a-b-"],
  ['{{ contains "lo W" .s }}|{{ hasPrefix "He" .s }}|{{ hasSuffix "He" .s }}', "true|true|false"],
  [
    '{{ quote "a\\"b" 1 nil }}|{{ squote "a" 2 }}|{{ cat "a" 1 nil 2.5 }}',
    '"a\\"b" "1"|\'a\' \'2\'|a 1 2.5',
  ],
  ['{{ indent 2 "a\\nb" }}|{{ nindent 1 "x" }}', "  a\n  b|\n x"],
  [
    '{{ split "," .csv }}|{{ (split "," .csv)._1 }}|{{ splitList "," .csv }}|{{ splitn "," 2 .csv }}',
    "map[_0:a _1:b _2:c]|b|[a b c]|map[_0:a _1:b,c]",
  ],
  [
    '{{ splitList "" "ab" }}|{{ join "-" .l }}|{{ join "," (list 1 nil "x") }}|{{ join "," "solo" }}',
    "[a b]|b-a-c|1,x|solo",
  ],
  [
    '{{ sortAlpha .l }}|{{ sortAlpha (list 10 9 "a") }}|{{ toString 1.5 }}|{{ toStrings (list 1 "a" nil) }}',
    "[a b c]|[10 9 a]|1.5|[1 a]",
  ],
  [
    '{{ snakecase "FirstName" }}|{{ snakecase "HTTPServer" }}|{{ snakecase "GO-PATH" }}|{{ kebabcase "NoHTTPS" }}',
    "first_name|http_server|go_path|no-https",
  ],
  [
    '{{ camelcase "some_words" }}|{{ camelcase "http_server" }}|{{ camelcase "_complex__case_" }}',
    "SomeWords|HttpServer|_Complex_Case_",
  ],
  ['{{ swapcase "aBc" }}|{{ plural "one" "many" 1 }}|{{ plural "one" "many" 2 }}', "AbC|one|many"],
]);

table("sprig conversions and defaults", [
  ['{{ atoi "42" }}|{{ atoi "x" }}|{{ atoi "1.5" }}', "42|0|0"],
  [
    '{{ int "0x10" }}|{{ int "12.00" }}|{{ int 3.9 }}|{{ int true }}|{{ int "junk" }}|{{ int64 "-7" }}',
    "16|12|3|1|0|-7",
  ],
  [
    '{{ float64 "1.5" }}|{{ float64 3 }}|{{ float64 "x" }}|{{ printf "%T" (float64 1) }}',
    "1.5|3|0|float64",
  ],
  [
    '{{ default "d" "" }}|{{ default "d" "x" }}|{{ default "d" 0 }}|{{ default "d" (list) }}|{{ "" | default "p" }}',
    "d|x|d|d|p",
  ],
  [
    '{{ empty "" }}|{{ empty 0 }}|{{ empty (dict) }}|{{ empty "a" }}|{{ empty false }}|{{ empty nil }}',
    "true|true|true|false|true|true",
  ],
  ['{{ coalesce 0 "" "c" "d" }}|{{ coalesce 0 "" }}', "c|<no value>"],
  [
    '{{ ternary "y" "n" true }}|{{ ternary "y" "n" false }}|{{ eq 1 1 | ternary "a" "b" }}',
    "y|n|a",
  ],
  ['{{ all 1 "a" }}|{{ all 1 "" }}|{{ any 0 "" }}|{{ any 0 "x" }}', "true|false|false|true"],
  [
    '{{ typeOf 1 }}|{{ typeOf "s" }}|{{ kindOf (list) }}|{{ kindIs "map" .m }}|{{ deepEqual (list 1) (list 1) }}',
    "int|string|slice|true|true",
  ],
]);

table("sprig lists and dicts", [
  ['{{ list 1 "a" 2.5 }}|{{ list }}|{{ len (list 1 2) }}', "[1 a 2.5]|[]|2"],
  [
    "{{ first .l }}|{{ last .l }}|{{ rest .l }}|{{ initial .l }}|{{ first (list) }}",
    "b|c|[a c]|[b a]|<no value>",
  ],
  ['{{ append .l "d" }}|{{ prepend .l "z" }}|{{ .l }}', "[b a c d]|[z b a c]|[b a c]"],
  [
    '{{ uniq (list 1 1 "a" "a" 1) }}|{{ without (list 1 2 3 2) 2 }}|{{ has "a" .l }}|{{ has "q" .l }}',
    "[1 a]|[1 3]|true|false",
  ],
  [
    '{{ compact (list 1 0 "" "a" nil) }}|{{ reverse .l }}|{{ concat .l (list 1) }}',
    "[1 a]|[c a b]|[b a c 1]",
  ],
  [
    "{{ slice .l 1 }}|{{ slice .l 0 2 }}|{{ until 3 }}|{{ untilStep 1 7 2 }}|{{ seq 3 }}|{{ seq 5 -2 1 }}",
    "[a c]|[b a]|[0 1 2]|[1 3 5]|1 2 3|5 3 1",
  ],
  ["{{ chunk 2 (list 1 2 3) }}", "[[1 2] [3]]"],
  [
    '{{ dict "a" 1 "b" }}|{{ get .m "k" }}|{{ get .m "nope" }}|{{ hasKey .m "z" }}|{{ hasKey .m "q" }}',
    "map[a:1 b:]|v||true|false",
  ],
  [
    '{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}|{{ unset $d "a" }}',
    "map[a:1 b:2]|map[b:2]",
  ],
  ['{{ keys .m }}|{{ keys (dict "b" 1) (dict "a" 2) }}|{{ values .m }}', "[i k z]|[b a]|[0 v 1]"],
  [
    '{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }}|{{ pick .m "k" }}|{{ omit .m "k" }}',
    "[1 3]|map[k:v]|map[i:0 z:1]",
  ],
]);

table("sprig math", [
  ['{{ add 1 2 "3" }}|{{ add }}|{{ add1 5 }}|{{ sub 5 7 }}|{{ mul 2 3 4 }}', "6|0|6|-2|24"],
  ["{{ div 7 2 }}|{{ div -7 2 }}|{{ mod 7 3 }}|{{ mod -7 2 }}", "3|-3|1|-1"],
  ['{{ max 1 5 3 }}|{{ min 4 2 8 }}|{{ biggest 1 2 }}|{{ max "7" 2 }}', "5|2|2|7"],
  ["{{ add 9223372036854775807 1 }}", "-9223372036854775808"],
  ["{{ floor 1.7 }}|{{ ceil 1.2 }}|{{ round 3.14159 2 }}|{{ round 2.5 0 }}", "1|2|3.14|3"],
]);

table("sprig regular expressions (RE2)", [
  [
    '{{ regexMatch "^[a-z]+$" "abc" }}|{{ regexMatch "b" "abc" }}|{{ regexMatch "(" "x" }}',
    "true|true|false",
  ],
  ['{{ regexFind "[0-9]+" "ab123cd45" }}|{{ regexFind "z" "abc" }}', "123|"],
  [
    '{{ regexFindAll "[0-9]" "a1b2c3" -1 }}|{{ regexFindAll "[0-9]" "a1b2c3" 2 }}|{{ regexFindAll "a*" "baaac" -1 | printf "%q" }}',
    '[1 2 3]|[1 2]|["" "aaa" ""]',
  ],
  [
    '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}|{{ regexReplaceAll "a*" "baaac" "X" }}',
    "-W-xxW-|XbXcX",
  ],
  ['{{ regexReplaceAll "(?P<k>\\\\w+)=(\\\\w+)" "a=1" "$2:${k}:$1x:$$" }}', "1:a::$"],
  ['{{ regexReplaceAllLiteral "a(x*)b" "-axb-" "$1" }}', "-$1-"],
  [
    '{{ regexSplit "," "a,b,c" -1 }}|{{ regexSplit "," "a,b,c" 2 }}|{{ regexSplit "x*" "abc" -1 }}|{{ regexSplit "a" "" -1 | len }}',
    "[a b c]|[a b,c]|[a b c]|1",
  ],
  [
    '{{ regexFind "\\\\p{Greek}+" "abc αβγ" }}|{{ regexMatch "(?i)HELLO" "say hello" }}',
    "αβγ|true",
  ],
  ['{{ regexQuoteMeta "a.b*c" }}', "a\\.b\\*c"],
]);

table("sprig encodings", [
  ['{{ b64enc "hello é" }}|{{ b64dec "aGVsbG8gw6k=" }}', "aGVsbG8gw6k=|hello é"],
  [
    '{{ b64dec "!!" }}|{{ b64dec "aGVsbG8" }}',
    "illegal base64 data at input byte 0|illegal base64 data at input byte 4",
  ],
  [
    '{{ toJson .m }}|{{ toJson (list 1 2.5 "<&>" nil true) }}|{{ toJson "é\\n" }}',
    '{"i":0,"k":"v","z":"1"}|[1,2.5,"\\u003c\\u0026\\u003e",null,true]|"é\\n"',
  ],
  [
    '{{ toRawJson (list "<&>") }}|{{ toPrettyJson (dict "a" (list 1) "b" (dict)) }}',
    '["<&>"]|{\n  "a": [\n    1\n  ],\n  "b": {}\n}',
  ],
  [
    '{{ (fromJson "{\\"a\\": [1, 2.5], \\"b\\": null}").a }}|{{ printf "%T" (index (fromJson "[1]") 0) }}|{{ fromJson "{bad" }}',
    "[1 2.5]|float64|<no value>",
  ],
  [
    '{{ sha256sum "abc" }}|{{ sha1sum "abc" }}|{{ adler32sum "abc" }}',
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad|a9993e364706816aba3e25717850c26c9cd0d89d|38600999",
  ],
  [
    '{{ b32enc "hello" }}|{{ b32dec "NBSWY3DP" }}|{{ b32enc "a" }}|{{ b32dec "ME======" }}',
    "NBSWY3DP|hello|ME======|a",
  ],
  ['{{ toDecimal "0777" }}|{{ toDecimal 644 }}|{{ toDecimal "9" }}', "511|420|0"],
  [
    '{{ dig "a" "b" "def" (dict "a" (dict "b" 1)) }}|{{ dig "a" "x" "def" (dict "a" (dict "b" 1)) }}',
    "1|def",
  ],
  [
    '{{ $d := dict "a" (list 1) }}{{ $c := deepCopy $d }}{{ $_ := set $c "z" 1 }}{{ $d }} {{ $c }}',
    "map[a:[1]] map[a:[1] z:1]",
  ],
  [
    '{{ base "/a/b.txt" }}|{{ dir "/a/b.txt" }}|{{ ext "b.tar.gz" }}|{{ clean "a//b/../c/" }}|{{ isAbs "/x" }}',
    "b.txt|/a|.gz|a/c|true",
  ],
]);

table("sprig semverCompare (Masterminds/semver v3 rules)", [
  [
    '{{ semverCompare ">=1.2.3" "1.2.4" }}|{{ semverCompare ">=1.2.3" "1.2.2" }}|{{ semverCompare ">= 5.4" "v5.15.0" }}',
    "true|false|true",
  ],
  [
    '{{ semverCompare "^1.2" "1.9.0" }}|{{ semverCompare "^1.2" "2.0.0" }}|{{ semverCompare "^0.2.3" "0.2.9" }}|{{ semverCompare "^0.2.3" "0.3.0" }}',
    "true|false|true|false",
  ],
  [
    '{{ semverCompare "~1.2.3" "1.2.9" }}|{{ semverCompare "~1.2.3" "1.3.0" }}|{{ semverCompare "1.x" "1.5.0" }}|{{ semverCompare "*" "4.0.0" }}',
    "true|false|true|true",
  ],
  [
    '{{ semverCompare ">1.0, <2.0" "1.5.0" }}|{{ semverCompare "1.0 - 2.0" "2.0.0" }}|{{ semverCompare "<1.0 || >=3" "3.1.0" }}|{{ semverCompare "!=1.2.3" "1.2.3" }}',
    "true|true|true|false",
  ],
  [
    '{{ semverCompare ">=1.0.0" "1.1.0-beta" }}|{{ semverCompare ">=1.0.0-0" "1.1.0-beta" }}|{{ semverCompare "<1.0.0-rc.10" "1.0.0-rc.9" }}',
    "false|true|true",
  ],
]);

describe("sprig errors", () => {
  it("reports bad semver input", () => {
    fails(
      '{{ semverCompare "bad" "1.0.0" }}',
      {},
      /error calling semverCompare: improper constraint: bad/,
    );
    fails(
      '{{ semverCompare ">1" "x.y" }}',
      {},
      /error calling semverCompare: Invalid Semantic Version/,
    );
  });

  it("reports panics and errors as Go's error calling", () => {
    fails(
      "{{ div 1 0 }}",
      {},
      'template: 1:4: executing "div": error calling div: runtime error: integer divide by zero',
    );
    fails(
      '{{ regexFind "(" "x" }}',
      {},
      'template: 1:4: executing "regexFind": error calling regexFind: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`',
    );
    fails('{{ regexFind "a(?=b)" "ab" }}', {}, /invalid or unsupported Perl syntax/);
    fails('{{ first "abc" }}', {}, /error calling first: Cannot find first on type string/);
    fails(
      "{{ append nil 1 }}",
      {},
      /error calling append: runtime error: invalid memory address or nil pointer dereference/,
    );
    fails(
      '{{ substr 5 2 "abc" }}',
      {},
      /error calling substr: runtime error: slice bounds out of range/,
    );
    fails('{{ repeat -1 "a" }}', {}, /negative Repeat count/);
    fails('{{ fail "custom stop" }}', {}, /error calling fail: custom stop/);
    fails('{{ mustFromJson "{" }}', {}, /error calling mustFromJson/);
    fails('{{ get "x" "k" }}', {}, /can't handle "x" for arg of type map\[string\]interface \{\}/);
    fails(
      '{{ get .s "k" }}',
      DATA,
      /wrong type for value; expected map\[string\]interface \{\}; got string/,
    );
  });
});
