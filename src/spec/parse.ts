// parseSpec: YAML/JSON text -> Spec model + located diagnostics. Never throws.

import { LineCounter, parseAllDocuments, type Document, type YAMLError } from "yaml";
import type { Diagnostic, SpecPath } from "./diagnostic.js";
import type { Spec } from "./model.js";
import { buildSpec } from "./build.js";
import { MAX_SPEC_BYTES, MAX_SPEC_SIZE } from "./limits.js";
import {
  ExpansionLimit,
  MAX_ALIAS_EXPANSIONS,
  MAX_NODES,
  Reader,
  type Position,
} from "./reader.js";

export { MAX_SPEC_BYTES } from "./limits.js";

/**
 * Flow collections (`[`, `{`) nested deeper than this are refused before parsing: the
 * YAML parser recurses per level and takes seconds to fail on a million of them.
 */
const MAX_FLOW_DEPTH = 256;

export interface ParsedSpec {
  /** Null only when errors prevent building a model (not YAML, not a mapping...). */
  spec: Spec | null;
  diagnostics: Diagnostic[];
  /** Where `path` is written (1-based); the nearest written ancestor if it is not. */
  locate(path: SpecPath): Position | undefined;
  file?: string;
}

const START: Position = { line: 1, col: 1 };

export function parseSpec(text: string, opts: { file?: string } = {}): ParsedSpec {
  const { file } = opts;
  const diagnostics: Diagnostic[] = [];
  const result: ParsedSpec = { spec: null, diagnostics, locate: () => undefined };
  if (file !== undefined) result.file = file;
  const fail = (code: string, message: string, hint: string, pos: Position = START): ParsedSpec => {
    diagnostics.push(located({ severity: "error", code, message, hint, path: [] }, pos, file));
    return result;
  };

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SPEC_BYTES)
    return fail(
      "too-large",
      `the spec is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} (${MAX_SPEC_SIZE})`,
      "a compatibility spec is a small document; check that this is the right file",
    );
  const lines = new LineCounter();
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    lines.addNewLine(0);
    for (let i = text.indexOf("\n"); i >= 0 && i < deep; i = text.indexOf("\n", i + 1))
      lines.addNewLine(i + 1);
    return fail(
      "too-deep",
      `the spec nests more than ${MAX_FLOW_DEPTH} levels of [ ] or { }`,
      "a compatibility spec needs only a few levels of nesting",
      lines.linePos(deep),
    );
  }

  let docs: Document[];
  try {
    // failsafe: every scalar stays text, so YAML 1.1 typing is done the Go way in yaml11.ts.
    const parsed = parseAllDocuments(text, {
      lineCounter: lines,
      schema: "failsafe",
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    return fail("yaml-syntax", `cannot parse the spec: ${errorText(e)}`, "check the YAML syntax");
  }
  const doc = docs[0];
  if (doc === undefined)
    return fail("empty-spec", "the spec is empty", "start with: version: v1alpha1");
  const reader = new Reader(doc, lines, file);
  result.locate = (path) => reader.locate(path);

  const syntax = doc.errors.map((e) => yamlDiagnostic(e, lines, file, "error"));
  const second = docs[1];
  if (second !== undefined) {
    const d: Diagnostic = {
      severity: "error",
      code: "multiple-documents",
      message: "the spec holds more than one YAML document",
      hint: "keep one document (remove the --- separator and what follows)",
      path: [],
    };
    syntax.push(located(d, second.range ? lines.linePos(second.range[0]) : START, file));
  }
  for (const w of doc.warnings)
    if (!isStandardTagWarning(w)) syntax.push(yamlDiagnostic(w, lines, file, "warning"));
  // The parser may report one overflow per level it unwinds: keep the first.
  diagnostics.push(
    ...syntax.filter(
      (d, i) => d.code !== "too-deep" || syntax.findIndex((x) => x.code === "too-deep") === i,
    ),
  );
  // A model is still built when the only errors leave the tree usable.
  const usable = syntax.every(
    (d) => d.severity !== "error" || d.code === "multiple-documents" || d.code === "duplicate-key",
  );
  if (usable) {
    try {
      result.spec = buildSpec(reader, reader.deref(doc.contents));
    } catch (e) {
      result.spec = null;
      if (e instanceof ExpansionLimit)
        fail(
          "alias-limit",
          `the spec expands to more than ${MAX_ALIAS_EXPANSIONS} aliases or ${MAX_NODES} nodes`,
          "write the spec without so many aliases",
        );
      else if (e instanceof RangeError)
        fail(
          "too-deep",
          "the spec nests too deeply to read",
          "a compatibility spec needs only a few levels of nesting",
        );
      else
        fail(
          "internal-error",
          `kompat could not read this spec: ${errorText(e)}`,
          "please report this with the spec",
        );
    }
    diagnostics.push(...reader.diagnostics);
  }
  // Reading order is by structure; users read files top to bottom.
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  return result;
}

/**
 * Offset where `[`/`{` nesting first exceeds MAX_FLOW_DEPTH. Brackets inside quoted or
 * plain scalars are counted too: real specs never come near the limit either way.
 */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function located(d: Diagnostic, pos: Position | undefined, file: string | undefined): Diagnostic {
  if (file !== undefined) d.file = file;
  if (pos) [d.line, d.col] = [pos.line, pos.col];
  return d;
}

// The standard YAML 1.1 tags (!!int, !!bool...) are read the Go way in yaml11.ts.
function isStandardTagWarning(w: YAMLError): boolean {
  return (
    w.code === "TAG_RESOLVE_FAILED" &&
    /tag:yaml\.org,2002:(bool|int|float|null|timestamp)/.test(w.message)
  );
}

function yamlDiagnostic(
  e: YAMLError,
  lines: LineCounter,
  file: string | undefined,
  severity: Diagnostic["severity"],
): Diagnostic {
  const pos = lines.linePos(e.pos[0]);
  const firstLine = (e.message.split("\n")[0] ?? "")
    .replace(/ at line \d+, column \d+:?$/, "")
    .trim();
  let code = severity === "error" ? "yaml-syntax" : "yaml-warning";
  let message = firstLine;
  let hint = "check the YAML syntax at this place";
  if (e.code === "DUPLICATE_KEY") {
    code = "duplicate-key";
    message = "this key is given twice in the same mapping";
    hint = "keep one of them (NFD would silently use the last)";
  } else if (/Maximum call stack/.test(firstLine)) {
    code = "too-deep";
    message = "the spec nests too deeply to read";
    hint = "a compatibility spec needs only a few levels of nesting";
  } else if (severity === "error") {
    message = `YAML syntax error: ${firstLine.charAt(0).toLowerCase()}${firstLine.slice(1)}`;
  }
  return located({ severity, code, message, hint, path: [] }, pos, file);
}
