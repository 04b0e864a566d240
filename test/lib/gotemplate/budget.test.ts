// A step budget shared by several executions, and regexp work charged to it.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  executeTemplate,
  parseTemplate,
  TemplateError,
} from "../../../src/lib/gotemplate/index.js";

describe("shared step budget", () => {
  it("is charged by every execution and stops the one that spends it", () => {
    const t = parseTemplate("{{ range 1000 }}{{ end }}ok");
    const budget = { remaining: 2500 };
    assert.equal(executeTemplate(t, {}, { budget }), "ok");
    assert.equal(executeTemplate(t, {}, { budget }), "ok");
    assert.ok(budget.remaining < 500);
    assert.throws(
      () => executeTemplate(t, {}, { budget }),
      (e: unknown) => e instanceof TemplateError && /shared step budget is spent/.test(e.message),
    );
  });

  it("charges a regexp search by input length times pattern length", () => {
    const t = parseTemplate('{{ regexMatch "^(?:a|b)+$" .s }}');
    const budget = { remaining: 1_000_000 };
    assert.equal(executeTemplate(t, { s: "ab".repeat(5000) }, { budget }), "true");
    // 10,001 characters × 11 pattern characters, plus a few steps.
    assert.ok(budget.remaining <= 1_000_000 - 110_011, String(budget.remaining));
    const small = { remaining: 50_000 };
    assert.throws(
      () => executeTemplate(t, { s: "ab".repeat(5000) }, { budget: small }),
      TemplateError,
    );
  });
});
