import assert from "node:assert/strict";
import {
  executeTemplate,
  parseTemplate,
  TemplateError,
  type ExecuteOptions,
} from "../../../src/lib/gotemplate/index.js";

/** Parses and executes a template. */
export function run(source: string, data: unknown = {}, opts: ExecuteOptions = {}): string {
  return executeTemplate(parseTemplate(source), data, opts);
}

/** Asserts that parsing or executing fails with a TemplateError whose message equals (or matches) `message`. */
export function fails(
  source: string,
  data: unknown,
  message: string | RegExp,
  opts: ExecuteOptions = {},
): TemplateError {
  let caught: unknown;
  try {
    run(source, data, opts);
  } catch (e) {
    caught = e;
  }
  assert.ok(
    caught instanceof TemplateError,
    `expected a TemplateError for ${source}, got ${String(caught)}`,
  );
  if (typeof message === "string") assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  return caught;
}

/** Asserts that parsing alone fails with exactly `message`. */
export function parseFails(source: string, message: string | RegExp): void {
  assert.throws(
    () => parseTemplate(source),
    (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}
