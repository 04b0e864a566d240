// The README's Library API example runs as written against the built package, on an OCI
// layout this test builds: the documented API is the one that works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO } from "./helpers/cli.js";
import { env, Layout } from "./oci/layout-fixture.js";
import { tempDir } from "./oci/util.js";

/** The first ```js block of the README's "Library API" section. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Library API\n"));
  const m = /\n```js\n([\s\S]*?)\n```\n/.exec(section.slice(0, section.indexOf("\n## ", 3)));
  assert.ok(m?.[1], "README.md: no ```js block in the Library API section");
  return m[1];
}

test("the README's library example attaches, finds and validates on an OCI layout", () => {
  const dir = tempDir("kompat-readme-");
  new Layout(join(dir, "app")).image("v1", ["linux/amd64"]);
  const entry = pathToFileURL(join(REPO, "dist/src/index.js")).href;
  const code = readmeExample().replace(/from "kompat"/g, `from ${JSON.stringify(entry)}`);
  assert.notEqual(code, readmeExample(), 'the example imports from "kompat"');
  const script = join(dir, "example.mjs");
  writeFileSync(script, code);
  const r = spawnSync(process.execPath, [script], {
    cwd: dir,
    encoding: "utf8",
    env: { ...env(), IMAGE: `oci-layout:${join(dir, "app")}:v1` },
  });
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  assert.match(
    r.stdout,
    /^gpu-1: does not fit\ngpu-2: fits\nartifact (sha256:[0-9a-f]{64}) of 1, used \1\n$/,
  );
});
