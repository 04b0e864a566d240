// Walks the YAML node tree for the spec builder: positions, diagnostics, aliases and the
// Go-like reading of scalars and objects (case-insensitive fields, merge keys).

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
  type Scalar,
  type YAMLMap,
} from "yaml";
import type { Diagnostic, SpecPath } from "./diagnostic.js";
import { closest, goFold } from "./suggest.js";
import { goMapKey, resolvePlain, type Yaml11Scalar } from "./yaml11.js";

export interface Position {
  line: number;
  col: number;
}

/** Thrown (and turned into one diagnostic) when aliases expand beyond reason. */
export class ExpansionLimit extends Error {}

/** Alias dereferences allowed while reading one spec (a billion-laughs guard). */
export const MAX_ALIAS_EXPANSIONS = 10_000;

export interface Field {
  /** The key as written (differs from the field name in case only). */
  written: string;
  key: Node;
  value: Node | null;
  /** Came in through a merge key (`<<`), which later keys may override. */
  merged: boolean;
}

interface Entry {
  key: string;
  keyNode: Node;
  value: Node | null;
  merged: boolean;
}

export function pathKey(path: SpecPath): string {
  return JSON.stringify(path);
}

const GO_TAGGED = /^tag:yaml\.org,2002:(bool|int|float|null|timestamp)$/;

export class Reader {
  readonly diagnostics: Diagnostic[] = [];
  readonly positions = new Map<string, Position>();
  private aliases = 0;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file?: string,
  ) {}

  pos(node: Node | null | undefined): Position | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    return this.lines.linePos(offset);
  }

  /** Remember where `path` is, for the locator. */
  record(path: SpecPath, node: Node | null | undefined): void {
    const p = this.pos(node);
    if (p) this.positions.set(pathKey(path), p);
  }

  report(
    severity: Diagnostic["severity"],
    code: string,
    message: string,
    hint: string,
    path: SpecPath,
    node?: Node | null,
  ): void {
    const p = this.pos(node) ?? this.positions.get(pathKey(path));
    const d: Diagnostic = { severity, code, message, hint, path: [...path] };
    if (this.file !== undefined) d.file = this.file;
    if (p) [d.line, d.col] = [p.line, p.col];
    this.diagnostics.push(d);
  }

  /** The node an alias points at (counted), or the node itself. */
  deref(node: unknown): Node | null {
    let n = node;
    while (isAlias(n)) {
      if (++this.aliases > MAX_ALIAS_EXPANSIONS) throw new ExpansionLimit();
      n = n.resolve(this.doc);
    }
    return n === undefined || n === null ? null : (n as Node);
  }

  /** What Go sees in a scalar: its YAML 1.1 type and the string it becomes. */
  scalar(node: Scalar): Yaml11Scalar & { plain: boolean; source: string } {
    const source = String(node.value ?? "");
    const tag = node.tag;
    if (tag === "tag:yaml.org,2002:str" || (tag !== undefined && !GO_TAGGED.test(tag)))
      return { kind: "string", text: source, plain: false, source };
    const plain = node.type === "PLAIN" || node.type === undefined;
    if (!plain && tag === undefined) return { kind: "string", text: source, plain, source };
    return { ...resolvePlain(source), plain, source };
  }

  /**
   * The entries of a mapping with known fields, Go's way: exact names first, then a
   * case-insensitive match (warned), unknown names refused with a suggestion.
   */
  fields(
    map: YAMLMap,
    path: SpecPath,
    known: readonly string[],
    what: string,
    elsewhere: Readonly<Record<string, string>> = {},
  ): Record<string, Field> {
    const out = Object.create(null) as Record<string, Field>;
    for (const { key, keyNode, value, merged } of this.entries(map, path)) {
      let name = known.find((k) => k === key);
      if (name === undefined) {
        name = known.find((k) => goFold(k) === goFold(key));
        if (name !== undefined)
          this.report(
            "warning",
            "field-case",
            `field "${key}" is read as "${name}" (field names match case-insensitively)`,
            `write "${name}"`,
            [...path, name],
            keyNode,
          );
      }
      if (name === undefined) {
        const where = elsewhere[goFold(key)];
        const guess = closest(key, known);
        const hint = where
          ? `"${key}" belongs ${where}`
          : guess
            ? `did you mean "${guess}"? (${what} has: ${known.join(", ")})`
            : `${what} has: ${known.join(", ")}`;
        this.report(
          "error",
          "unknown-field",
          `unknown field "${key}" in ${what}`,
          hint,
          [...path, key],
          keyNode,
        );
        continue;
      }
      const prev = out[name];
      // Exact repeats are reported by the YAML parser (duplicate-key).
      if (prev !== undefined && !prev.merged && !merged && prev.written !== key) {
        this.report(
          "error",
          "duplicate-field",
          `field "${name}" is given twice (as "${prev.written}" and "${key}")`,
          "keep one of them",
          [...path, name],
          keyNode,
        );
      }
      out[name] = { written: key, key: keyNode, value, merged };
      this.record(
        [...path, name],
        value && (isMap(value) || isSeq(value)) ? keyNode : (value ?? keyNode),
      );
    }
    return out;
  }

  /**
   * Key/value pairs of a mapping as Go strings, with YAML 1.1 merge keys (`<<`) expanded
   * the way go-yaml v2 does (later entries override earlier ones).
   */
  entries(map: YAMLMap, path: SpecPath, merged = false): Entry[] {
    const out: Entry[] = [];
    for (const pair of map.items) {
      const keyNode = this.deref(pair.key);
      const value = this.deref(pair.value);
      if (!keyNode || !isScalar(keyNode)) {
        this.report(
          "error",
          "wrong-type",
          "a mapping key must be a plain string",
          "use a string key",
          path,
          keyNode ?? map,
        );
        continue;
      }
      const s = this.scalar(keyNode);
      if (s.plain && s.source === "<<") {
        const sources =
          value && isSeq(value) ? [...value.items].reverse().map((i) => this.deref(i)) : [value];
        for (const src of sources) {
          if (src && isMap(src)) out.push(...this.entries(src, path, true));
          else
            this.report(
              "error",
              "wrong-type",
              "a merge key (<<) needs a mapping or a list of mappings",
              "merge an anchored mapping: <<: *name",
              path,
              keyNode,
            );
        }
        continue;
      }
      const key = s.plain ? goMapKey(s.source) : s.text;
      if (key === null) {
        this.report(
          "error",
          "wrong-type",
          `the key \`${s.source}\` cannot be a Go map key`,
          "quote the key",
          path,
          keyNode,
        );
        continue;
      }
      out.push({ key, keyNode, value, merged });
    }
    return out;
  }
}

export function kindOf(node: Node | null, r: Reader): string {
  if (node === null) return "null";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const k = r.scalar(node).kind;
    return k === "null"
      ? "null"
      : k === "bool"
        ? "a boolean"
        : k === "int" || k === "float"
          ? "a number"
          : "a string";
  }
  return "something else";
}
