// Content-cache pruning: old entries, then the oldest over the size limit, stale temporary
// files; at most once per period; nothing but the cache's own files is touched.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prune, pruneIfDue, type PruneLimits } from "../../src/oci/cache-prune.js";
import { ContentCache } from "../../src/oci/cache.js";

const DAY = 24 * 3600_000;
const NOW = Date.parse("2026-06-01T00:00:00Z");
const hex = (c: string): string => c.repeat(64);

function tree(): { dir: string; put: (rel: string, bytes: number, ageMs: number) => string } {
  const dir = mkdtempSync(join(tmpdir(), "kompat-prune-"));
  return {
    dir,
    put(rel, bytes, ageMs) {
      const path = join(dir, rel);
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, Buffer.alloc(bytes));
      const t = (NOW - ageMs) / 1000;
      utimesSync(path, t, t);
      return path;
    },
  };
}

const LIMITS: PruneLimits = { maxAgeMs: 30 * DAY, maxBytes: 1000, everyMs: DAY };

test("old entries go, then the oldest until under three quarters of the limit", async () => {
  const { dir, put } = tree();
  try {
    const old = put(`blobs/sha256/${hex("a")}`, 10, 40 * DAY);
    const oldMemo = put(`memo/${"1".repeat(40)}.json`, 10, 31 * DAY);
    const b = put(`blobs/sha256/${hex("b")}`, 400, 5 * DAY);
    const c = put(`blobs/sha256/${hex("c")}`, 400, 3 * DAY);
    const d = put(`blobs/sha512/${"d".repeat(128)}`, 300, 1 * DAY);
    const r = await prune(dir, LIMITS, NOW);
    // 1100 bytes left after the old ones: the oldest (b) goes to reach 750 or less.
    assert.deepEqual(
      [old, oldMemo, b, c, d].map((p) => existsSync(p)),
      [false, false, false, true, true],
    );
    assert.deepEqual(r, { removed: 3, bytes: 420 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("only the cache's own files: locks, odd names and fresh temporary files stay", async () => {
  const { dir, put } = tree();
  try {
    const keep = [
      put("locks/0123.lock", 1, 400 * DAY),
      put("blobs/sha256/README", 1, 400 * DAY),
      put(`blobs/sha256/${hex("e")}.tmp-123-0a0b0c0d`, 1, 60_000),
      put("notes.txt", 1, 400 * DAY),
    ];
    const staleTmp = put(`blobs/sha256/${hex("f")}.tmp-99-deadbeef`, 1, 2 * 3600_000);
    await prune(dir, LIMITS, NOW);
    for (const p of keep) assert.ok(existsSync(p), p);
    assert.ok(!existsSync(staleTmp), "a temporary file of a dead writer is removed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pruning runs at most once per period, whoever writes", async () => {
  const { dir, put } = tree();
  try {
    put(`blobs/sha256/${hex("a")}`, 10, 40 * DAY);
    assert.deepEqual(await pruneIfDue(dir, LIMITS, NOW), { removed: 1, bytes: 10 });
    const again = put(`blobs/sha256/${hex("b")}`, 10, 40 * DAY);
    assert.equal(await pruneIfDue(dir, LIMITS, NOW + DAY / 2), undefined);
    assert.ok(existsSync(again));
    assert.deepEqual(await pruneIfDue(dir, LIMITS, NOW + DAY + 1), { removed: 1, bytes: 10 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cache write prunes a cache not pruned for a day, and keeps what it wrote", async () => {
  const { dir, put } = tree();
  try {
    const stale = put(`blobs/sha256/${hex("a")}`, 10, 400 * DAY);
    const cache = new ContentCache(dir);
    const bytes = Buffer.from("{}");
    const digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    await cache.put(digest, bytes);
    await cache.settled(); // written, then pruned, in the background
    assert.ok(!existsSync(stale), "the year-old entry was pruned");
    assert.deepEqual(await cache.get(digest), new Uint8Array(bytes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writes are on disk when put returns; a cache made by this process is stamped, not walked", async () => {
  const { dir } = tree();
  const fresh = join(dir, "fresh", "kompat");
  try {
    const cache = new ContentCache(fresh);
    const bytes = Buffer.from("{}");
    const digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    await cache.put(digest, bytes);
    // No settled(): the entry and the stamp were written before put returned.
    const entry = join(fresh, "blobs", "sha256", digest.slice(7));
    assert.equal(readFileSync(entry, "utf8"), "{}");
    assert.ok(existsSync(join(fresh, "pruned")), "the new cache is stamped as pruned");
    // The stamp is today's: a year-old entry planted now stays until a day has passed.
    const old = join(fresh, "blobs", "sha256", hex("b"));
    writeFileSync(old, "x");
    utimesSync(old, (Date.now() - 400 * DAY) / 1000, (Date.now() - 400 * DAY) / 1000);
    assert.equal(await pruneIfDue(fresh), undefined);
    assert.ok(existsSync(old));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cache removed under a running process is made again at its next write", async () => {
  const { dir } = tree();
  const root = join(dir, "kompat");
  try {
    const logs: string[] = [];
    const cache = new ContentCache(root, (m) => logs.push(m));
    const put = async (text: string) => {
      const bytes = Buffer.from(text);
      const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
      await cache.put(digest, bytes);
      return join(root, "blobs", "sha256", digest.slice(7));
    };
    assert.ok(existsSync(await put("first")));
    rmSync(root, { recursive: true, force: true }); // `rm -rf ~/.cache/kompat` meanwhile
    assert.ok(existsSync(await put("second")), "the folders were made again");
    assert.deepEqual(logs, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a link planted as the stamp is not followed", async () => {
  const { dir } = tree();
  const victim = join(dir, "victim.txt");
  try {
    writeFileSync(victim, "precious");
    // Old, so that the stamp (read through the link) says pruning is due.
    utimesSync(victim, (NOW - 2 * DAY) / 1000, (NOW - 2 * DAY) / 1000);
    symlinkSync(victim, join(dir, "pruned"));
    assert.equal(await pruneIfDue(dir, LIMITS, NOW), undefined);
    assert.equal(readFileSync(victim, "utf8"), "precious");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
