import { test } from "node:test";
import assert from "node:assert/strict";
import { ListSplitter } from "../../src/k8s/listsplit.js";

const list = {
  kind: "NodeFeatureList",
  apiVersion: "nfd.k8s-sigs.io/v1alpha1",
  metadata: { resourceVersion: "7", note: 'a "quoted" \\ [items] {x}' },
  items: [
    { metadata: { name: "a" }, spec: { s: 'esc \\" } ] "items":[' } },
    { metadata: { name: "b" }, spec: { nested: [[{}], { k: "ü 日本" }] } },
  ],
  tail: { continue: "tok" },
};

function split(text: string, size: number): { items: unknown[]; rest: unknown } {
  const items: unknown[] = [];
  const s = new ListSplitter((it) => items.push(it));
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) s.write(buf.subarray(i, i + size));
  return { items, rest: s.end() };
}

test("a list is cut into its items, whatever the chunk boundaries", () => {
  for (const text of [JSON.stringify(list), JSON.stringify(list, null, 2)]) {
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      const { items, rest } = split(text, size);
      assert.deepEqual(items, list.items, `chunks of ${size}`);
      assert.deepEqual(rest, { ...list, items: [] }, `chunks of ${size}`);
    }
  }
});

test("a truncated list is an error, not a short list", () => {
  const text = JSON.stringify(list);
  assert.throws(() => split(text.slice(0, text.length - 30), 5), /ends early/);
});
