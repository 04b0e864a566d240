// Smaller pieces: choosing the newest artifact, the lock file, the content cache, manifests.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { buildArtifactManifest, referrerEntry } from "../../src/oci/attach.js";
import { ContentCache, cacheDir, lockDir } from "../../src/oci/cache.js";
import { parseManifest } from "../../src/oci/descriptor.js";
import { sha256Of } from "../../src/oci/digest.js";
import { withLock } from "../../src/oci/lock.js";
import { createdAfter, createdTime, sortNewestFirst } from "../../src/oci/referrers.js";
import { tempDir } from "./util.js";

const d = (n: number, created?: string) => ({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 1,
  ...(created !== undefined
    ? { annotations: { "org.opencontainers.image.created": created } }
    : {}),
});

describe("newest artifact", () => {
  it("orders by the created annotation, RFC 3339 with offsets and fractions, missing or bad oldest, ties by digest", () => {
    const list = [
      d(1),
      d(2, "2024-01-01T00:00:00Z"),
      d(3, "2024-01-01T01:30:00+02:00"),
      d(4, "not a date"),
      d(5, "2024-01-01T00:00:00.5Z"),
      d(6, "2024-01-01T00:00:00Z"),
    ];
    // 5 (.5 s later) > 2 = 6 (tie: digest order) > 3 (23:30Z the day before) > 1 = 4 (no/bad date: digest order)
    assert.deepEqual(
      sortNewestFirst(list).map((x) => x.digest[7]),
      ["5", "2", "6", "3", "1", "4"],
    );
    assert.deepEqual(createdTime(d(1, "2024-01-01T00:00:00.123456789Z")), [1704067200, 123456789]);
    assert.equal(createdTime(d(1, "2024-01-01 00:00:00Z")), undefined);
  });
});

describe("artifact manifest", () => {
  it("is built as oras builds it, created in UTC with milliseconds unless given", () => {
    const subject = {
      mediaType: "application/vnd.oci.image.index.v1+json",
      digest: sha256Of(Buffer.from("x")),
      size: 1,
    };
    const spec = Buffer.from("version: v1alpha1\n");
    const built = buildArtifactManifest(subject, spec, {
      fileName: "s.yaml",
      now: () => new Date("2024-03-27T08:08:08.765Z"),
    });
    assert.equal(
      built.manifest.annotations?.["org.opencontainers.image.created"],
      "2024-03-27T08:08:08.765Z",
    );
    assert.equal(built.descriptor.digest, sha256Of(built.bytes));
    const again = parseManifest(built.bytes, undefined, "m");
    assert.equal(again.kind, "manifest");
    const given = buildArtifactManifest(subject, spec, {
      fileName: "s.yaml",
      annotations: { "org.opencontainers.image.created": "2020-01-01T00:00:00Z", team: "x" },
    });
    assert.deepEqual(referrerEntry(given.descriptor, given.manifest).annotations, {
      "org.opencontainers.image.created": "2020-01-01T00:00:00Z",
      team: "x",
    });
    assert.equal(
      referrerEntry(given.descriptor, given.manifest).artifactType,
      "application/vnd.nfd.image-compatibility.v1alpha1",
    );
    assert.equal(createdAfter(new Date(0), []), "1970-01-01T00:00:00.000Z");
  });

  it("is created strictly after the newest existing artifact, whatever the clock says", () => {
    const at = (created: string) => ({
      mediaType: "m",
      digest: sha256Of(Buffer.from(created)),
      size: 1,
      annotations: { "org.opencontainers.image.created": created },
    });
    const now = new Date("2024-03-27T08:08:08.500Z");
    // Same second, earlier millisecond: now wins as it is.
    assert.equal(createdAfter(now, [at("2024-03-27T08:08:08Z")]), "2024-03-27T08:08:08.500Z");
    // Same millisecond, or another machine's clock ahead: one millisecond later than it.
    assert.equal(createdAfter(now, [at("2024-03-27T08:08:08.500Z")]), "2024-03-27T08:08:08.501Z");
    assert.equal(
      createdAfter(now, [at("2024-03-27T08:08:09.999999999Z"), at("yesterday")]),
      "2024-03-27T08:08:10.000999999Z",
    );
    assert.equal(
      createdAfter(now, [at("2024-03-27T10:08:08.7+02:00")]),
      "2024-03-27T08:08:08.701Z",
    );
    // Go's time.Parse(time.RFC3339, …) takes the fraction; so does our reader, in order.
    const sorted = sortNewestFirst([
      at("2024-03-27T08:08:08Z"),
      at(createdAfter(now, [at("2024-03-27T08:08:08Z")])),
    ]);
    assert.equal(
      sorted[0]?.annotations?.["org.opencontainers.image.created"],
      "2024-03-27T08:08:08.500Z",
    );
  });

  it("rejects malformed manifests with the place", () => {
    const bad = (s: string) => () =>
      parseManifest(Buffer.from(s), "application/vnd.oci.image.manifest.v1+json", "artifact X");
    assert.throws(bad("{"), /artifact X: malformed JSON/);
    assert.throws(bad('{"schemaVersion":1}'), /artifact X: unsupported schemaVersion 1/);
    assert.throws(
      bad('{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:12","size":1}}'),
      /artifact X config: descriptor has a missing or malformed digest/,
    );
    assert.throws(
      bad(
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":"x"}]}',
      ),
      /artifact X manifests\[0\]: descriptor has no mediaType/,
    );
  });
});

