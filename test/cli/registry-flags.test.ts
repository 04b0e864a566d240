// Registry flags shared by validate-node, attach, discover and fetch-spec: --timeout, which
// bounds everything the registry work does (credential helpers included).

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../../src/cli/flags.js";
import { UserError } from "../../src/cli/io.js";
import { startTestServer } from "../helpers/testserver.js";
import { runBin, runCli } from "../helpers/cli.js";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("durations are read as Go writes them", () => {
  const cases: Array<[string, number]> = [
    ["500ms", 500],
    ["30s", 30_000],
    ["1.5s", 1500],
    ["2m", 120_000],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text, "--timeout"), ms, text);
});

test("a duration without a unit, negative, zero or too long is a user error naming it", () => {
  const bad: Array<[string, RegExp]> = [
    ["30", /--timeout 30: expected a duration such as 500ms, 30s or 2m/],
    ["-1s", /expected a duration/],
    ["1d", /expected a duration/],
    ["s", /expected a duration/],
    ["0s", /--timeout 0s: must be at least 1ms/],
    ["25h", /--timeout 25h: must be at most 24h/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parseDuration(text, "--timeout"),
      (e: Error) => e instanceof UserError && message.test(e.message),
      text,
    );
  }
});

test("--timeout bounds the wait for a registry that stops answering", async () => {
  const reg = await startTestServer();
  try {
    reg.pushImage("app", "v1", ["linux/amd64"]);
    reg.addFault({ path: /\/manifests\/v1$/, action: { kind: "stall" } });
    const image = `${reg.host}/app:v1`;
    const r = await runCli([
      "fetch-spec",
      "--image",
      image,
      "--plain-http",
      "--no-cache",
      "--timeout",
      "300ms",
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /manifests\/v1: timed out \(the registry work passed its 0\.3 s deadline\)/,
    );

    const bad = await runCli(["fetch-spec", "--image", image, "--plain-http", "--timeout", "5"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--timeout 5: expected a duration/);
  } finally {
    await reg.stop();
  }
});

test(
  "a credential helper that never answers: --timeout ends it and all it started",
  {
    timeout: 60_000,
  },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "kompat-helper-"));
    const reg = await startTestServer({ auth: { kind: "basic", username: "u", password: "p" } });
    try {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      await mkdir(join(dir, "bin"));
      await mkdir(join(dir, ".docker"));
      const helper = join(dir, "bin", "docker-credential-stuck");
      // The child inherits the helper's stdout: killing the helper alone would leave it holding
      // kompat open for two minutes.
      await writeFile(helper, `#!/bin/sh\nsleep 120 &\necho $! > "${dir}/sleep.pid"\nwait\n`);
      await chmod(helper, 0o755);
      await writeFile(join(dir, ".docker", "config.json"), JSON.stringify({ credsStore: "stuck" }));
      const r = await runBin(
        ["fetch-spec", "--image", `${reg.host}/app:v1`, "--plain-http", "--no-cache"].concat([
          "--timeout",
          "1s",
        ]),
        { env: { PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}`, HOME: dir } },
      );
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /docker-credential-stuck did not answer within (1|0\.\d) s \(credsStore in /,
      );
      const pid = Number((await readFile(join(dir, "sleep.pid"), "utf8")).trim());
      assert.ok(pid > 0);
      const state = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "gone");
      // Gone, or a zombie waiting for a PID 1 that does not reap: either way not running.
      assert.ok(state === "gone" || / Z /.test(state), `sleep ${pid} still runs: ${state}`);
    } finally {
      await reg.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
