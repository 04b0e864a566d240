// Go text/template for `varsTemplate`, with Go's `missingkey=error` and Sprig's functions.
// No JavaScript library implements Go's template language, so kompat carries its own engine.
//
// Data: objects and Maps are Go maps; those whose values are all strings act as map[string]string
// (NFD's matched elements), the others as map[string]interface{}; arrays are []interface{}.
//
// Known differences from Go + Sprig: int and int64 are one type (Go rejects passing `add`'s int64
// where an int parameter is expected; this engine accepts it); `keys`/`values` come sorted (Go's map
// order is random); Sprig's date, URL, certificate, bcrypt, htpasswd and derivePassword functions
// are absent, and so are env, expandenv and getHostByName (NFD removes them, so templates stay
// hermetic); the random functions and encryptAES/decryptAES are there and, as in Sprig, give a
// different result on every run; `snakecase`/`kebabcase` keep digits with the preceding word;
// byte escapes above \x7f in string literals become that code point (JavaScript strings hold no
// raw bytes).
import { TemplateError } from "./errors.js";
import { execute, type StepBudget } from "./exec.js";
import { FUNCTIONS } from "./functions.js";
import { parse, type ParsedTree } from "./parser.js";
import { fromHost } from "./values.js";

export { TemplateError } from "./errors.js";
export type { StepBudget } from "./exec.js";

/** Largest template source parsed by default, in bytes: a guard on parse work (callers with a format's own limit check it first). */
const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024;
const DEFAULT_MAX_OUTPUT = 1024 * 1024;
const DEFAULT_MAX_STEPS = 1_000_000;

export interface Template {
  readonly source: string;
  /** Name used in execution messages for the top-level template. */
  readonly name: string;
  /** Names of templates defined with `define` or `block`. */
  readonly definedTemplates: readonly string[];
  /** @internal */
  readonly tree: ParsedTree;
}

export interface ExecuteOptions {
  /** Output cap in bytes (default 1 MiB). */
  maxOutput?: number;
  /** Step budget: nodes, commands, loop iterations and function work (default 1e6). */
  maxSteps?: number;
  /** A budget shared with other executions, charged as well as `maxSteps`. */
  budget?: StepBudget;
}

export interface ParseOptions {
  /** Name of the top-level template in messages (default "template"). */
  name?: string;
  /** Largest source accepted, in bytes (default DEFAULT_MAX_SOURCE_BYTES). */
  maxSourceBytes?: number;
}

/** Whether a template may call the function `name`. */
export function hasFunction(name: string): boolean {
  return FUNCTIONS.has(name);
}

/** Parses (and checks function names) like Go's template.New("").Option("missingkey=error").Funcs(sprig).Parse. */
export function parseTemplate(source: string, opts: ParseOptions = {}): Template {
  const size = Buffer.byteLength(source, "utf8");
  const max = opts.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES;
  if (size > max) {
    throw new TemplateError(`template: source is ${size} bytes, more than the ${max} allowed`);
  }
  const tree = parse(source, hasFunction);
  return {
    source,
    name: opts.name ?? "template",
    definedTemplates: [...tree.defined.keys()],
    tree,
  };
}

/** Executes over plain JS data: objects are Go maps, arrays are slices. */
export function executeTemplate(t: Template, data: unknown, opts: ExecuteOptions = {}): string {
  const limits = {
    maxOutput: opts.maxOutput ?? DEFAULT_MAX_OUTPUT,
    maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS,
    budget: opts.budget,
  };
  return execute(t.tree, FUNCTIONS, fromHost(data), limits, t.name);
}
