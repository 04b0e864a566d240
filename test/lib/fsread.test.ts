// Bounded, non-blocking local reads (src/lib/fsread.ts), errno in words (fserror.ts), and
// the cache and lock files that use them: FIFOs, devices, links out and growth refused.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fsReason } from "../../src/lib/fserror.js";
import { FileReadError, readFileBounded, readFileBoundedSync } from "../../src/lib/fsread.js";
import { ContentCache } from "../../src/oci/cache.js";
import { LockError, withLock } from "../../src/oci/lock.js";

const dir = mkdtempSync(join(tmpdir(), "kompat-fsread-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function fifo(name: string): string {
  const p = join(dir, name);
  execFileSync("mkfifo", [p]);
  return p;
}

/** A hang fails through the test's own timeout, never through a timing assertion. */
const BOUND = { timeout: 20_000 };

describe("bounded reads", () => {
  it("reads at most limit+1 bytes of anything: a file, /dev/zero, a growing device", async () => {
    const p = join(dir, "ten");
    writeFileSync(p, "0123456789");
    assert.equal(readFileBoundedSync(p, { maxBytes: 10 }).toString(), "0123456789");
    assert.equal((await readFileBounded(p, { maxBytes: 10 })).toString(), "0123456789");
    assert.throws(() => readFileBoundedSync(p, { maxBytes: 9 }), /ten: larger than 9 bytes$/);
    // A device has no size: the limit holds by counting what is read.
    for (const read of [readFileBoundedSync, readFileBounded])
      await assert.rejects(
        async () => read("/dev/zero", { maxBytes: 1 << 20 }),
        (e: unknown) => e instanceof FileReadError && e.code === "too-large",
      );
  });

  it("regularOnly refuses a FIFO at once (no writer needed) and a device", BOUND, async () => {
    const f = fifo("pipe");
    await assert.rejects(
      readFileBounded(f, { maxBytes: 100, regularOnly: true }),
      /pipe: is a named pipe \(FIFO\), not a regular file$/,
    );
    assert.throws(
      () => readFileBoundedSync("/dev/null", { maxBytes: 100, regularOnly: true }),
      /\/dev\/null: is a character device, not a regular file$/,
    );
  });

  it("noFollow refuses a link; textOnly stops at a NUL; a directory is named", async () => {
    const link = join(dir, "link");
    symlinkSync("/etc/hostname", link);
    await assert.rejects(
      readFileBounded(link, { maxBytes: 100, noFollow: true }),
      /link: is a symbolic link$/,
    );
    assert.throws(
      () => readFileBoundedSync("/dev/zero", { maxBytes: 1 << 30, textOnly: true }),
      /\/dev\/zero: not a text file \(it holds NUL bytes\)$/,
    );
    assert.throws(() => readFileBoundedSync(dir, { maxBytes: 100 }), /: is a directory$/);
  });

  it("errno codes are said in words", () => {
    const err = (code: string) =>
      Object.assign(new Error(`${code}: whatever, open '/x'`), { code });
    assert.equal(fsReason(err("EACCES")), "permission denied");
    assert.equal(fsReason(err("ENOTDIR")), "a part of the path is not a directory");
    assert.equal(fsReason(err("EROFS")), "read-only file system");
    assert.equal(fsReason(err("ENOENT")), "no such file or directory");
    assert.equal(fsReason(err("EWHATEVER")), "whatever");
  });
});

describe("cache and lock files", () => {
  const digest = `sha256:${"a".repeat(64)}`;

  it("a cache entry that is a FIFO, a /dev/zero link or a link out is a miss", BOUND, async () => {
    const cache = join(dir, "cache");
    const blobs = join(cache, "blobs", "sha256");
    mkdirSync(blobs, { recursive: true });
    const c = new ContentCache(cache);
    execFileSync("mkfifo", [join(blobs, "a".repeat(64))]);
    assert.equal(await c.get(digest), undefined);
    rmSync(join(blobs, "a".repeat(64)));
    symlinkSync("/dev/zero", join(blobs, "a".repeat(64)));
    assert.equal(await c.get(digest), undefined);
  });

  it("a cache folder that is a link out of the cache is never read from", async () => {
    const cache = join(dir, "cache3");
    const outside = join(dir, "outside3");
    mkdirSync(join(cache, "blobs"), { recursive: true });
    mkdirSync(outside);
    // A valid entry, but outside the cache: the folder link must not lead a read there.
    const bytes = Buffer.from("planted");
    const planted = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    writeFileSync(join(outside, planted.slice(7)), bytes);
    symlinkSync(outside, join(cache, "blobs", "sha256"));
    assert.equal(await new ContentCache(cache).get(planted), undefined);
    // The same file inside the cache is a hit (so the miss above is the link's doing).
    rmSync(join(cache, "blobs", "sha256"));
    mkdirSync(join(cache, "blobs", "sha256"));
    writeFileSync(join(cache, "blobs", "sha256", planted.slice(7)), bytes);
    assert.deepEqual(Buffer.from((await new ContentCache(cache).get(planted)) ?? []), bytes);
  });

  it("the cache never writes through a link out of its directory", async () => {
    const cache = join(dir, "cache2");
    const outside = join(dir, "outside");
    mkdirSync(join(cache, "blobs"), { recursive: true });
    mkdirSync(outside);
    symlinkSync(outside, join(cache, "blobs", "sha256"));
    const logs: string[] = [];
    const c = new ContentCache(cache, (m) => logs.push(m));
    await c.put(digest, new Uint8Array([1]));
    await c.settled();
    assert.deepEqual(readdirSync(outside), []);
    assert.match(logs.join("\n"), /cannot write cache .*cache2: .*leads to .*outside/);
  });

  it("a lock file that is a FIFO is an error in words, not a wait", BOUND, async () => {
    const locks = join(dir, "locks");
    mkdirSync(locks);
    const lock = join(locks, "x.lock");
    execFileSync("mkfifo", [lock]);
    await assert.rejects(
      withLock(lock, async () => "never", { waitMs: 1000 }),
      (e: unknown) => {
        assert.ok(e instanceof LockError);
        assert.match(
          e.message,
          /^lock file .*x\.lock: is a named pipe \(FIFO\), not a regular file$/,
        );
        return true;
      },
    );
  });
});
