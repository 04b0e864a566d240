// Registry flags shared by validate-node, attach, discover and fetch-spec: --timeout.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../../src/cli/flags.js";
import { UserError } from "../../src/cli/io.js";
import { startTestServer } from "../helpers/testserver.js";
import { runCli } from "../helpers/cli.js";

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
