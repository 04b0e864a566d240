// kompat copy: Distribution → OCI layout → Distribution with every platform and the
// compatibility artifacts; idempotence (a second copy uploads nothing); -r for every
// referrer; and the messages for bad arguments.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { startTestServer, type TestServer } from "../helpers/testserver.js";
import { Raw, type Desc, EMPTY, MANIFEST } from "./raw.js";
import { SPEC, tempDir } from "./util.js";

function env(): Record<string, string | undefined> {
  const home = tempDir("kompat-user-");
  return { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, "c") };
}

function specFile(text: string): string {
  const p = join(tempDir(), "spec.yaml");
  writeFileSync(p, text);
  return p;
}

const ARM_SPEC = `${SPEC}# arm64 only\n`;

describe(
  "kompat copy through Distribution and an OCI layout",
  { skip: !haveDistribution() },
  () => {
    let reg: Distribution;
    let raw: Raw;
    before(async () => {
      reg = await startDistribution();
      raw = new Raw(reg.url);
    });
    after(async () => {
      await raw?.close();
      await reg?.stop();
    });

    it("round trip: every platform and both artifacts arrive, discoverable at the end", async () => {
      const { index, manifests } = await raw.pushImage("team/app", "v1", [
        "linux/amd64",
        "linux/arm64",
      ]);
      const e = env();
      const src = `${reg.host}/team/app:v1`;
      const att = await runCli(
        ["attach", "--image", src, "--spec", specFile(SPEC), "--plain-http"],
        {
          env: e,
        },
      );
      assert.equal(att.code, 0, att.stderr);
      const armAtt = await runCli(
        [
          "attach",
          "--image",
          src,
          "--platform",
          "linux/arm64",
          "--spec",
          specFile(ARM_SPEC),
          "--plain-http",
        ],
        { env: e },
      );
      assert.equal(armAtt.code, 0, armAtt.stderr);

      const dir = join(tempDir("kompat-copy-"), "layout");
      const out = await runCli(["copy", src, `oci-layout:${dir}`, "--from-plain-http"], { env: e });
      assert.equal(out.code, 0, out.stderr);
      assert.match(
        out.stdout,
        new RegExp(`^Copied ${src} => oci-layout:${dir}:v1\nDigest: ${index.digest}\n`),
      );
      assert.match(out.stdout, /; 2 referrers\n$/);
      const fromLayout = await runCli(["fetch-spec", "--image", `oci-layout:${dir}:v1`], {
        env: e,
      });
      assert.equal(fromLayout.stdout, SPEC);

      const back = `${reg.host}/moved/app:v2`;
      const again = await runCli(["copy", `oci-layout:${dir}:v1`, back, "--to-plain-http"], {
        env: e,
      });
      assert.equal(again.code, 0, again.stderr);
      // Every platform manifest and the index, by digest, as in the source.
      for (const m of [index, ...manifests]) {
        const got = await raw.getManifest("moved/app", m.digest);
        assert.equal(got.status, 200, `${m.digest} at the destination`);
      }
      // Both artifacts in the destination's referrers tags, found by discover and fetch-spec.
      assert.deepEqual(
        (await raw.fallbackEntries("moved/app", index.digest)).map((x) => x.digest),
        [att.stdout.trim()],
      );
      const disc = await runCli(["discover", "--image", back, "--plain-http", "-o", "json"], {
        env: e,
      });
      assert.equal((JSON.parse(disc.stdout) as { used: string }).used, att.stdout.trim());
      const arm = await runCli(
        ["fetch-spec", "--image", back, "--platform", "linux/arm64", "--plain-http"],
        { env: e },
      );
      assert.equal(arm.stdout, ARM_SPEC);
      const entry = (await raw.fallbackEntries("moved/app", (manifests[1] as Desc).digest))[0];
      assert.equal(entry?.artifactType, "application/vnd.nfd.image-compatibility.v1alpha1");
      assert.match(entry?.annotations?.["org.opencontainers.image.created"] ?? "", /Z$/);
    });
  },
);

