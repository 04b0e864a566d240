// Finding artifacts with bounded work, and saying which one was used: a fallback index of
// 14,000 referrers, entries without artifactType (skopeo 1.9), unparsable `created`, the
// fallback tag inside an OCI layout, and the provenance in fetch-spec / validate-node.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { startTestServer, type Descriptor, type TestServer } from "../helpers/testserver.js";
import { sha256, INDEX, MANIFEST, EMPTY } from "./raw.js";
import { SPEC, tempDir } from "./util.js";

const COMPAT = "application/vnd.nfd.image-compatibility.v1alpha1";
const LAYER = "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml";
const EMPTY_DESC = { mediaType: EMPTY, digest: sha256(Buffer.from("{}")), size: 2 };

function env(): Record<string, string | undefined> {
  const home = tempDir("kompat-user-");
  return { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, "c") };
}

const specOf = (n: number) => `${SPEC}# spec ${n}\n`;
const createdOf = (n: number) =>
  new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString().replace(".000Z", "Z");

/** An artifact manifest as oras writes it; returns its document and bytes. */
function artifactDoc(subject: Descriptor, layer: Descriptor, created?: string) {
  return {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType: COMPAT,
    config: EMPTY_DESC,
    layers: [{ ...layer, mediaType: LAYER }],
    subject,
    ...(created !== undefined
      ? { annotations: { "org.opencontainers.image.created": created } }
      : {}),
  };
}

/** Attaches `n` real artifacts on the test server and returns their index entries. */
function realArtifacts(reg: TestServer, subject: Descriptor, from: number, n: number) {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    const layer = reg.putBlob("app", specOf(k));
    const created = createdOf(k);
    const d = reg.putManifest("app", artifactDoc(subject, layer, created));
    return {
      ...d,
      artifactType: COMPAT,
      annotations: { "org.opencontainers.image.created": created },
    };
  });
}

function fakeEntries(n: number, typed: boolean) {
  return Array.from({ length: n }, (_, i) => ({
    mediaType: MANIFEST,
    digest: sha256(Buffer.from(`fake ${i}`)),
    size: 500,
    ...(typed ? { artifactType: COMPAT } : {}),
    annotations: { "org.opencontainers.image.created": createdOf(i) },
  }));
}

