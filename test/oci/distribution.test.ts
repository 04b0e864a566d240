// kompat against a real registry: Debian's Distribution 2.8 (no referrers API), plain HTTP,
// htpasswd Basic auth and TLS with a private CA. Artifacts written by kompat must be what
// oras reads, and artifacts written the oras way by hand must be found by kompat.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fetchCompatSpec, type CompatSpecOptions } from "../../src/oci/usecases.js";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { runBin, runCli } from "../helpers/cli.js";
import { Raw, type Desc } from "./raw.js";
import { clientOpts, SPEC, tempDir, userEnv } from "./util.js";

/** fetchCompatSpec, with the image named beside its options as these tests write it. */
const resolveImageSpec = ({ image, ...o }: CompatSpecOptions & { image: string }) =>
  fetchCompatSpec(image, o);

const skip = haveDistribution() ? false : "docker-registry (Distribution 2.8) is not installed";

function specFile(text = SPEC, name = "spec.yaml"): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

describe("Distribution 2.8, plain HTTP", { skip }, () => {
  let reg: Distribution;
  let raw: Raw;
  let index: Desc;
  let manifests: Desc[];
  before(async () => {
    reg = await startDistribution();
    raw = new Raw(reg.url);
    ({ index, manifests } = await raw.pushImage("team/app", "v1", ["linux/amd64", "linux/arm64"]));
  });
  after(async () => {
    await raw?.close();
    await reg?.stop();
  });

  it("attach → discover → fetch-spec, and oras finds the artifact by walking the referrers tag", async () => {
    const env = userEnv();
    const image = `${reg.host}/team/app:v1`;
    const att = await runCli(["attach", "--image", image, "--spec", specFile(), "--plain-http"], {
      env,
    });
    assert.equal(att.code, 0, att.stderr);
    const digest = att.stdout.trim();
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);

    // As oras reads it: the <alg>-<hex> tag of the index digest, an OCI index listing the artifact.
    const entries = await raw.fallbackEntries("team/app", index.digest);
    const entry = entries.find((e) => e.digest === digest);
    assert.ok(entry, "listed in the referrers tag");
    assert.equal(entry.artifactType, "application/vnd.nfd.image-compatibility.v1alpha1");
    assert.equal(entry.mediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.match(entry.annotations?.["org.opencontainers.image.created"] ?? "", /Z$/);
    const art = await raw.getManifest(
      "team/app",
      digest,
      "application/vnd.oci.image.manifest.v1+json",
    );
    const doc = JSON.parse(art.text) as { subject: Desc; layers: Desc[] };
    assert.equal(doc.subject.digest, index.digest);
    const layer = doc.layers[0];
    assert.ok(layer);
    const blob = await raw.req("GET", `/v2/team/app/blobs/${layer.digest}`);
    assert.equal(blob.text, SPEC);

    const disc = await runCli(["discover", "--image", image, "--plain-http", "--output-json"], {
      env,
    });
    assert.equal(disc.code, 0, disc.stderr);
    const listed = JSON.parse(disc.stdout) as {
      source: string;
      subject: { digest: string };
      artifacts: { digest: string; spec?: { sets: number; tags: string[] } }[];
    };
    assert.equal(listed.source, "tag");
    assert.equal(listed.subject.digest, index.digest);
    const mine = listed.artifacts.find((a) => a.digest === digest);
    assert.deepEqual(mine?.spec?.sets, 2);
    assert.deepEqual(mine?.spec?.tags, ["gpu", "cpu"]);

    const text = await runCli(["discover", "--image", image, "--plain-http"], { env });
    assert.match(text.stdout, new RegExp(`${digest}  \\S+Z  2 sets, tags gpu,cpu  <- used`));

    const fetched = await runCli(["fetch-spec", "--image", image, "--plain-http"], { env });
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.equal(fetched.stdout, SPEC);
  });

  it("finds an artifact that the test attached the way oras does, on a platform entry", async () => {
    const amd64 = manifests[0] as Desc;
    const spec =
      "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: by-hand\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Exists}\n";
    const art = await raw.orasAttach("team/app", amd64, spec, "2030-01-01T00:00:00Z");
    const env = userEnv();
    const got = await runCli(
      [
        "fetch-spec",
        "--image",
        `${reg.host}/team/app:v1`,
        "--platform",
        "linux/amd64",
        "--plain-http",
        "-v",
      ],
      { env },
    );
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, spec);
    assert.match(got.stderr, new RegExp(`artifact ${art.digest}`));
    // validate-node's fallback: nothing on the index for this node? then the node's entry.
    const other = await raw.pushImage("solo/app", "v1", ["linux/amd64", "linux/arm64"]);
    await raw.orasAttach("solo/app", other.manifests[1] as Desc, spec, "2030-01-01T00:00:00Z");
    const fb = await resolveImageSpec({
      image: `${reg.host}/solo/app:v1`,
      hostPlatform: { os: "linux", architecture: "arm64" },
      ...clientOpts(),
    });
    assert.equal(fb.specText, spec);
    assert.equal(fb.subject, `${reg.host}/solo/app@${other.manifests[1]?.digest}`);
    assert.match(fb.notes[0] ?? "", /linux\/arm64/);
  });

  it("attaches with --platform to the entry, and checks a single manifest's platform", async () => {
    const env = userEnv();
    const att = await runCli(
      [
        "attach",
        "--image",
        `${reg.host}/team/app:v1`,
        "--platform",
        "linux/arm64",
        "--spec",
        specFile(),
        "--plain-http",
      ],
      { env },
    );
    assert.equal(att.code, 0, att.stderr);
    const entries = await raw.fallbackEntries("team/app", (manifests[1] as Desc).digest);
    assert.ok(entries.some((e) => e.digest === att.stdout.trim()));
    const art = JSON.parse(
      (
        await raw.getManifest(
          "team/app",
          att.stdout.trim(),
          "application/vnd.oci.image.manifest.v1+json",
        )
      ).text,
    ) as { subject: Desc };
    assert.deepEqual(art.subject.platform, { os: "linux", architecture: "arm64" });

    await raw.pushSingle("single", "v1", "linux", "amd64");
    const bad = await runCli(
      [
        "attach",
        "--image",
        `${reg.host}/single:v1`,
        "--platform",
        "linux/arm64",
        "--spec",
        specFile(),
        "--plain-http",
      ],
      { env },
    );
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /single:v1 is a single-platform image for linux\/amd64, not linux\/arm64/,
    );
    const ok = await runCli(
      [
        "attach",
        "--image",
        `${reg.host}/single:v1`,
        "--platform",
        "linux/amd64",
        "--spec",
        specFile(),
        "--plain-http",
      ],
      { env },
    );
    assert.equal(ok.code, 0, ok.stderr);
  });

  it("refuses an invalid spec before pushing anything", async () => {
    const env = userEnv();
    const before = (await raw.fallbackEntries("team/app", index.digest)).length;
    const res = await runCli(
      [
        "attach",
        "--image",
        `${reg.host}/team/app:v1`,
        "--spec",
        specFile(
          "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: x\n    matchFeature: []\n",
          "bad.yaml",
        ),
        "--plain-http",
      ],
      { env },
    );
    assert.equal(res.code, 2);
    assert.match(res.stderr, /bad\.yaml:\d+:\d+: error: /);
    assert.match(res.stderr, /nothing was pushed/);
    assert.equal((await raw.fallbackEntries("team/app", index.digest)).length, before);
  });

  it("concurrent attaches from several processes on one machine lose nothing", async () => {
    const { index: idx } = await raw.pushImage("busy/app", "v1", ["linux/amd64"]);
    const env = userEnv();
    const n = 4;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        runBin(
          [
            "attach",
            "--image",
            `${reg.host}/busy/app:v1`,
            "--spec",
            specFile(`${SPEC}# writer ${i}\n`),
            "--plain-http",
          ],
          { env },
        ),
      ),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const entries = await raw.fallbackEntries("busy/app", idx.digest);
    assert.deepEqual(
      new Set(entries.map((e) => e.digest)),
      new Set(results.map((r) => r.stdout.trim())),
    );
    assert.equal(entries.length, n);
  });

  it("a warm lookup is two HEADs; a spec attached since and a moved tag are seen", async () => {
    const env = userEnv();
    const image = `${reg.host}/warm/app:v1`;
    const subject = await raw.pushSingle("warm/app", "v1", "linux", "amd64");
    const specNamed = (name: string) => SPEC.replace("My image requirements", name);
    const fetchSpec = async (verbose = false) => {
      const args = ["fetch-spec", "--image", image, "--plain-http", ...(verbose ? ["-v"] : [])];
      const got = await runCli(args, { env });
      assert.equal(got.code, 0, got.stderr);
      return got;
    };
    const attach = async (text: string) => {
      const att = await runCli(
        ["attach", "--image", image, "--spec", specFile(text), "--plain-http"],
        { env },
      );
      assert.equal(att.code, 0, att.stderr);
    };
    const requests = (stderr: string) => stderr.match(/^\s*(?:GET|HEAD|PUT|POST) \S+/gm) ?? [];

    await attach(specNamed("first"));
    assert.equal((await fetchSpec()).stdout, specNamed("first"));
    const warm = await fetchSpec(true);
    assert.equal(warm.stdout, specNamed("first"));
    const asked = requests(warm.stderr);
    assert.equal(asked.length, 2, asked.join("\n"));
    assert.ok(
      asked.every((r) => r.trim().startsWith("HEAD ")),
      `only HEADs when warm:\n${asked.join("\n")}`,
    );
    assert.match(warm.stderr, /tag and referrers unchanged/);

    // A newer spec attached by kompat, then one by another tool (the oras way, by hand).
    await attach(specNamed("second"));
    assert.equal((await fetchSpec()).stdout, specNamed("second"));
    await raw.orasAttach("warm/app", subject, specNamed("third"), "2099-01-01T00:00:00Z");
    assert.equal((await fetchSpec()).stdout, specNamed("third"));

    // The tag moved to another image, with its own spec.
    const moved = await raw.pushSingle("warm/app", "v1", "linux", "arm64");
    assert.notEqual(moved.digest, subject.digest);
    await raw.orasAttach("warm/app", moved, specNamed("fourth"), "2030-01-01T00:00:00Z");
    assert.equal((await fetchSpec()).stdout, specNamed("fourth"));
    // And once more warm: the new answer is the one remembered.
    assert.equal((await fetchSpec()).stdout, specNamed("fourth"));
  });

  it("says clearly when the image does not exist", async () => {
    const res = await runCli(
      ["fetch-spec", "--image", `${reg.host}/team/app:nope`, "--plain-http"],
      { env: userEnv() },
    );
    assert.equal(res.code, 2);
    assert.match(
      res.stderr,
      /^kompat: manifest .*team\/app:nope not found \(GET http:\/\/127\.0\.0\.1:\d+\/v2\/team\/app\/manifests\/nope: 404 MANIFEST_UNKNOWN\)\n$/,
    );
  });
});

