// Writing a node's features the way `nfd export features` prints them: Go's
// json.MarshalIndent with 4 spaces — struct fields in order (flags, attributes,
// instances), map keys sorted by bytes, <, > and & escaped — so the two can be diffed.

import { Document, isScalar, visit } from "yaml";
import type { AttributeElements, Features } from "./nodefeatures.js";
import { sortStrings } from "../lib/go/strings.js";

/** A JSON string literal as Go's encoder writes it. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

type Node = string | { map: Array<[string, Node]> } | { list: Node[] };

function sortedMap<V>(rec: Record<string, V>, value: (v: V) => Node): Node {
  return { map: sortStrings(Object.keys(rec)).map((k) => [k, value(rec[k] as V)]) };
}

const strings = (elements: AttributeElements): Node => sortedMap(elements, (v) => v);

function tree(f: Features): Node {
  return {
    map: [
      [
        "flags",
        sortedMap(f.flags, (s) => ({
          map: [["elements", sortedMap(s.elements, () => ({ map: [] }))]],
        })),
      ],
      [
        "attributes",
        sortedMap(f.attributes, (s) => ({ map: [["elements", strings(s.elements)]] })),
      ],
      [
        "instances",
        sortedMap(f.instances, (s) => ({
          map: [
            [
              "elements",
              { list: s.elements.map((i) => ({ map: [["attributes", strings(i.attributes)]] })) },
            ],
          ],
        })),
      ],
    ],
  };
}

function write(node: Node, indent: string, out: string[]): void {
  if (typeof node === "string") {
    out.push(goJsonString(node));
    return;
  }
  const inner = `${indent}    `;
  if ("map" in node) {
    if (node.map.length === 0) return void out.push("{}");
    out.push("{\n");
    node.map.forEach(([k, v], i) => {
      out.push(`${inner}${goJsonString(k)}: `);
      write(v, inner, out);
      out.push(i < node.map.length - 1 ? ",\n" : "\n");
    });
    out.push(`${indent}}`);
    return;
  }
  if (node.list.length === 0) return void out.push("[]");
  out.push("[\n");
  node.list.forEach((v, i) => {
    out.push(inner);
    write(v, inner, out);
    out.push(i < node.list.length - 1 ? ",\n" : "\n");
  });
  out.push(`${indent}]`);
}

/** NFD's JSON (no trailing newline; NFD's Println adds one). */
export function featuresToJson(f: Features): string {
  const out: string[] = [];
  write(tree(f), "", out);
  return out.join("");
}

function toPlain(node: Node): unknown {
  if (typeof node === "string") return node;
  if ("list" in node) return node.list.map(toPlain);
  // A Map keeps key order even for integer-like keys, which a plain object would not.
  return new Map(node.map.map(([k, v]) => [k, toPlain(v)]));
}

/** Keys a YAML 1.1 reader (go-yaml v2, PyYAML) would not read back as strings. */
const YAML11_SPECIAL = /^(?:[yYnN~]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/**
 * The same document as YAML (same order). Every value is double-quoted, so that no YAML
 * reader, 1.1 or 1.2, takes `y`, `on` or `0302` for anything but a string.
 */
export function featuresToYaml(f: Features): string {
  const doc = new Document(toPlain(tree(f)));
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isScalar(key) && typeof key.value === "string" && YAML11_SPECIAL.test(key.value))
        key.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ lineWidth: 0, defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" });
}