describe("a fallback index of 14,000 referrers", () => {
  let reg: TestServer;
  let subject: Descriptor;
  before(async () => {
    reg = await startTestServer({ referrersApi: false });
    subject = reg.pushImage("app", "v1", ["linux/amd64"]).index;
  });
  after(() => reg.stop());

  const putIndex = (manifests: object[]) => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
    assert.ok(body.length < 4 * 1024 * 1024, `${body.length} bytes fit the 4 MiB cap`);
    reg.putManifest("app", body, {
      tag: `sha256-${subject.digest.slice(7)}`,
      mediaType: INDEX,
    });
  };

  it("discover lists all from the index and reads only the newest specs; fetch-spec reads one", async () => {
    const real = realArtifacts(reg, subject, 20_000, 25);
    putIndex([...fakeEntries(14_000, true), ...real]);
    const image = `${reg.host}/app:v1`;
    const start = reg.requests.length;
    const disc = await runCli(["discover", "--image", image, "--plain-http", "-o", "json"], {
      env: env(),
    });
    assert.equal(disc.code, 0, disc.stderr);
    const doc = JSON.parse(disc.stdout) as {
      used: string;
      specsRead: number;
      artifacts: { digest: string; spec?: { sets: number } }[];
    };
    assert.equal(doc.artifacts.length, 14_025);
    assert.equal(doc.used, real[24]?.digest);
    assert.equal(doc.specsRead, 20);
    assert.equal(doc.artifacts.filter((a) => a.spec !== undefined).length, 20);
    const reads = reg.requests.slice(start);
    // Resolve, referrers probe, the tag, and a manifest and a blob for each of the newest 20.
    assert.ok(reads.length <= 46, `${reads.length} requests`);

    const text = await runCli(["discover", "--image", image, "--plain-http"], { env: env() });
    assert.match(
      text.stdout,
      /\(the specs of the newest 20 were read; the other 14005 are listed from the index\)\n$/,
    );

    const fstart = reg.requests.length;
    const got = await runCli(["fetch-spec", "--image", image, "--plain-http"], { env: env() });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, specOf(20_024));
    assert.ok(reg.requests.length - fstart <= 5, `${reg.requests.length - fstart} requests`);
  });

  it("without artifactType on the entries: refused past the cap, with the reason, reading none", async () => {
    putIndex(fakeEntries(14_000, false));
    const start = reg.requests.length;
    const got = await runCli(["fetch-spec", "--image", `${reg.host}/app:v1`, "--plain-http"], {
      env: env(),
    });
    assert.equal(got.code, 2);
    assert.match(
      got.stderr,
      /^kompat: the referrers index of 127\.0\.0\.1:\d+\/app lists 14000 entries without artifactType; kompat reads at most 1000 artifact manifests to learn their type/,
    );
    const manifestReads = reg.requests
      .slice(start)
      .filter((r) => r.method === "GET" && /\/manifests\/sha256:/.test(r.path));
    assert.equal(manifestReads.length, 0);
  });

  it("entries without artifactType under the cap: their manifests decide", async () => {
    const [a, b] = realArtifacts(reg, subject, 30_000, 2);
    const other = reg.putManifest("app", {
      ...artifactDoc(subject, reg.putBlob("app", "sig"), createdOf(40_000)),
      artifactType: "application/vnd.example.signature",
    });
    const strip = (d: Descriptor) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size });
    putIndex([strip(a as Descriptor), strip(other), strip(b as Descriptor)]);
    const got = await runCli(
      ["fetch-spec", "--image", `${reg.host}/app:v1`, "--plain-http", "-o", "json"],
      { env: env() },
    );
    assert.equal(got.code, 0, got.stderr);
    const doc = JSON.parse(got.stdout) as Record<string, unknown>;
    // The newest compatibility artifact by the manifests' created; the signature is not one.
    assert.equal(doc.artifact, b?.digest);
    assert.equal(doc.created, createdOf(30_001));
    assert.equal(doc.spec, specOf(30_001));
    assert.equal(doc.source, "tag");
    assert.equal(doc.subjectDigest, subject.digest);
    assert.equal(doc.subject, `${reg.host}/app@${subject.digest}`);
    assert.match(String(doc.specDigest), /^sha256:[0-9a-f]{64}$/);
  });

  it("an unparsable created sorts oldest, as in NFD, and discover says it is invalid", async () => {
    const [a, b] = realArtifacts(reg, subject, 50_000, 2);
    const bad = { ...b, annotations: { "org.opencontainers.image.created": "yesterday" } };
    putIndex([a as Descriptor, bad]);
    const image = `${reg.host}/app:v1`;
    const text = await runCli(["discover", "--image", image, "--plain-http"], { env: env() });
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`${a?.digest}  ${createdOf(50_000)}  2 sets, tags gpu,cpu  <- used\n`),
    );
    assert.match(
      text.stdout,
      new RegExp(
        `${b?.digest}  \\(invalid created date "yesterday": sorts oldest\\)  2 sets, tags gpu,cpu\n`,
      ),
    );
    const json = await runCli(["discover", "--image", image, "--plain-http", "--output-json"], {
      env: env(),
    });
    const doc = JSON.parse(json.stdout) as { artifacts: { createdState: string }[] };
    assert.deepEqual(
      doc.artifacts.map((x) => x.createdState),
      ["valid", "invalid"],
    );
  });

  it("validate-node --image names the artifact and subject in the text report, not in the JSON", async () => {
    const [a] = realArtifacts(reg, subject, 60_000, 1);
    putIndex([a as Descriptor]);
    const features = join(tempDir(), "f.json");
    writeFileSync(features, JSON.stringify({ flags: {}, attributes: {}, instances: {} }));
    const args = [
      "validate-node",
      "--image",
      `${reg.host}/app:v1`,
      "--plain-http",
      "--features",
      features,
    ];
    const text = await runCli(args, { env: env() });
    assert.equal(text.code, 1, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^Spec: artifact ${a?.digest} attached to ${reg.host}/app@${subject.digest}\n`),
    );
    const json = await runCli([...args, "-o", "json"], { env: env() });
    assert.ok(Array.isArray(JSON.parse(json.stdout)), json.stdout);
  });
});

describe("an OCI layout holding the referrers tag, as skopeo copies it", () => {
  it("finds the artifact through the sha256-<hex> index, with or without artifactType", async () => {
    const dir = tempDir("kompat-layout-");
    mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
    const blob = (data: string, mediaType: string) => {
      const digest = sha256(Buffer.from(data));
      writeFileSync(join(dir, "blobs", "sha256", digest.slice(7)), data);
      return { mediaType, digest, size: Buffer.byteLength(data) };
    };
    const config = blob(
      '{"os":"linux","architecture":"amd64"}',
      "application/vnd.oci.image.config.v1+json",
    );
    const layer = blob("layer", "application/vnd.oci.image.layer.v1.tar");
    const image = blob(
      JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] }),
      MANIFEST,
    );
    blob("{}", EMPTY);
    const spec = blob(SPEC, LAYER);
    const art = blob(JSON.stringify(artifactDoc(image, spec, "2030-01-01T00:00:00Z")), MANIFEST);
    const write = (typed: boolean) => {
      // skopeo 1.9 writes the entry without artifactType (and without annotations).
      const entry = typed
        ? {
            ...art,
            artifactType: COMPAT,
            annotations: { "org.opencontainers.image.created": "2030-01-01T00:00:00Z" },
          }
        : art;
      const fallback = blob(
        JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [entry] }),
        INDEX,
      );
      const ref = (d: Descriptor, name: string) => ({
        ...d,
        annotations: { "org.opencontainers.image.ref.name": name },
      });
      writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
      writeFileSync(
        join(dir, "index.json"),
        JSON.stringify({
          schemaVersion: 2,
          mediaType: INDEX,
          manifests: [ref(image, "v1"), ref(fallback, `sha256-${image.digest.slice(7)}`)],
        }),
      );
    };
    for (const typed of [true, false]) {
      write(typed);
      const got = await runCli(["fetch-spec", "--image", `oci-layout:${dir}:v1`, "-o", "json"], {
        env: env(),
      });
      assert.equal(got.code, 0, got.stderr);
      const doc = JSON.parse(got.stdout) as Record<string, unknown>;
      assert.equal(doc.spec, SPEC);
      assert.equal(doc.artifact, art.digest);
      assert.equal(doc.created, "2030-01-01T00:00:00Z");
      const disc = await runCli(["discover", "--image", `oci-layout:${dir}:v1`], { env: env() });
      assert.match(
        disc.stdout,
        new RegExp(`${art.digest}  2030-01-01T00:00:00Z  2 sets, tags gpu,cpu  <- used`),
      );
    }
  });
});
