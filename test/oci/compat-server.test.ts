// Attach and fetch against the in-process registry: referrers API and fallback tag,
// request budgets, Bearer tokens, platforms, and hostile registries.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { attachToSubject } from "../../src/oci/attach.js";
import { openImage, type ClientOptions } from "../../src/oci/client.js";
import {
  fetchCompatSpec,
  findCompatArtifacts,
  type CompatSpecOptions,
} from "../../src/oci/usecases.js";
import { RegistryError } from "../../src/oci/errors.js";
import { RegistrySession } from "../../src/oci/session.js";
import { resolveSubject } from "../../src/oci/subject.js";
import { parsePlatform } from "../../src/oci/platform.js";
import { startTestServer, type TestServer, type TestServerOptions } from "../helpers/testserver.js";
import { clientOpts, SPEC } from "./util.js";

/** fetchCompatSpec, with the image named beside its options as these tests write it. */
const resolveImageSpec = ({ image, ...o }: CompatSpecOptions & { image: string }) =>
  fetchCompatSpec(image, o);

async function attach(
  image: string,
  opts: ClientOptions,
  spec = SPEC,
  extra: { platform?: string; created?: string } = {},
) {
  const img = await openImage(image, opts, "push");
  try {
    const resolved = await img.target.resolve(img.reference);
    const platform = extra.platform !== undefined ? parsePlatform(extra.platform) : undefined;
    const { subject } = await resolveSubject(img.target, resolved, platform, img.name);
    return await attachToSubject(img.target, subject, Buffer.from(spec), {
      fileName: "spec.yaml",
      lockPath: img.lockPath,
      ...(extra.created
        ? { annotations: { "org.opencontainers.image.created": extra.created } }
        : {}),
    });
  } finally {
    await img.close();
  }
}

/** Registry requests, leaving out authentication round trips (401s and the token service). */
/** The digests of the compatibility artifacts the image lists now, and where they came from. */
async function listedDigests(image: string, opts: ClientOptions) {
  const found = await findCompatArtifacts(image, opts);
  return { digests: new Set(found.artifacts.map((a) => a.digest)), source: found.source };
}

function counted(reg: TestServer, from: number): string[] {
  return reg.requests
    .slice(from)
    .filter((r) => r.status !== 401 && r.path !== "/token")
    .map((r) => `${r.method} ${r.path}`);
}

async function withServer(opts: TestServerOptions, fn: (reg: TestServer) => Promise<void>) {
  const reg = await startTestServer(opts);
  try {
    await fn(reg);
  } finally {
    await reg.stop();
  }
}

