// parseSpec: YAML/JSON text -> Spec model + located diagnostics. Never throws.

import { LineCounter, parseAllDocuments, type Document, type YAMLError } from "yaml";
import type { Diagnostic, SpecPath } from "./diagnostic.js";
import type { Spec } from "./model.js";
import { buildSpec } from "./build.js";
import { ExpansionLimit, MAX_ALIAS_EXPANSIONS, pathKey, Reader, type Position } from "./reader.js";

/** Specs are small documents; anything bigger is refused before parsing. */
export const MAX_SPEC_BYTES = 4 * 1024 * 1024;

export interface ParsedSpec {
  /** Null only when errors prevent building a model (not YAML, not a mapping...). */
  spec: Spec | null;
  diagnostics: Diagnostic[];
  /** Where `path` is written (1-based); the nearest written ancestor if it is not. */
  locate(path: SpecPath): Position | undefined;
  file?: string;
}

export function parseSpec(text: string, opts: { file?: string } = {}): ParsedSpec {
  const { file } = opts;
  const positions = new Map<string, Position>();
  const diagnostics: Diagnostic[] = [];
  const result: ParsedSpec = {
    spec: null,
    diagnostics,
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const p = positions.get(pathKey(path.slice(0, n)));
        if (p) return { ...p };
      }
      return undefined;
    },
  };
  if (file !== undefined) result.file = file;
  const fail = (code: string, message: string, hint: string, pos?: Position): ParsedSpec => {
    const d: Diagnostic = { severity: "error", code, message, hint, path: [] };
    if (file !== undefined) d.file = file;
    if (pos) [d.line, d.col] = [pos.line, pos.col];
    diagnostics.push(d);
    return result;
  };

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SPEC_BYTES)
    return fail(
      "too-large",
      `the spec is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} (4 MiB)`,
      "a compatibility spec is a small document; check that this is the right file",
    );

  const lines = new LineCounter();
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
    return fail(
      "yaml-syntax",
      `cannot parse the spec: ${e instanceof Error ? e.message : String(e)}`,
      "check the YAML syntax",
    );
  }
  const doc = docs[0];
  if (doc === undefined)
    return fail("empty-spec", "the spec is empty", "start with: version: v1alpha1", {
      line: 1,
      col: 1,
    });

  const syntax = doc.errors.map((e) => yamlDiagnostic(e, lines, file, "error"));
  if (docs.length > 1) {
    const second = docs[1];
    const pos = second?.range ? lines.linePos(second.range[0]) : undefined;
    syntax.push(
      located(
        {
          severity: "error",
          code: "multiple-documents",
          message: "the spec holds more than one YAML document",
          hint: "keep one document (remove the --- separator and what follows)",
          path: [],
        },
        pos,
        file,
      ),
    );
  }
  for (const w of doc.warnings)
    if (!isStandardTagWarning(w)) syntax.push(yamlDiagnostic(w, lines, file, "warning"));
  diagnostics.push(...syntax);
  if (
    syntax.some(
      (d) =>
        d.severity === "error" && d.code !== "multiple-documents" && d.code !== "duplicate-key",
    )
  )
    return result;

  const reader = new Reader(doc, lines, file);
  try {
    result.spec = buildSpec(reader, reader.deref(doc.contents));
  } catch (e) {
    if (!(e instanceof ExpansionLimit) && !(e instanceof RangeError)) throw e;
    diagnostics.push(...reader.diagnostics);
    return fail(
      e instanceof ExpansionLimit ? "alias-limit" : "too-deep",
      e instanceof ExpansionLimit
        ? `the spec expands more than ${MAX_ALIAS_EXPANSIONS} aliases`
        : "the spec nests too deeply to read",
      "write the spec without so many aliases or so much nesting",
    );
  }
  diagnostics.push(...reader.diagnostics);
  for (const [k, v] of reader.positions) positions.set(k, v);
  // Reading order is by structure; users read files top to bottom.
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  return result;
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
