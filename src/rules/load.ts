// A spec from text: the parser's structural diagnostics plus checkSpec's semantic ones,
// every one located in the file.

import type { Diagnostic } from "../spec/diagnostic.js";
import { parseSpec, type ParsedSpec } from "../spec/index.js";
import { checkSpec } from "./check.js";

export type { ParsedSpec };

function position(d: Diagnostic): [number, number] {
  return [d.line ?? Number.MAX_SAFE_INTEGER, d.col ?? 0];
}

/** parseSpec + checkSpec; diagnostics sorted by position in the file. */
export function loadSpec(text: string, opts: { file?: string } = {}): ParsedSpec {
  const parsed = parseSpec(text, opts);
  if (parsed.spec === undefined || parsed.spec === null) return parsed;
  const semantic = checkSpec(parsed.spec).map((d): Diagnostic => {
    const pos = parsed.locate(d.path);
    const out: Diagnostic = { ...d };
    if (opts.file !== undefined) out.file = opts.file;
    if (pos !== undefined) {
      out.line = pos.line;
      out.col = pos.col;
    }
    return out;
  });
  const all = [...parsed.diagnostics, ...semantic];
  all.sort((a, b) => {
    const [la, ca] = position(a);
    const [lb, cb] = position(b);
    return la - lb || ca - cb;
  });
  return { ...parsed, diagnostics: all };
}