describe("Distribution 2.8 with htpasswd (Basic)", { skip }, () => {
  let reg: Distribution;
  const auth = { username: "builder", password: "pa55-Word!" };
  before(async () => {
    reg = await startDistribution({ auth });
    const raw = new Raw(reg.url, { auth });
    await raw.pushImage("app", "v1", ["linux/amd64"]);
    await raw.close();
  });
  after(() => reg?.stop());

  it("attaches and fetches with --registry-username/--registry-password-stdin", async () => {
    const env = userEnv();
    const image = `${reg.host}/app:v1`;
    const creds = ["--registry-username", auth.username, "--registry-password-stdin"];
    const att = await runCli(
      ["attach", "--image", image, "--spec", specFile(), "--plain-http", ...creds],
      { env, stdin: `${auth.password}\n` },
    );
    assert.equal(att.code, 0, att.stderr);
    const got = await runCli(["fetch-spec", "--image", image, "--plain-http", ...creds], {
      env,
      stdin: `${auth.password}\n`,
    });
    assert.equal(got.stdout, SPEC);
  });

  it("rejects wrong and missing credentials with a clear message and no secret", async () => {
    const image = `${reg.host}/app:v1`;
    const wrong = await runCli(
      [
        "fetch-spec",
        "--image",
        image,
        "--plain-http",
        "--registry-username",
        "builder",
        "--registry-password-stdin",
      ],
      { env: userEnv(), stdin: "not-the-pw-777\n" },
    );
    assert.equal(wrong.code, 2);
    assert.match(
      wrong.stderr,
      /401 unauthorized \(the credentials from .* were rejected or lack pull rights/,
    );
    assert.doesNotMatch(wrong.stderr, /not-the-pw-777/);
    const none = await runCli(["discover", "--image", image, "--plain-http"], { env: userEnv() });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /401 unauthorized \(no credentials were found.*--registry-username/);
  });

  it("uses Docker's config.json when no flags are given", async () => {
    const env = userEnv();
    const dir = tempDir();
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        auths: {
          [reg.host]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString("base64") },
        },
      }),
    );
    const got = await runCli(["fetch-spec", "--image", `${reg.host}/app:v1`, "--plain-http"], {
      env: { ...env, DOCKER_CONFIG: dir },
    });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, SPEC);
  });
});

