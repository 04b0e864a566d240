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
import { quoted } from "../lib/text/untrusted.js";

export interface Position {
  line: number;
  col: number;
}

/** Thrown (and turned into one diagnostic) when aliases expand beyond reason. */
export class ExpansionLimit extends Error {}

/** Alias dereferences allowed while reading one spec (a billion-laughs guard). */
export const MAX_ALIAS_EXPANSIONS = 10_000;
/** Nodes read while building one spec, aliases expanded (bounds the model's size). */
export const MAX_NODES = 2_000_000;

export type ScalarReading = Yaml11Scalar & { plain: boolean; source: string };

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

const GO_TAGGED = /^tag:yaml\.org,2002:(bool|int|float|null|timestamp)$/;

export class Reader {
  readonly diagnostics: Diagnostic[] = [];
  private aliases = 0;
  private nodes = 0;

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

  /**
   * Where `path` is written: a scalar at its value, a mapping or list at its key (or its
   * first character when it has none); the nearest ancestor when the path goes further
   * than the document. Walked on demand, so reading a big spec records nothing.
   */
  locate(path: SpecPath): Position | undefined {
    let node = this.resolveQuietly(this.doc.contents);
    let at: Node | null = node;
    for (const seg of path) {
      let next: Node | null | undefined;
      let place: Node | null = null;
      if (typeof seg === "number" && node && isSeq(node)) {
        const item = node.items[seg];
        next = this.resolveQuietly(item);
        place = next ?? (isAlias(item) ? item : null);
      } else if (typeof seg === "string" && node && isMap(node)) {
        const entries = this.entries(node, [], false, true);
        const hit =
          entries.findLast((e) => e.key === seg) ??
          entries.findLast((e) => goFold(e.key) === goFold(seg));
        if (hit) {
          next = hit.value;
          // Collections and empty values are shown at their key.
          const empty = next === null || (isScalar(next) && next.range?.[0] === next.range?.[1]);
          place = empty || isMap(next) || isSeq(next) ? hit.keyNode : next;
        }
      }
      if (next === undefined || place === null) break;
      [node, at] = [next, place];
    }
    return this.pos(at);
  }

  private resolveQuietly(node: unknown): Node | null {
    let n = node;
    for (let hops = 0; isAlias(n) && hops < 100; hops++) n = n.resolve(this.doc);
    return n === undefined || n === null || isAlias(n) ? null : (n as Node);
  }

  report(
    severity: Diagnostic["severity"],
    code: string,
    message: string,
    hint: string,
    path: SpecPath,
    node?: Node | null,
  ): void {
    const p = this.pos(node) ?? this.locate(path) ?? { line: 1, col: 1 };
    const d: Diagnostic = { severity, code, message, hint, path: [...path] };
    if (this.file !== undefined) d.file = this.file;
    if (p) [d.line, d.col] = [p.line, p.col];
    this.diagnostics.push(d);
  }

  /** The node an alias points at (counted), or the node itself. */
  deref(node: unknown): Node | null {
    if (++this.nodes > MAX_NODES) throw new ExpansionLimit();
    let n = node;
    while (isAlias(n)) {
      if (++this.aliases > MAX_ALIAS_EXPANSIONS) throw new ExpansionLimit();
      const target = n.resolve(this.doc);
      if (target === undefined) {
        this.report(
          "error",
          "unknown-alias",
          `the alias *${n.source} refers to no anchor`,
          `define &${n.source} before using *${n.source}`,
          [],
          n,
        );
        return null;
      }
      n = target;
    }
    return n === undefined || n === null ? null : (n as Node);
  }

  /** What Go sees in a scalar: its YAML 1.1 type and the string it becomes. */
  scalar(node: Scalar): ScalarReading {
    const source = String(node.value ?? "");
    const tag = node.tag;
    if (tag === "tag:yaml.org,2002:str" || (tag !== undefined && !GO_TAGGED.test(tag)))
      return { kind: "string", text: source, plain: false, source };
    const plain = node.type === "PLAIN" || node.type === undefined;
    if (!plain && tag === undefined) return { kind: "string", text: source, plain, source };
    const r = resolvePlain(source) as ScalarReading;
    r.plain = plain;
    r.source = source;
    return r;
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
          `unknown field ${quoted(key)} in ${what}`,
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
    }
    return out;
  }

  /**
   * Key/value pairs of a mapping as Go strings, with YAML 1.1 merge keys (`<<`) expanded
   * the way go-yaml v2 does (later entries override earlier ones).
   */
  entries(map: YAMLMap, path: SpecPath, merged = false, quiet = false): Entry[] {
    const out: Entry[] = [];
    const deref = (n: unknown) => (quiet ? this.resolveQuietly(n) : this.deref(n));
    const report = quiet ? () => undefined : this.report.bind(this);
    for (const pair of map.items) {
      const keyNode = deref(pair.key);
      const value = deref(pair.value);
      if (!keyNode || !isScalar(keyNode)) {
        report(
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
          value && isSeq(value) ? [...value.items].reverse().map((i) => deref(i)) : [value];
        for (const src of sources) {
          if (src && isMap(src)) out.push(...this.entries(src, path, true, quiet));
          else
            report(
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
        report(
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