describe("compatibility artifact on a registry with the referrers API", () => {
  let reg: TestServer;
  before(async () => {
    reg = await startTestServer();
    reg.pushImage("app", "v1", ["linux/amd64", "linux/arm64"]);
  });
  after(() => reg.stop());

  it("attaches to the index and fetches within 4 requests, 2 with a warm cache", async () => {
    const opts = clientOpts();
    const image = `${reg.host}/app:v1`;
    const res = await attach(image, opts);
    assert.equal(res.via, "registry");
    assert.equal(
      reg.tags("app").some((t) => t.startsWith("sha256-")),
      false,
      "no fallback tag when the API exists",
    );
    const start = reg.requests.length;
    const got = await resolveImageSpec({ image, ...opts });
    assert.equal(got.specText, SPEC);
    assert.equal(got.artifactDigest, res.artifact.digest);
    const index = reg.getManifest("app", "v1");
    assert.ok(index);
    assert.match(got.subject, new RegExp(`^${reg.host}/app@sha256:`));
    assert.match(got.specSource, /\(artifact sha256:[0-9a-f]{64}\)$/);
    const cold = counted(reg, start);
    assert.ok(cold.length <= 4, `cold: ${cold.join(", ")}`);
    const warmStart = reg.requests.length;
    const again = await resolveImageSpec({ image, ...opts });
    assert.equal(again.specText, SPEC);
    const warm = counted(reg, warmStart);
    assert.ok(warm.length <= 2, `warm: ${warm.join(", ")}`);
    assert.ok(
      warm.includes("HEAD /v2/app/manifests/v1"),
      `a HEAD resolves the tag when warm: ${warm.join(", ")}`,
    );
  });

  it("warm, with the referrers API: a spec attached since is found (no remembered answer)", async () => {
    await withServer({}, async (api) => {
      api.pushImage("app", "v1", ["linux/amd64"]);
      const opts = clientOpts();
      const image = `${api.host}/app:v1`;
      const first = "version: v1alpha1\n# first\ncompatibilities: []\n";
      await attach(image, opts, first, { created: "2030-01-01T00:00:00Z" });
      assert.equal((await resolveImageSpec({ image, ...opts })).specText, first);
      assert.equal((await resolveImageSpec({ image, ...opts })).specText, first);
      // Through the API only: no fallback tag moves, so only asking the API can tell.
      const newer = "version: v1alpha1\n# newer\ncompatibilities: []\n";
      await attach(image, opts, newer, { created: "2030-01-02T00:00:00Z" });
      assert.equal(
        api.tags("app").some((t) => t.startsWith("sha256-")),
        false,
      );
      assert.equal((await resolveImageSpec({ image, ...opts })).specText, newer);
    });
  });

  it("attaches and reads back any spec lint accepts (up to 4 MiB), refuses a larger one", async () => {
    const opts = clientOpts();
    const image = `${reg.host}/app:v1`;
    const big = `version: v1alpha1\ncompatibilities: []\n#${"x".repeat(2 * 1024 * 1024)}\n`;
    await attach(image, opts, big);
    assert.equal((await resolveImageSpec({ image, ...opts })).specText, big);
    const tooBig = `#${"x".repeat(4 * 1024 * 1024)}`;
    await assert.rejects(attach(image, opts, tooBig), {
      message: "the spec is 4194305 bytes; readers refuse specs over 4 MiB",
    });
  });

  it("writes the artifact in oras's exact shape", async () => {
    const opts = clientOpts();
    const res = await attach(
      `${reg.host}/app:v1`,
      opts,
      "version: v1alpha1\ncompatibilities: []\n",
    );
    const stored = reg.getManifest("app", res.artifact.digest);
    assert.ok(stored);
    const m = JSON.parse(stored.body.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(m), [
      "schemaVersion",
      "mediaType",
      "artifactType",
      "config",
      "layers",
      "subject",
      "annotations",
    ]);
    assert.equal(m.artifactType, "application/vnd.nfd.image-compatibility.v1alpha1");
    assert.deepEqual(m.config, {
      mediaType: "application/vnd.oci.empty.v1+json",
      digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
      size: 2,
      data: "e30=",
    });
    const layers = m.layers as Record<string, unknown>[];
    assert.equal(layers.length, 1);
    assert.equal(
      layers[0]?.mediaType,
      "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml",
    );
    assert.deepEqual(layers[0]?.annotations, { "org.opencontainers.image.title": "spec.yaml" });
    assert.match(
      (m.annotations as Record<string, string>)["org.opencontainers.image.created"] ?? "",
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,9}Z$/,
    );
    const subject = m.subject as Record<string, unknown>;
    assert.equal(subject.mediaType, "application/vnd.oci.image.index.v1+json");
    assert.ok(
      reg.hasBlob("app", "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
    );
  });

  it("picks the newest by the created annotation of the referrers entry", async () => {
    await withServer({ referrersPageSize: 1 }, async (r) => {
      r.pushImage("app", "v1", ["linux/amd64"]);
      const opts = clientOpts({ noCache: true });
      const image = `${r.host}/app:v1`;
      await attach(image, opts, "version: v1alpha1\n# old\ncompatibilities: []\n", {
        created: "2024-01-01T00:00:00Z",
      });
      await attach(image, opts, "version: v1alpha1\n# newest\ncompatibilities: []\n", {
        created: "2025-01-01T00:00:00Z",
      });
      await attach(image, opts, "version: v1alpha1\n# bad date\ncompatibilities: []\n", {
        created: "yesterday",
      });
      const got = await resolveImageSpec({ image, ...opts });
      assert.match(got.specText, /# newest/);
      // Three pages were followed.
      assert.ok(r.requests.filter((q) => q.path.includes("/referrers/")).length >= 3);
    });
  });

  it("attaches to one platform entry with --platform, copying its platform", async () => {
    const opts = clientOpts();
    const res = await attach(`${reg.host}/app:v1`, opts, SPEC, { platform: "linux/arm64" });
    assert.deepEqual(res.manifest.subject?.platform, { architecture: "arm64", os: "linux" });
    const got = await resolveImageSpec({
      image: `${reg.host}/app:v1`,
      platform: "linux/arm64",
      ...opts,
    });
    assert.equal(got.artifactDigest, res.artifact.digest);
    await assert.rejects(
      resolveImageSpec({ image: `${reg.host}/app:v1`, platform: "linux/s390x", ...opts }),
      (e: Error) => {
        assert.ok(e instanceof RegistryError);
        assert.match(
          e.message,
          /no manifest for platform linux\/s390x \(it has: linux\/amd64, linux\/arm64\)/,
        );
        return true;
      },
    );
  });
});

describe("validate-node's fallback to this node's platform entry", () => {
  it("uses the host platform entry when the index has no artifact, and says so", async () => {
    await withServer({}, async (reg) => {
      reg.pushImage("app", "v2", ["linux/amd64", "linux/arm64"]);
      const opts = clientOpts();
      await attach(`${reg.host}/app:v2`, opts, SPEC, { platform: "linux/arm64" });
      const got = await resolveImageSpec({
        image: `${reg.host}/app:v2`,
        hostPlatform: { os: "linux", architecture: "arm64" },
        ...opts,
      });
      assert.equal(got.specText, SPEC);
      assert.match(got.notes.join("\n"), /used the one attached to its linux\/arm64 manifest/);
      await assert.rejects(
        resolveImageSpec({
          image: `${reg.host}/app:v2`,
          hostPlatform: { os: "linux", architecture: "amd64" },
          ...opts,
        }),
        /no compatibility artifact \(application\/vnd\.nfd\.image-compatibility\.v1alpha1\) is attached to .*app@sha256:[0-9a-f]{64} \(nor its linux\/amd64 entry\)/,
      );
    });
  });
});

describe("registry without the referrers API (fallback tag)", () => {
  it("attaches through the referrers tag and fetches within 5 requests, 2 warm", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const opts = clientOpts();
      const image = `${reg.host}/app:v1`;
      const res = await attach(image, opts);
      assert.equal(res.via, "fallback-tag");
      const index = reg.getManifest("app", "v1");
      assert.ok(index);
      assert.ok(res.fallbackTag?.startsWith("sha256-"));
      const fallback = reg.getManifest("app", res.fallbackTag ?? "");
      assert.ok(fallback);
      const doc = JSON.parse(fallback.body.toString()) as { manifests: Record<string, unknown>[] };
      assert.equal(doc.manifests.length, 1);
      assert.equal(
        doc.manifests[0]?.artifactType,
        "application/vnd.nfd.image-compatibility.v1alpha1",
      );
      assert.ok(
        (doc.manifests[0]?.annotations as Record<string, string>)[
          "org.opencontainers.image.created"
        ],
      );

      const start = reg.requests.length;
      const got = await resolveImageSpec({ image, ...opts });
      assert.equal(got.specText, SPEC);
      const cold = counted(reg, start);
      assert.ok(cold.length <= 5, `cold: ${cold.join(", ")}`);
      const warmStart = reg.requests.length;
      await resolveImageSpec({ image, ...opts });
      const warm = counted(reg, warmStart);
      assert.ok(warm.length <= 2, `warm: ${warm.join(", ")}`);
    });
  });

  it("concurrent attaches from one machine lose no referrer, and a second attach does not duplicate", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const opts = clientOpts();
      const image = `${reg.host}/app:v1`;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          attach(
            image,
            { ...opts, noCache: true },
            `version: v1alpha1\n# ${i}\ncompatibilities: []\n`,
          ),
        ),
      );
      const found = await listedDigests(image, opts);
      assert.deepEqual(found.digests, new Set(results.map((r) => r.artifact.digest)));
      assert.equal(found.source, "tag");
    });
  });

  it("with If-Match honoured, attaches from separate machines (separate locks) lose nothing", async () => {
    await withServer({ referrersApi: false, honourIfMatch: true }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const image = `${reg.host}/app:v1`;
      const first = await attach(image, clientOpts());
      // The first index write of the four waits for a second one: a stale writer, always.
      reg.holdNextTagPut("app");
      const results = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          attach(
            image,
            clientOpts({ noCache: true }),
            `version: v1alpha1\n# machine ${i}\ncompatibilities: []\n`,
          ),
        ),
      );
      assert.equal(reg.racesRun(), 1);
      assert.ok(
        reg.requests.some((r) => r.status === 412),
        "the stale writer was refused and merged again",
      );
      const found = await listedDigests(image, clientOpts());
      assert.deepEqual(found.digests, new Set([first, ...results].map((r) => r.artifact.digest)));
    });
  });

  it("with If-Match ignored, a stale write from another machine is detected and repaired", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const image = `${reg.host}/app:v1`;
      const first = await attach(image, clientOpts());
      reg.holdNextTagPut("app");
      const results = await Promise.all(
        [1, 2, 3].map((i) =>
          attach(
            image,
            clientOpts({ noCache: true }),
            `version: v1alpha1\n# machine ${i}\ncompatibilities: []\n`,
          ),
        ),
      );
      assert.equal(reg.racesRun(), 1, "a writer overwrote another's entry");
      const found = await listedDigests(image, clientOpts());
      assert.deepEqual(found.digests, new Set([first, ...results].map((r) => r.artifact.digest)));
    });
  });

  it("reports an entry that never stays listed as an error, not as attached", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const img = await openImage(`${reg.host}/app:v1`, clientOpts(), "push");
      const { descriptor } = await img.target.resolve(img.reference);
      // Every index write is replaced by an empty index: what a stale writer would do.
      const empty = {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [],
      };
      const tag = `sha256-${descriptor.digest.slice(7)}`;
      await assert.rejects(
        attachToSubject(img.target, descriptor, Buffer.from(SPEC), {
          fileName: "s.yaml",
          settleMs: 1,
          maxMergeRounds: 2,
          log: (m) => {
            if (/^updated /.test(m)) reg.putManifest("app", empty, { tag });
          },
        }),
        /did not stay listed in the referrers index after 2 rounds .* it is pushed but not discoverable: run attach again/,
      );
      await img.close();
    });
  });

  // Distribution answers DIGEST_INVALID while a parallel upload of the same blob (every
  // attach pushes the empty config) rewrites its link: the bench's 6 parallel attaches met it.
  it("pushes again when the registry misreads a referenced blob (DIGEST_INVALID), and says so when it persists", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const body = JSON.stringify({
        errors: [
          { code: "DIGEST_INVALID", message: "provided digest did not match uploaded content" },
        ],
      });
      const fault = { status: 400, body } as const;
      reg.addFault({
        method: "PUT",
        path: /\/manifests\/sha256:/,
        times: 2,
        action: { kind: "status", ...fault },
      });
      reg.addFault({
        method: "PUT",
        path: /\/manifests\/sha256-/,
        times: 1,
        action: { kind: "status", ...fault },
      });
      const res = await attach(`${reg.host}/app:v1`, clientOpts());
      const listed = JSON.parse(
        reg.getManifest("app", res.fallbackTag ?? "")?.body.toString() ?? "{}",
      ) as {
        manifests: { digest: string }[];
      };
      assert.deepEqual(
        listed.manifests.map((m) => m.digest),
        [res.artifact.digest],
      );
      const puts = reg.requests.filter((r) => r.method === "PUT" && /\/manifests\//.test(r.path));
      assert.deepEqual(
        puts.map((r) => r.status),
        [400, 400, 201, 400, 201],
      );

      reg.addFault({
        method: "PUT",
        path: /\/manifests\/sha256:/,
        action: { kind: "status", ...fault },
      });
      await assert.rejects(
        attach(`${reg.host}/app:v1`, clientOpts(), `${SPEC}# other\n`),
        (e: unknown) => {
          assert.ok(e instanceof RegistryError);
          assert.match(
            e.message,
            /^push manifest: http:\/\/127\.0\.0\.1:\d+\/v2\/app\/manifests\/sha256:[0-9a-f]{64} answered 400 bad request; registry says DIGEST_INVALID: provided digest did not match uploaded content \(4 times, though the manifest's bytes hash to sha256:[0-9a-f]{64}: the registry keeps misreading a blob it references\)$/,
          );
          return true;
        },
      );
      reg.clearFaults();
    });
  });

  it("a corrected spec attached right after the old one always wins, even in the same millisecond", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const img = await openImage(`${reg.host}/app:v1`, clientOpts(), "push");
      const { descriptor } = await img.target.resolve(img.reference);
      const frozen = new Date("2030-01-01T00:00:00.000Z");
      for (let i = 0; i < 6; i++) {
        const text = `version: v1alpha1\n# correction ${i}\ncompatibilities: []\n`;
        await attachToSubject(img.target, descriptor, Buffer.from(text), {
          fileName: "s.yaml",
          now: () => frozen,
          settleMs: 0,
        });
        const got = await resolveImageSpec({ image: `${reg.host}/app:v1`, ...clientOpts() });
        assert.equal(got.specText, text, `attach ${i} is the one used`);
      }
      await img.close();
    });
  });

  it("refuses to overwrite an image kept under the referrers tag name", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      const { index } = reg.pushImage("app", "v1", ["linux/amd64"]);
      const tag = `sha256-${index.digest.slice(7)}`;
      const other = reg.pushImage("app", tag, ["linux/arm64"]);
      await assert.rejects(
        attach(`${reg.host}/app:v1`, clientOpts()),
        new RegExp(
          `app:${tag} holds an image index \\(entries with a platform\\), not a referrers index of ${index.digest}; attach would overwrite it`,
        ),
      );
      assert.equal(reg.getManifest("app", tag)?.body.length, other.index.size, "left as it was");
      // A single manifest there, too.
      reg.putManifest(
        "app",
        reg.getManifest("app", (other.manifests[0] as { digest: string }).digest)?.body ??
          Buffer.alloc(0),
        { tag },
      );
      await assert.rejects(
        attach(`${reg.host}/app:v1`, clientOpts()),
        /holds application\/vnd\.oci\.image\.manifest\.v1\+json sha256:[0-9a-f]{64}, not a referrers index/,
      );
      // An index without platforms whose entry is another image's referrer.
      const foreign = reg.putManifest("app", {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactType: "application/vnd.example",
        config: {
          mediaType: "application/vnd.oci.empty.v1+json",
          digest: reg.putBlob("app", "{}").digest,
          size: 2,
        },
        layers: [],
        subject: other.index,
      });
      reg.putManifest(
        "app",
        {
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [{ ...foreign, artifactType: "application/vnd.example" }],
        },
        { tag },
      );
      await assert.rejects(
        attach(`${reg.host}/app:v1`, clientOpts()),
        new RegExp(
          `holds an index whose entry ${foreign.digest} refers to ${other.index.digest}, not a referrers index`,
        ),
      );
    });
  });

  it("deletes the replaced index when asked and only warns when the registry refuses (405)", async () => {
    await withServer({ referrersApi: false, deleteEnabled: false }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const img = await openImage(`${reg.host}/app:v1`, clientOpts(), "push");
      const { descriptor } = await img.target.resolve(img.reference);
      const warnings: string[] = [];
      for (const n of [1, 2]) {
        await attachToSubject(
          img.target,
          descriptor,
          Buffer.from(`version: v1alpha1\n# ${n}\ncompatibilities: []\n`),
          {
            fileName: "s.yaml",
            deleteStaleIndex: true,
            warn: (m) => warnings.push(m),
          },
        );
      }
      await img.close();
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0] ?? "",
        /could not delete the replaced referrers index sha256:[0-9a-f]{64} \(the registry does not allow deletes\)/,
      );
    });
  });
});

