// attach / discover / fetch-spec on an OCI image layout directory, offline: the layout as
// oras writes it (oci-layout, index.json, blobs/sha256), referrers found from index.json.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { type Desc, MANIFEST, EMPTY } from "./raw.js";
import { SPEC, tempDir } from "./util.js";
import { env, Layout, specFile } from "./layout-fixture.js";

describe("OCI image layout", () => {
  it("attach → discover → fetch-spec offline, index.json listing the artifact as oras reads it", async () => {
    const dir = tempDir("kompat-layout-");
    const lay = new Layout(dir);
    const { index } = lay.image("v1", ["linux/amd64", "linux/arm64"]);
    const e = env();
    const att = await runCli(["attach", "--image", `oci-layout:${dir}:v1`, "--spec", specFile()], {
      env: e,
    });
    assert.equal(att.code, 0, att.stderr);
    const digest = att.stdout.trim();
    // oras: every manifest is listed in index.json; the referrer is the one whose subject is ours.
    const listed = lay.index().manifests.find((m) => m.digest === digest);
    assert.ok(listed);
    assert.equal(listed.annotations?.["org.opencontainers.image.ref.name"], undefined);
    const art = JSON.parse(lay.read(digest)) as {
      subject: Desc;
      layers: Desc[];
      artifactType: string;
    };
    assert.equal(art.subject.digest, index.digest);
    assert.equal(art.artifactType, "application/vnd.nfd.image-compatibility.v1alpha1");
    assert.equal(lay.read(art.layers[0]?.digest ?? ""), SPEC);
    // The tag still points at the image.
    assert.ok(
      lay
        .index()
        .manifests.some(
          (m) =>
            m.digest === index.digest &&
            m.annotations?.["org.opencontainers.image.ref.name"] === "v1",
        ),
    );

    for (const ref of [
      `oci-layout:${dir}:v1`,
      `oci-layout:${dir}@${index.digest}`,
      `oci-layout:${dir}`,
    ]) {
      const got = await runCli(["fetch-spec", "--image", ref], { env: e });
      assert.equal(got.code, 0, `${ref}: ${got.stderr}`);
      assert.equal(got.stdout, SPEC);
    }
    const disc = await runCli(["discover", "--image", `oci-layout:${dir}:v1`, "--output-json"], {
      env: e,
    });
    const doc = JSON.parse(disc.stdout) as {
      source: string;
      artifacts: { digest: string; spec: { sets: number } }[];
    };
    assert.equal(doc.source, "layout");
    assert.deepEqual(
      doc.artifacts.map((a) => [a.digest, a.spec.sets]),
      [[digest, 2]],
    );
  });

  it("finds an artifact written into the layout the way oras does, on a platform entry", async () => {
    const dir = tempDir("kompat-layout-");
    const lay = new Layout(dir);
    const { manifests } = lay.image("latest", ["linux/amd64", "linux/arm64"]);
    const empty = lay.blob("{}", EMPTY);
    const mk = (text: string, created: string) => {
      const layer = lay.blob(text, "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml");
      return lay.manifest({
        schemaVersion: 2,
        mediaType: MANIFEST,
        artifactType: "application/vnd.nfd.image-compatibility.v1alpha1",
        config: { ...empty, data: "e30=" },
        layers: [{ ...layer, annotations: { "org.opencontainers.image.title": "spec.yaml" } }],
        subject: manifests[1],
        annotations: { "org.opencontainers.image.created": created },
      } as { mediaType: string });
    };
    mk(`${SPEC}# older\n`, "2024-01-01T00:00:00Z");
    const newest = mk(`${SPEC}# newer\n`, "2024-06-01T00:00:00.5+02:00");
    const got = await runCli(
      ["fetch-spec", "--image", `oci-layout:${dir}`, "--platform", "linux/arm64", "-v"],
      { env: env() },
    );
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /# newer\n$/);
    assert.match(got.stderr, new RegExp(`artifact ${newest.digest}`));
    const none = await runCli(["discover", "--image", `oci-layout:${dir}`], { env: env() });
    assert.match(
      none.stdout,
      /no compatibility artifacts \(looked up via the OCI layout\)\nhint: artifacts attached to one platform are listed with --platform/,
    );
  });

  it("explains a missing layout, an unknown tag, an ambiguous one and a corrupt blob", async () => {
    const missing = await runCli(
      ["fetch-spec", "--image", `oci-layout:${join(tempDir(), "nope")}:v1`],
      { env: env() },
    );
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /kompat: oci-layout:.*nope: not an OCI image layout \(no .*nope\/index\.json\)/,
    );

    const dir = tempDir("kompat-layout-");
    const lay = new Layout(dir);
    lay.image("v1", ["linux/amd64"]);
    const { manifests } = lay.image("v2", ["linux/arm64"]);
    const unknown = await runCli(["fetch-spec", "--image", `oci-layout:${dir}:v3`], { env: env() });
    assert.match(unknown.stderr, /no manifest tagged "v3" \(tags: v1, v2\)/);
    const ambiguous = await runCli(["discover", "--image", `oci-layout:${dir}`], { env: env() });
    assert.match(ambiguous.stderr, /has several tags \(v1, v2\); give one as oci-layout:.*:TAG/);

    const att = await runCli(
      [
        "attach",
        "--image",
        `oci-layout:${dir}:v2`,
        "--platform",
        "linux/arm64",
        "--spec",
        specFile(),
      ],
      { env: env() },
    );
    assert.equal(att.code, 0, att.stderr);
    const art = JSON.parse(lay.read(att.stdout.trim())) as { layers: Desc[]; subject: Desc };
    assert.equal(art.subject.digest, (manifests[0] as Desc).digest);
    const specPath = join(dir, "blobs", "sha256", (art.layers[0] as Desc).digest.slice(7));
    writeFileSync(specPath, SPEC.replace("Intel", "Intex"));
    const corrupt = await runCli(
      ["fetch-spec", "--image", `oci-layout:${dir}:v2`, "--platform", "linux/arm64"],
      { env: env() },
    );
    assert.equal(corrupt.code, 2);
    assert.match(corrupt.stderr, new RegExp(`${specPath}: digest mismatch: expected sha256:`));
    writeFileSync(join(dir, "index.json"), "{not json");
    const bad = await runCli(["discover", "--image", `oci-layout:${dir}:v2`], { env: env() });
    assert.match(bad.stderr, /index\.json: malformed JSON/);
  });

  it("concurrent attaches to one layout keep every artifact in index.json", async () => {
    const dir = tempDir("kompat-layout-");
    const lay = new Layout(dir);
    lay.image("v1", ["linux/amd64"]);
    const e = env();
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        runCli(
          ["attach", "--image", `oci-layout:${dir}:v1`, "--spec", specFile(`${SPEC}# ${i}\n`)],
          { env: e },
        ),
      ),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const listed = new Set(lay.index().manifests.map((m) => m.digest));
    for (const r of results) assert.ok(listed.has(r.stdout.trim()), `${r.stdout.trim()} listed`);
  });

  it("cannot lock when the lock directory is unusable, and says where", async () => {
    const dir = tempDir("kompat-layout-");
    const lay = new Layout(dir);
    lay.image("v1", ["linux/amd64"]);
    const notDir = join(tempDir(), "file");
    writeFileSync(notDir, "");
    const res = await runCli(["attach", "--image", `oci-layout:${dir}:v1`, "--spec", specFile()], {
      env: { ...env(), XDG_RUNTIME_DIR: notDir },
    });
    assert.equal(res.code, 2);
    assert.match(
      res.stderr,
      /kompat: cannot create lock file .*file\/kompat\/locks\/\w+\.lock: (a part of the path is not a directory|already exists)\n/,
    );
  });
});
