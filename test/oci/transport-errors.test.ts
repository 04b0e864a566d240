// What a user reads when the connection to a real TLS registry (Distribution 2.8) is set up
// wrongly: --plain-http against HTTPS, a --ca-file with the wrong CA, no CA at all.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { haveDistribution, startDistribution, type Distribution } from "../helpers/registry.js";
import { makeTls } from "../helpers/tls.js";
import { runCli } from "../helpers/cli.js";

const skip = haveDistribution() ? false : "docker-registry is not installed";

describe("connection set-up errors against Distribution over TLS", { skip }, () => {
  let reg: Distribution;
  let otherCa: Awaited<ReturnType<typeof makeTls>>;
  before(async () => {
    reg = await startDistribution({ tls: true });
    otherCa = await makeTls();
  });
  after(async () => {
    await reg?.stop();
    await otherCa?.cleanup();
  });
  const fetchSpec = (...flags: string[]) =>
    runCli(["fetch-spec", "--image", `${reg.host}/app:v1`, "--no-cache", ...flags]);

  it("--plain-http against an HTTPS port says so, instead of a bare 400", async () => {
    const r = await fetchSpec("--plain-http");
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `GET http://${reg.host}/v2/app/manifests/v1: ${reg.host} speaks HTTPS, not plain HTTP; drop --plain-http`,
      ),
    );
  });

  it("a --ca-file with another CA names that file, not 'pass --ca-file'", async () => {
    const r = await fetchSpec("--ca-file", otherCa.caFile);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(\w+\); the CA in --ca-file .*ca\.crt did not sign it; give the CA that did, or --insecure/,
    );
    const none = await fetchSpec();
    assert.match(
      none.stderr,
      /is not trusted \(\w+\); pass --ca-file FILE with its CA, or --insecure/,
    );
  });

  it("a missing --ca-file is 'no such file or directory'", async () => {
    const r = await fetchSpec("--ca-file", "/nonexistent/ca.pem");
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /cannot read --ca-file \/nonexistent\/ca\.pem: no such file or directory\n/,
    );
  });
});
