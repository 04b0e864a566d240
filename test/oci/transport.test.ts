// The HTTP layer on its own: redirects (origin change strips Authorization, no HTTPS→HTTP),
// no credentials over plain HTTP to a remote host, parsing (proxies: proxy.test.ts).

import assert from "node:assert/strict";
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { isLoopbackHost, parseRetryAfter, Transport } from "../../src/oci/transport.js";
import { nextLink } from "../../src/oci/registry-referrers.js";
import { safeUrl } from "../../src/oci/errors.js";
import { testTls } from "../helpers/tls.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler, tls?: { cert: string; key: string }) {
  const seen: IncomingMessage[] = [];
  const server = tls
    ? createHttps(tls, (req, res) => (seen.push(req), handler(req, res)))
    : createHttp((req, res) => (seen.push(req), handler(req, res)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("transport", () => {
  const env = { PATH: process.env.PATH };
  let other: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    other = await listen((_req, res) => res.end("elsewhere"));
  });
  after(() => other.close());

  it("keeps Authorization on a same-origin redirect and drops it on another origin", async () => {
    const origin = await listen((req, res) => {
      if (req.url === "/same") res.writeHead(302, { location: "/final" }).end();
      else if (req.url === "/away") res.writeHead(307, { location: `${other.url}/x` }).end();
      else res.end("here");
    });
    const t = new Transport({ env });
    try {
      const same = await t.send({
        method: "GET",
        url: `${origin.url}/same`,
        headers: { authorization: "Bearer abc" },
      });
      assert.equal(Buffer.from(same.body).toString(), "here");
      assert.equal(origin.seen.at(-1)?.headers.authorization, "Bearer abc");
      const away = await t.send({
        method: "GET",
        url: `${origin.url}/away`,
        headers: { authorization: "Bearer abc" },
      });
      assert.equal(Buffer.from(away.body).toString(), "elsewhere");
      assert.equal(away.url, `${other.url}/x`);
      assert.equal(other.seen.at(-1)?.headers.authorization, undefined);
    } finally {
      await t.close();
      await origin.close();
    }
  });

  it("refuses a redirect from HTTPS to HTTP", async () => {
    const tls = await testTls();
    const secure = await listen(
      (_req, res) => res.writeHead(302, { location: `${other.url}/plain` }).end(),
      tls,
    );
    const t = new Transport({ env, caFile: tls.caFile });
    try {
      await assert.rejects(
        t.send({ method: "GET", url: `${secure.url}/blob` }),
        /redirected to http:\/\/127\.0\.0\.1:\d+\/plain: refusing to downgrade from HTTPS/,
      );
    } finally {
      await t.close();
      await secure.close();
    }
  });

  it("never sends credentials over plain HTTP to a host that is not loopback", async () => {
    const t = new Transport({ env });
    try {
      await assert.rejects(
        t.send({
          method: "GET",
          url: "http://registry.example.invalid/v2/",
          headers: { authorization: "Basic c2VjcmV0" },
        }),
        /refusing to send credentials over plain HTTP to registry\.example\.invalid/,
      );
      assert.equal(t.requestCount, 0);
    } finally {
      await t.close();
    }
    assert.ok(
      isLoopbackHost("127.0.0.1") && isLoopbackHost("[::1]") && isLoopbackHost("localhost"),
    );
    assert.ok(!isLoopbackHost("10.0.0.1") && !isLoopbackHost("example.com"));
  });

  it("names an unreadable or empty --ca-file", () => {
    assert.throws(
      () => new Transport({ env, caFile: "/nonexistent/ca.pem" }),
      /cannot read --ca-file \/nonexistent\/ca\.pem: no such file or directory$/,
    );
    assert.throws(
      () => new Transport({ env, caFile: "/dev/null" }),
      /--ca-file \/dev\/null holds no PEM certificate/,
    );
  });

  it("reports a refused connection", async () => {
    const t = new Transport({ env, retries: 0 });
    try {
      await assert.rejects(
        t.send({ method: "GET", url: "http://127.0.0.1:9/v2/" }),
        /GET http:\/\/127\.0\.0\.1:9\/v2\/: connection refused/,
      );
    } finally {
      await t.close();
    }
  });

  it("parses Retry-After, Link and hides secrets in URLs", () => {
    assert.equal(parseRetryAfter("3"), 3000);
    assert.equal(
      parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
      10000,
    );
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(
      nextLink(
        '</v2/a/referrers/sha256:x?n=1&last=b>; rel="next"',
        "https://r.example/v2/a/referrers/sha256:x",
      ),
      "https://r.example/v2/a/referrers/sha256:x?n=1&last=b",
    );
    assert.equal(nextLink('<https://r.example/p2>; rel="prev"', "https://r.example/"), undefined);
    assert.equal(
      safeUrl("https://user:pw@s3.example/blob?X-Amz-Signature=abc&part=1"),
      "https://s3.example/blob?part=1&…",
    );
  });
});
