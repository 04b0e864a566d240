// The storage abstraction against real parts: a repository of Debian's Distribution 2.8, the
// same repository behind the content cache, and an OCI layout answer the same calls the same
// way (one table); a RegistrySession sends several images over one connection; the content
// cache's in-process layer reads a file once and stays bounded.

import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { attachToSubject } from "../../src/oci/attach.js";
import { ContentCache } from "../../src/oci/cache.js";
import { openImage, type ClientOptions } from "../../src/oci/client.js";
import { parseManifest, type Descriptor } from "../../src/oci/descriptor.js";
import { NotFoundError } from "../../src/oci/errors.js";
import { ANNOTATION_CREATED, COMPAT_ARTIFACT_TYPE } from "../../src/oci/mediatypes.js";
import { RegistrySession } from "../../src/oci/session.js";
import { copyImage, fetchCompatSpec } from "../../src/oci/usecases.js";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { MANIFEST, Raw, sha256 } from "./raw.js";
import { clientOpts, SPEC, tempDir } from "./util.js";

const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";

const absent = (what: string): Descriptor => {
  const bytes = Buffer.from(`absent ${what}`);
  return { mediaType: MANIFEST, digest: sha256(bytes), size: bytes.byteLength };
};

describe("a registry, a cached registry and a layout answer alike", { skip }, () => {
  let reg: Distribution;
  let layout: string;
  let root: string;
  const artifacts = new Map<string, string>();

  before(async () => {
    reg = await startDistribution({});
    const raw = new Raw(reg.url);
    await raw.pushSingle("stores/src", "1.0", "linux", "amd64");
    const src = `${reg.host}/stores/src:1.0`;
    layout = tempDir("kompat-layout-");
    // The same image (same digests) in each store.
    for (const dst of [`${reg.host}/stores/plain:1.0`, `${reg.host}/stores/cached:1.0`]) {
      const got = await copyImage(src, dst, { from: clientOpts(), to: clientOpts() });
      root = got.root.digest;
    }
    await copyImage(src, `oci-layout:${layout}:1.0`, { from: clientOpts(), to: clientOpts() });
    await raw.close();
  });
  after(async () => {
    await reg?.stop();
  });

  const stores: Array<{
    name: string;
    image: () => string;
    opts: () => ClientOptions;
    /** Whether the store lists a pushed referrer itself (Distribution 2.8 has no API). */
    indexes: boolean;
  }> = [
    {
      name: "registry",
      image: () => `${reg.host}/stores/plain:1.0`,
      opts: () => clientOpts({ noCache: true }),
      indexes: false,
    },
    {
      name: "cached registry",
      image: () => `${reg.host}/stores/cached:1.0`,
      opts: () => clientOpts(),
      indexes: false,
    },
    {
      name: "layout",
      image: () => `oci-layout:${layout}:1.0`,
      opts: () => clientOpts(),
      indexes: true,
    },
  ];

  for (const s of stores) {
    it(`${s.name}: resolve, fetch, exists, not found, referrers`, async () => {
      const img = await openImage(s.image(), s.opts(), "push");
      try {
        const t = img.target;
        const got = await t.resolve(img.reference);
        assert.equal(got.descriptor.digest, root);
        assert.deepEqual(
          Buffer.from(await t.fetchManifest(got.descriptor)),
          Buffer.from(got.bytes),
        );
        assert.equal((await t.head("1.0"))?.digest, root);
        assert.equal((await t.fetchTag("1.0")).descriptor.digest, root);
        assert.equal(await t.manifestExists(got.descriptor), true);
        assert.equal(await t.manifestExists(absent("manifest")), false);
        const parsed = parseManifest(got.bytes, got.descriptor.mediaType, "root");
        assert.equal(parsed.kind, "manifest");
        const config = parsed.kind === "manifest" ? parsed.manifest.config : absent("config");
        assert.equal(await t.blobExists(config), true);
        assert.equal(await t.blobExists(absent("blob")), false);
        const cfg = JSON.parse(Buffer.from(await t.fetchBlob(config, 4096)).toString()) as {
          architecture?: string;
        };
        assert.equal(cfg.architecture, "amd64");

        // "Not found" is said one way by every lookup.
        await assert.rejects(t.resolve("nope"), NotFoundError);
        await assert.rejects(t.fetchTag("nope"), NotFoundError);
        await assert.rejects(t.head("nope"), NotFoundError);
        await assert.rejects(t.fetchManifest(absent("manifest")), NotFoundError);
        await assert.rejects(t.fetchBlob(absent("blob"), 4096), NotFoundError);

        assert.deepEqual((await t.referrers(got.descriptor, COMPAT_ARTIFACT_TYPE)).referrers, []);
        const attached = await attachToSubject(t, got.descriptor, Buffer.from(SPEC), {
          fileName: "spec.yaml",
          annotations: { [ANNOTATION_CREATED]: "2026-01-01T00:00:00Z" },
          lockPath: img.lockPath,
          settleMs: 0,
        });
        assert.equal(attached.via, s.indexes ? "registry" : "fallback-tag");
        const listed = await t.referrers(got.descriptor, COMPAT_ARTIFACT_TYPE);
        assert.deepEqual(
          listed.referrers.map((d) => d.digest),
          [attached.artifact.digest],
        );
        assert.deepEqual((await t.referrers(got.descriptor, "other/type")).referrers, []);
        assert.equal(await t.indexesReferrers(got.descriptor), s.indexes);
        artifacts.set(s.name, attached.artifact.digest);
      } finally {
        await img.close();
      }
    });
  }

  it("the same artifact (one digest) was written to each", () => {
    assert.equal(artifacts.size, 3);
    assert.equal(new Set(artifacts.values()).size, 1);
  });

  it("the cached registry answers by digest from the cache, without a request", async () => {
    const opts = clientOpts();
    const session = new RegistrySession(opts);
    try {
      const first = await session.open(`${reg.host}/stores/cached@${root}`);
      await first.target.resolve(first.reference);
      assert.ok(first.requestCount() > 0);
      const again = await session.open(`${reg.host}/stores/cached@${root}`);
      await again.target.resolve(again.reference);
      assert.equal(again.requestCount(), 0);
    } finally {
      await session.close();
    }
  });
});

