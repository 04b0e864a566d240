// A problem found in a spec, located by its path in the document and, when known, its
// position in the file (1-based line and column).

import { printable, quoted } from "../lib/text/untrusted.js";

export type SpecPath = ReadonlyArray<string | number>;

export interface Diagnostic {
  severity: "error" | "warning";
  /** Stable identifier, e.g. `unknown-field`, `op-arity`, `unquoted-scalar`. */
  code: string;
  message: string;
  /** One line telling how to fix it. */
  hint?: string;
  path: SpecPath;
  file?: string;
  line?: number;
  col?: number;
}

/** `compatibilities[0].rules[1].matchFeatures[0].matchExpressions["vfio-pci"]` */
export function formatPath(path: SpecPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${quoted(part)}]`;
  }
  return out;
}

/**
 * `file:line:col: error: message (at path)` followed by the hint on its own line, for a
 * terminal: messages quote the spec, so control characters are escaped.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file ?? "<spec>", d.line, d.col].filter((x) => x !== undefined).join(":");
  const at = d.path.length > 0 ? ` (at ${formatPath(d.path)})` : "";
  const hint = d.hint ? `\n  hint: ${printable(d.hint)}` : "";
  return `${printable(`${where}: ${d.severity}: ${d.message}${at}`)}${hint}`;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}