describe("Bearer token service", () => {
  it("attaches and fetches with credentials; wrong ones fail clearly without the secret", async () => {
    await withServer(
      { auth: { kind: "bearer", username: "alice", password: "s3cret-pw" } },
      async (reg) => {
        reg.pushImage("team/app", "v1", ["linux/amd64"]);
        const image = `${reg.host}/team/app:v1`;
        const opts = clientOpts({ username: "alice", password: "s3cret-pw" });
        await attach(image, opts);
        assert.ok(reg.tokensIssued() >= 1);
        const got = await resolveImageSpec({ image, ...opts });
        assert.equal(got.specText, SPEC);
        await assert.rejects(
          resolveImageSpec({
            image,
            ...clientOpts({ username: "alice", password: "wrong-pw-xyz" }),
          }),
          (e: Error) => {
            assert.ok(e instanceof RegistryError);
            assert.match(
              e.message,
              /token service .* answered 401: the credentials .* were rejected/,
            );
            assert.doesNotMatch(e.message, /wrong-pw-xyz/);
            return true;
          },
        );
        await assert.rejects(resolveImageSpec({ image, ...clientOpts() }), /401|authentication/);
      },
    );
  });

  it("keeps the request budget with tokens (auth round trips aside) and reuses one token", async () => {
    await withServer({ auth: { kind: "bearer", username: "u", password: "p" } }, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64", "linux/arm64"]);
      const image = `${reg.host}/app:v1`;
      const opts = clientOpts({ username: "u", password: "p" });
      await attach(image, opts);
      const start = reg.requests.length;
      const tokens = reg.tokensIssued();
      await resolveImageSpec({ image, ...opts });
      const cold = counted(reg, start);
      assert.ok(cold.length <= 4, `cold: ${cold.join(", ")}`);
      assert.equal(reg.tokensIssued() - tokens, 1, "one token for the whole pull");
      const warmStart = reg.requests.length;
      await resolveImageSpec({ image, ...opts });
      const warm = counted(reg, warmStart);
      assert.ok(warm.length <= 2, `warm: ${warm.join(", ")}`);
    });
  });

  it("one session over two repositories: the second is asked with a token at once", async () => {
    await withServer({ auth: { kind: "bearer", username: "u", password: "p" } }, async (reg) => {
      reg.pushImage("team/a", "v1", ["linux/amd64"]);
      reg.pushImage("team/b", "v1", ["linux/amd64"]);
      const opts = clientOpts({ username: "u", password: "p" });
      await attach(`${reg.host}/team/a:v1`, opts);
      await attach(`${reg.host}/team/b:v1`, opts);
      const start = reg.requests.length;
      const session = new RegistrySession(opts);
      try {
        for (const repo of ["team/a", "team/b"]) {
          const got = await fetchCompatSpec(`${reg.host}/${repo}:v1`, { ...opts, session });
          assert.equal(got.specText, SPEC);
        }
      } finally {
        await session.close();
      }
      const asked = reg.requests.slice(start);
      const unauthorized = asked.filter((r) => r.status === 401).map((r) => r.path);
      assert.deepEqual(unauthorized, ["/v2/team/a/manifests/v1"], "one 401, for the first");
      const tokens = asked.filter((r) => r.path === "/token").map((r) => r.query.getAll("scope"));
      assert.deepEqual(tokens, [["repository:team/a:pull"], ["repository:team/b:pull"]]);
    });
  });

  it("never sends the registry's Authorization to the blob storage it redirects to", async () => {
    await withServer(
      { auth: { kind: "bearer", username: "u", password: "p" }, redirectBlobs: true },
      async (reg) => {
        reg.pushImage("app", "v1", ["linux/amd64"]);
        const opts = clientOpts({ username: "u", password: "p", noCache: true });
        await attach(`${reg.host}/app:v1`, opts);
        const got = await resolveImageSpec({ image: `${reg.host}/app:v1`, ...opts });
        assert.equal(got.specText, SPEC);
        const blobReqs = reg.blobHost?.requests ?? [];
        assert.ok(blobReqs.length >= 1);
        assert.ok(
          blobReqs.every((r) => r.auth === undefined),
          "no Authorization at the other origin",
        );
      },
    );
  });
});