/** A TCP relay to `port` that counts the connections made through it. */
async function countingRelay(
  port: number,
): Promise<{ port: number; count(): number; stop(): Promise<void> }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    n++;
    const up = connect(port, "127.0.0.1");
    for (const s of [down, up]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
    down.pipe(up).pipe(down);
    down.on("close", () => up.destroy());
    up.on("close", () => down.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("relay has no port");
  return {
    port: addr.port,
    count: () => n,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

describe("one session for several images", { skip }, () => {
  let reg: Distribution;
  let relay: Awaited<ReturnType<typeof countingRelay>>;
  const images: string[] = [];

  before(async () => {
    reg = await startDistribution({});
    relay = await countingRelay(Number(new URL(reg.url).port));
    const raw = new Raw(reg.url);
    for (const repo of ["session/a", "session/b"])
      for (const tag of ["1", "2"]) {
        const subject = await raw.pushSingle(repo, tag, "linux", "amd64");
        await raw.orasAttach(repo, subject, SPEC, "2026-01-01T00:00:00Z");
        images.push(`127.0.0.1:${relay.port}/${repo}:${tag}`);
      }
    await raw.close();
  });
  after(async () => {
    await relay?.stop();
    await reg?.stop();
  });

  it("shares one connection across images and repositories; alone, each image opens its own", async () => {
    const opts = clientOpts({ noCache: true });
    const session = new RegistrySession(opts);
    try {
      for (const image of images) {
        const got = await fetchCompatSpec(image, { ...opts, session });
        assert.equal(got.specText, SPEC);
      }
    } finally {
      await session.close();
    }
    assert.equal(relay.count(), 1, "one keep-alive connection for four images");

    const before = relay.count();
    for (const image of images) await fetchCompatSpec(image, opts);
    assert.equal(relay.count() - before, images.length, "without a session: one per image");
  });
});

describe("the content cache's in-process layer", () => {
  it("reads and verifies an entry or a memo file once per instance", async () => {
    const dir = tempDir("kompat-cache-");
    const writer = new ContentCache(dir);
    const bytes = Buffer.from('{"a":1}');
    const digest = sha256(bytes);
    await writer.put(digest, bytes);
    await writer.setMemo("m", { v: 1 });
    await writer.settled();

    const reader = new ContentCache(dir);
    assert.deepEqual(Buffer.from((await reader.get(digest)) ?? []), bytes);
    const memo = await reader.getMemo<{ v: number }>("m", 60_000);
    assert.deepEqual(memo, { v: 1 });
    // Each reader gets its own copy of a memo.
    if (memo) memo.v = 2;
    assert.deepEqual(await reader.getMemo("m", 60_000), { v: 1 });

    rmSync(join(dir, "blobs"), { recursive: true, force: true });
    rmSync(join(dir, "memo"), { recursive: true, force: true });
    assert.deepEqual(Buffer.from((await reader.get(digest)) ?? []), bytes, "kept in memory");
    assert.deepEqual(await reader.getMemo("m", 60_000), { v: 1 });
    assert.equal(await reader.getMemo("m", -1), undefined, "its age still counts");
    assert.equal(await new ContentCache(dir).get(digest), undefined, "a new instance reads disk");
  });

  it("stays bounded: the least recently used entries are forgotten", async () => {
    const dir = tempDir("kompat-cache-");
    const cache = new ContentCache(dir);
    const digests: string[] = [];
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(`entry ${i}`);
      digests.push(sha256(b));
      await cache.put(sha256(b), b);
    }
    await cache.settled();
    assert.ok(existsSync(join(dir, "blobs", "sha256", (digests[0] ?? "").slice(7))), "written");
    rmSync(join(dir, "blobs"), { recursive: true, force: true });
    assert.equal(await cache.get(digests[0] ?? ""), undefined, "the oldest is gone from memory");
    assert.ok((await cache.get(digests[299] ?? "")) !== undefined, "the newest is kept");
  });
});