describe("lock file", () => {
  it("serialises holders, and breaks the lock of a dead process", async () => {
    const path = join(tempDir(), "locks", "repo.lock");
    const order: string[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        withLock(path, async () => {
          order.push(`in${i}`);
          await new Promise((r) => setTimeout(r, 10));
          order.push(`out${i}`);
        }),
      ),
    );
    for (let i = 0; i < order.length; i += 2)
      assert.equal(order[i]?.slice(2), order[i + 1]?.slice(3));
    assert.ok(!existsSync(path), "released");

    // A holder that died: a pid that has exited.
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({ pid: dead, host: hostname(), since: "earlier", nonce: "n" }),
    );
    const logs: string[] = [];
    assert.equal(await withLock(path, async () => 42, { log: (m) => logs.push(m) }), 42);
    assert.match(logs.join("\n"), new RegExp(`broke a stale lock .* \\(pid ${dead} on `));
  });

  it("gives up waiting with a message naming the holder", async () => {
    const path = join(tempDir(), "held.lock");
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        since: "2024-01-01T00:00:00Z",
        nonce: "n",
      }),
    );
    await assert.rejects(
      withLock(path, async () => 1, { waitMs: 100, staleMs: 60_000 }),
      new RegExp(
        `timed out waiting for lock .*held\\.lock held by pid ${process.pid} on .* since 2024-01-01T00:00:00Z; remove the file if no kompat attach is running`,
      ),
    );
  });
});

describe("content cache", () => {
  it("lives under XDG_CACHE_HOME or ~/.cache, verifies on read and drops corrupt entries", async () => {
    assert.equal(cacheDir({ XDG_CACHE_HOME: "/x/c", HOME: "/h" }), "/x/c/kompat");
    assert.equal(cacheDir({ HOME: "/h" }), "/h/.cache/kompat");
    assert.equal(
      lockDir({ XDG_RUNTIME_DIR: "/run/user/1", HOME: "/h" }),
      "/run/user/1/kompat/locks",
    );
    const dir = tempDir();
    const cache = new ContentCache(dir);
    const bytes = Buffer.from("content");
    const digest = sha256Of(bytes);
    await cache.put(digest, bytes);
    await cache.settled(); // the file is written in the background
    assert.deepEqual(Buffer.from((await cache.get(digest)) ?? []), bytes);
    writeFileSync(join(dir, "blobs", "sha256", digest.slice(7)), "changed");
    // This process verified it already (the in-process layer); another reads the file.
    assert.deepEqual(Buffer.from((await cache.get(digest)) ?? []), bytes);
    assert.equal(await new ContentCache(dir).get(digest), undefined);
    assert.ok(!existsSync(join(dir, "blobs", "sha256", digest.slice(7))));
    await cache.setMemo("k", "none");
    assert.equal(await cache.getMemo("k", 60_000), "none");
    assert.equal(await cache.getMemo("k", -1), undefined);
  });
});
