import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  executeTemplate,
  parseTemplate,
  TemplateError,
} from "../../../src/lib/gotemplate/index.js";

const WORDS = [
  "{{",
  "}}",
  "{{- ",
  " -}}",
  ".",
  ".a",
  ".l",
  "$",
  "$x",
  ":=",
  "=",
  "|",
  "(",
  ")",
  '"s"',
  "`r`",
  "'c'",
  "1",
  "-2",
  "1.5",
  "0x1f",
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
  "nil",
  "true",
  ",",
  "printf",
  '"%d %s %v"',
  "index",
  "len",
  "slice",
  "eq",
  "lt",
  "and",
  "or",
  "not",
  "print",
  "html",
  "upper",
  "repeat",
  "substr",
  "split",
  "join",
  "list",
  "dict",
  "set",
  "append",
  "first",
  "uniq",
  "add",
  "div",
  "regexFind",
  '"a*"',
  "toJson",
  "fromJson",
  "default",
  "ternary",
  "int",
  "until",
  "b64dec",
  "/*",
  "*/",
  "\n",
];

describe("gotemplate on arbitrary input", () => {
  it("either succeeds or throws a TemplateError", () => {
    const data = { a: { b: "c" }, l: [1, "two", null, { k: "v" }] };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...WORDS), { maxLength: 24 }),
        fc.boolean(),
        (words, wrap) => {
          const src = wrap
            ? words.map((w, i) => (i % 4 === 0 ? "{{ " + w : i % 4 === 3 ? w + " }}" : w)).join(" ")
            : words.join(" ");
          try {
            executeTemplate(parseTemplate(src), data, { maxSteps: 5000 });
          } catch (e) {
            assert.ok(e instanceof TemplateError, `${JSON.stringify(src)}: ${String(e)}`);
            assert.match(e.message, /^template: /);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("copies text without actions unchanged", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!s.includes("{{"));
        assert.equal(executeTemplate(parseTemplate(s), {}), s);
      }),
      { numRuns: 500 },
    );
  });
});