describe("kompat copy between registries", () => {
  let from: TestServer;
  let to: TestServer;
  before(async () => {
    from = await startTestServer();
    to = await startTestServer({ referrersApi: false });
  });
  after(async () => {
    await from.stop();
    await to.stop();
  });

  const artifact = (subject: Desc, artifactType: string, text: string) => {
    const layer = from.putBlob("app", text);
    const empty = from.putBlob("app", "{}");
    return from.putManifest("app", {
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType,
      config: { ...empty, mediaType: EMPTY },
      layers: [
        { ...layer, mediaType: "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml" },
      ],
      subject,
      annotations: { "org.opencontainers.image.created": "2030-01-01T00:00:00Z" },
    });
  };

  it("is idempotent: a second copy uploads no blob and writes no manifest", async () => {
    const { index } = from.pushImage("app", "v1", ["linux/amd64", "linux/arm64", "linux/s390x"]);
    const art = artifact(index, "application/vnd.nfd.image-compatibility.v1alpha1", SPEC);
    const args = ["copy", `${from.host}/app:v1`, `${to.host}/copied/app`, "--plain-http"];
    const first = await runCli(args, { env: env() });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(to.hasBlob("copied/app", art.digest) === false, "manifests are not blobs");
    assert.equal(
      to.getManifest("copied/app", "v1")?.body.length,
      index.size,
      "tagged as the source",
    );
    const start = to.requests.length;
    const second = await runCli(args, { env: env() });
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      second.stdout,
      /\n0 manifests and 0 blobs \(0 bytes\) copied, 5 manifests and \d+ blobs already there; 1 referrer\n$/,
    );
    const writes = to.requests
      .slice(start)
      .filter((r) => r.method === "POST" || r.method === "PUT" || r.method === "PATCH");
    assert.deepEqual(writes, [], "nothing uploaded");
    const got = await runCli(
      ["fetch-spec", "--image", `${to.host}/copied/app:v1`, "--plain-http"],
      {
        env: env(),
      },
    );
    assert.equal(got.stdout, SPEC);
  });

  it("copies only compatibility artifacts by default, every referrer with -r", async () => {
    const { index } = from.pushImage("app", "v2", ["linux/amd64"]);
    artifact(index, "application/vnd.nfd.image-compatibility.v1alpha1", SPEC);
    const sig = artifact(index, "application/vnd.example.signature", "signed");
    const plain = await runCli(
      ["copy", `${from.host}/app:v2`, `${to.host}/a/app:v2`, "--plain-http"],
      {
        env: env(),
      },
    );
    assert.match(plain.stdout, /; 1 referrer\n$/);
    assert.equal(to.getManifest("a/app", sig.digest), undefined);
    const all = await runCli(
      ["copy", "-r", `${from.host}/app:v2`, `${to.host}/b/app:v2`, "--plain-http"],
      {
        env: env(),
      },
    );
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /; 2 referrers\n$/);
    assert.ok(to.getManifest("b/app", sig.digest));
  });

  it("says what is wrong with the arguments", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["copy", "a/b:1"],
        /^kompat: copy: expected SRC and DST, got 1 argument \(kompat copy --help\)\n$/,
      ],
      [
        ["copy", "a/b:1", "c/d:1", "--registry-username", "u"],
        /^kompat: copy: credentials belong to one registry: give --from-username\/--from-password-stdin or --to-username\/--to-password-stdin\n$/,
      ],
      [
        ["copy", "a/b:1", "c/d:1", "--from-username", "u"],
        /^kompat: copy: --from-username and --from-password-stdin go together\n$/,
      ],
      [
        [
          "copy",
          "a/b:1",
          "c/d:1",
          "--from-username",
          "u",
          "--from-password-stdin",
          "--to-username",
          "v",
          "--to-password-stdin",
        ],
        /^kompat: copy: --from-password-stdin and --to-password-stdin both read stdin; give one\n$/,
      ],
    ];
    for (const [args, want] of cases) {
      const res = await runCli(args, { env: env() });
      assert.equal(res.code, 2, args.join(" "));
      assert.match(res.stderr, want);
    }
    const wrong = await runCli(
      ["copy", `${from.host}/app:v1`, `${to.host}/x/app@sha256:${"0".repeat(64)}`, "--plain-http"],
      { env: env() },
    );
    assert.equal(wrong.code, 2);
    assert.match(
      wrong.stderr,
      /^kompat: copy: DST names sha256:0{64}, but SRC is sha256:[0-9a-f]{64}\n$/,
    );
  });
});