describe("Distribution 2.8 over TLS", { skip }, () => {
  let reg: Distribution;
  before(async () => {
    reg = await startDistribution({ tls: true });
    const raw = new Raw(reg.url, { ca: reg.ca as string });
    await raw.pushImage("app", "v1", ["linux/amd64"]);
    await raw.close();
  });
  after(() => reg?.stop());

  it("works with --ca-file, refuses an unknown CA, and --insecure skips the check", async () => {
    const env = userEnv();
    const image = `${reg.host}/app:v1`;
    const att = await runCli(
      ["attach", "--image", image, "--spec", specFile(), "--ca-file", reg.caFile as string],
      { env },
    );
    assert.equal(att.code, 0, att.stderr);
    const got = await runCli(
      ["fetch-spec", "--image", image, "--ca-file", reg.caFile as string, "--no-cache"],
      { env },
    );
    assert.equal(got.stdout, SPEC);
    const refused = await runCli(["fetch-spec", "--image", image, "--no-cache"], { env });
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(\w+\); pass --ca-file FILE with its CA, or --insecure/,
    );
    const insecure = await runCli(["fetch-spec", "--image", image, "--insecure", "--no-cache"], {
      env,
    });
    assert.equal(insecure.stdout, SPEC);
    const plain = await runCli(["fetch-spec", "--image", image, "--plain-http", "--no-cache"], {
      env,
    });
    assert.equal(plain.code, 2);
  });
});
