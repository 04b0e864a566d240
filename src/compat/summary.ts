// What a spec holds, in a line of discover's listing: its sets, their tags, whether it
// passes the checks validate-node makes.

import { loadSpec } from "../rules/index.js";
import { hasErrors } from "../spec/diagnostic.js";
import type { CompatibilitySet } from "../spec/model.js";

export interface SpecSummary {
  sets: number;
  /** The sets' tags, each once, in the spec's order. */
  tags: string[];
  /** No error diagnostics: validate-node would use it. */
  valid: boolean;
}

export function summariseSpec(text: string, file: string): SpecSummary {
  const parsed = loadSpec(text, { file });
  const sets: readonly CompatibilitySet[] = parsed.spec?.compatibilities ?? [];
  const tags = [
    ...new Set(sets.flatMap((s) => (s.tag !== undefined && s.tag !== "" ? [s.tag] : []))),
  ];
  return { sets: sets.length, tags, valid: !hasErrors(parsed.diagnostics) };
}