describe("hostile registries", () => {
  let reg: TestServer;
  let image: string;
  before(async () => {
    reg = await startTestServer();
    reg.pushImage("app", "v1", ["linux/amd64"]);
    image = `${reg.host}/app:v1`;
    await attach(image, clientOpts());
  });
  after(() => reg.stop());

  const fetchFails = async (
    fault: Parameters<TestServer["addFault"]>[0],
    message: RegExp,
    extra: Partial<ClientOptions> = {},
  ) => {
    reg.clearFaults();
    reg.addFault(fault);
    try {
      await assert.rejects(
        resolveImageSpec({ image, ...clientOpts({ noCache: true, ...extra }) }),
        (e: Error) => {
          assert.ok(e instanceof RegistryError, `${e.name}: ${e.message}`);
          assert.match(e.message, message);
          return true;
        },
      );
    } finally {
      reg.clearFaults();
    }
  };

  it("rejects a blob whose bytes do not match its digest", () =>
    fetchFails(
      { path: /\/blobs\//, action: { kind: "corrupt-body" } },
      /blobs\/sha256:[0-9a-f]{64}: digest mismatch: expected sha256:/,
    ));

  it("rejects a manifest by digest with another Docker-Content-Digest", () =>
    fetchFails(
      { path: /\/manifests\/sha256:/, action: { kind: "wrong-digest-header" } },
      /Docker-Content-Digest sha256:[0-9a-f]{64} does not match/,
    ));

  it("rejects a tag whose body does not match its Docker-Content-Digest", () =>
    fetchFails(
      { path: /\/manifests\/v1$/, action: { kind: "corrupt-body" } },
      /manifests\/v1: digest mismatch/,
    ));

  it("caps manifests at 4 MiB", () =>
    fetchFails(
      { path: /\/manifests\/v1$/, action: { kind: "oversize", bytes: 5 * 1024 * 1024 } },
      /manifests\/v1: response exceeds the 4 MiB limit/,
    ));

  it("caps the spec blob at 4 MiB, as NFD (oras-go's FetchBytes) does", () =>
    fetchFails(
      { path: /\/blobs\//, action: { kind: "oversize", bytes: 5 * 1024 * 1024 } },
      /response exceeds the 4 MiB limit/,
    ));

  it("gives up on a stalled response after the timeout", () =>
    fetchFails(
      { path: /\/referrers\//, action: { kind: "stall" } },
      /referrers\/sha256:.*: timed out \(the registry work passed its 0\.3 s deadline\)/,
      { timeoutMs: 300, retries: 0 },
    ));

  it("reports malformed JSON from the referrers API", () =>
    fetchFails(
      { path: /\/referrers\//, action: { kind: "malformed-json" } },
      /referrers\/sha256:[0-9a-f]{64}\?artifactType=.*: malformed JSON/,
    ));

  it("retries 429 (honouring Retry-After) and 503, then succeeds", async () => {
    reg.clearFaults();
    reg.addFault({
      path: /\/manifests\/v1$/,
      times: 1,
      action: { kind: "status", status: 429, headers: { "retry-after": "0" } },
    });
    reg.addFault({ path: /\/referrers\//, times: 2, action: { kind: "status", status: 503 } });
    const got = await resolveImageSpec({ image, ...clientOpts({ noCache: true }) });
    assert.equal(got.specText, SPEC);
    reg.clearFaults();
  });

  it("stops after the retries and names the status", () =>
    fetchFails(
      { path: /\/referrers\//, action: { kind: "status", status: 503 } },
      /list referrers: .*referrers\/sha256:.* answered 503 service unavailable; registry says INJECTED: injected 503/,
      { retries: 1 },
    ));

  it("refuses a Retry-After longer than it is willing to wait", () =>
    fetchFails(
      {
        path: /\/manifests\/v1$/,
        action: { kind: "status", status: 429, headers: { "retry-after": "3600" } },
      },
      /429, and the registry asks to retry after 3600 s; giving up/,
    ));

  it("reports a referrers index that lists a missing manifest", async () => {
    await withServer({ referrersApi: false }, async (r) => {
      const { index } = r.pushImage("app", "v1", ["linux/amd64"]);
      const ghost = {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: `sha256:${"ab".repeat(32)}`,
        size: 123,
        artifactType: "application/vnd.nfd.image-compatibility.v1alpha1",
      };
      r.putManifest(
        "app",
        {
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.index.v1+json",
          manifests: [ghost],
        },
        { tag: `sha256-${index.digest.slice(7)}` },
      );
      await assert.rejects(
        resolveImageSpec({ image: `${r.host}/app:v1`, ...clientOpts() }),
        /manifest .*app@sha256:abab.* not found \(GET .*: 404 MANIFEST_UNKNOWN\)/,
      );
    });
  });

  it("says when the repository or tag does not exist", async () => {
    await assert.rejects(
      resolveImageSpec({ image: `${reg.host}/nope:v1`, ...clientOpts() }),
      /manifest .*nope:v1 not found: the repository does not exist/,
    );
    await assert.rejects(
      resolveImageSpec({ image: `${reg.host}/app:v9`, ...clientOpts() }),
      /manifest .*app:v9 not found \(GET .*: 404 MANIFEST_UNKNOWN\)/,
    );
  });
});

describe("referrers API outcomes", () => {
  it("treats 404 NAME_UNKNOWN as a missing repository, and a non-index 200 as no API", async () => {
    await withServer({}, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const image = `${reg.host}/app:v1`;
      await attach(image, clientOpts());
      reg.addFault({
        path: /\/referrers\//,
        times: 1,
        action: {
          kind: "status",
          status: 404,
          body: JSON.stringify({
            errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }],
          }),
        },
      });
      await assert.rejects(
        resolveImageSpec({ image, ...clientOpts() }),
        /repository .*\/app not found: the repository does not exist \(GET .*referrers.*: 404 NAME_UNKNOWN\)/,
      );
      reg.addFault({
        path: /\/referrers\//,
        times: 1,
        action: { kind: "status", status: 200, body: "{}" },
      });
      const logs: string[] = [];
      await assert.rejects(
        resolveImageSpec({ image, ...clientOpts({ verbose: (m) => logs.push(m) }) }),
        /no compatibility artifact/,
      );
      assert.match(
        logs.join("\n"),
        /referrers endpoint answered application\/json; using the referrers tag/,
      );
    });
  });

  it("filters by artifact type itself when the registry ignores the filter", async () => {
    await withServer({ filterReferrers: false }, async (reg) => {
      const { index } = reg.pushImage("app", "v1", ["linux/amd64"]);
      const image = `${reg.host}/app:v1`;
      const mine = await attach(image, clientOpts(), SPEC, { created: "2024-01-01T00:00:00Z" });
      const sig = reg.putBlob("app", "signature");
      reg.putManifest("app", {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactType: "application/vnd.dev.cosign.artifact.sig.v1+json",
        config: {
          mediaType: "application/vnd.oci.empty.v1+json",
          digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
          size: 2,
          data: "e30=",
        },
        layers: [sig],
        subject: index,
        annotations: { "org.opencontainers.image.created": "2030-01-01T00:00:00Z" },
      });
      const got = await resolveImageSpec({ image, ...clientOpts() });
      assert.equal(got.artifactDigest, mine.artifact.digest);
    });
  });

  it("re-asks for the API when a remembered 'no API' finds nothing", async () => {
    await withServer({}, async (reg) => {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      const image = `${reg.host}/app:v1`;
      const opts = clientOpts();
      await attach(image, opts);
      const { ContentCache, cacheDir } = await import("../../src/oci/cache.js");
      const memo = new ContentCache(cacheDir(opts.env));
      await memo.setMemo(`referrers-api ${reg.host}/app`, "none");
      await memo.settled();
      const got = await resolveImageSpec({ image, ...opts });
      assert.equal(got.specText, SPEC);
    });
  });

  it("ignores a referrers tag that resolves to the subject itself (GitLab)", async () => {
    await withServer({ referrersApi: false }, async (reg) => {
      const { index } = reg.pushImage("app", "v1", ["linux/amd64"]);
      const body = reg.getManifest("app", "v1")?.body;
      assert.ok(body);
      reg.putManifest("app", new Uint8Array(body), {
        tag: `sha256-${index.digest.slice(7)}`,
        mediaType: index.mediaType,
      });
      assert.deepEqual(
        (await listedDigests(`${reg.host}/app:v1`, clientOpts())).digests,
        new Set(),
      );
      const res = await attach(`${reg.host}/app:v1`, clientOpts());
      assert.equal(res.via, "fallback-tag");
      const got = await resolveImageSpec({ image: `${reg.host}/app:v1`, ...clientOpts() });
      assert.equal(got.artifactDigest, res.artifact.digest);
    });
  });

  it("pulls anonymously with a token when the registry allows it", async () => {
    await withServer(
      { auth: { kind: "bearer", username: "u", password: "p", anonymousPull: true } },
      async (reg) => {
        reg.pushImage("app", "v1", ["linux/amd64"]);
        await attach(`${reg.host}/app:v1`, clientOpts({ username: "u", password: "p" }));
        const got = await resolveImageSpec({ image: `${reg.host}/app:v1`, ...clientOpts() });
        assert.equal(got.specText, SPEC);
        await assert.rejects(
          attach(`${reg.host}/app:v1`, clientOpts()),
          /token service .* answered 401|401 unauthorized/,
        );
      },
    );
  });
});
