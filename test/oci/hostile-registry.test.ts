// A registry that tries to leak its credentials to another origin (issue #8, items 1 and 2).
// "The other host" is a second test-server instance logging every request's headers; the
// assertion is always the same: nothing that reaches it carries the registry's credentials.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, describe, it } from "node:test";
import { openImage } from "../../src/oci/client.js";
import { startTestServer, type TestServer } from "../helpers/testserver.js";
import { clientOpts } from "./util.js";

const BASIC = `Basic ${Buffer.from("u:p").toString("base64")}`;

function assertNoCredentials(other: TestServer): void {
  assert.ok(other.requests.length > 0, "the other host was reached");
  for (const r of other.requests)
    assert.equal(
      r.headers.authorization,
      undefined,
      `${r.method} ${r.path} at the other host carried ${r.headers.authorization}`,
    );
}

describe("credentials stay with the registry they were given for", () => {
  const others: TestServer[] = [];
  const other = async (challenge: string) => {
    const s = await startTestServer({ hostile: { demandAuth: challenge } });
    others.push(s);
    return s;
  };
  after(() => Promise.all(others.map((s) => s.stop())));

  for (const challenge of ['Bearer realm="{self}/token",service="evil"', 'Basic realm="evil"']) {
    const scheme = challenge.split(" ")[0];
    it(`a blob redirected to another host that answers 401 ${scheme}`, async () => {
      const elsewhere = await other(challenge);
      const reg = await startTestServer({
        auth: { kind: "basic", username: "u", password: "p" },
        hostile: { redirectBlobsTo: elsewhere.url },
      });
      others.push(reg);
      const blob = reg.putBlob("app", "layer");
      const img = await openImage(
        `${reg.host}/app:v1`,
        clientOpts({ username: "u", password: "p", noCache: true }),
      );
      try {
        await assert.rejects(
          img.target.fetchBlob(blob, 1024),
          new RegExp(
            `GET ${reg.url}/v2/app/blobs/${blob.digest} was redirected to ${elsewhere.url}/blob/app/${blob.digest}, ` +
              `which asks for authentication \\(401\\); the credentials for ${reg.url} are never sent to another host`,
          ),
        );
      } finally {
        await img.close();
      }
      // The registry itself did get them (after its own challenge).
      assert.ok(reg.requests.some((r) => r.headers.authorization === BASIC));
      assertNoCredentials(elsewhere);
    });
  }

  it("an upload location on another host that answers 401 Basic (attach)", async () => {
    const elsewhere = await other('Basic realm="evil"');
    const reg = await startTestServer({
      auth: { kind: "basic", username: "u", password: "p" },
      hostile: { uploadsTo: elsewhere.url },
    });
    others.push(reg);
    const img = await openImage(
      `${reg.host}/app:v1`,
      clientOpts({ username: "u", password: "p", noCache: true }),
      "push",
    );
    const data = new TextEncoder().encode("spec");
    const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    try {
      await assert.rejects(
        img.target.pushBlob({ mediaType: "application/octet-stream", digest, size: 4 }, data),
        /PUT .* was sent to http:\/\/127\.0\.0\.1:\d+\/upload\/[0-9a-f]+\?digest=sha256%3A[0-9a-f]+, which asks for authentication \(401\); the credentials for .* are never sent to another host/,
      );
    } finally {
      await img.close();
    }
    assert.ok(reg.requests.some((r) => r.method === "POST" && r.headers.authorization === BASIC));
    assertNoCredentials(elsewhere);
    assert.ok(elsewhere.requests.some((r) => r.method === "PUT"));
  });

  it("a token realm on another host named by the registry gets them (the one exception)", async () => {
    // The realm's tokens mean nothing to the registry: the point is where Basic went.
    const realm = await startTestServer({ auth: { kind: "bearer", username: "u", password: "p" } });
    const reg = await startTestServer({
      auth: { kind: "bearer", username: "u", password: "p", realm: `${realm.url}/token` },
    });
    others.push(realm, reg);
    const img = await openImage(
      `${reg.host}/app:v1`,
      clientOpts({ username: "u", password: "p", noCache: true }),
    );
    try {
      await assert.rejects(img.target.resolve("v1"), /401 unauthorized/);
    } finally {
      await img.close();
    }
    assert.ok(realm.requests.length > 0);
    for (const r of realm.requests) {
      assert.equal(r.path, "/token", "the realm host got token requests only");
      assert.equal(r.headers.authorization, BASIC);
    }
  });
});

describe("--timeout is a deadline for the registry work as a whole", () => {
  // The harness's own limit ({ timeout }) is what catches a regression: without the deadline
  // each of these runs for minutes.
  const limit = { timeout: 30_000 };
  const withImage = async (fn: (reg: TestServer, image: string) => Promise<void>) => {
    const reg = await startTestServer();
    try {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      await fn(reg, `${reg.host}/app:v1`);
    } finally {
      await reg.stop();
    }
  };

  it("a manifest sent one byte at a time", limit, () =>
    withImage(async (reg, image) => {
      reg.addFault({ path: /\/manifests\/v1$/, action: { kind: "slow-body", intervalMs: 100 } });
      const img = await openImage(image, clientOpts({ timeoutMs: 1000, noCache: true }));
      try {
        await assert.rejects(
          img.target.resolve("v1"),
          /GET http:\/\/127\.0\.0\.1:\d+\/v2\/app\/manifests\/v1: timed out \(the registry work passed its 1 s deadline\)/,
        );
      } finally {
        await img.close();
      }
      assert.equal(reg.requests.length, 1, "not retried past the deadline");
    }),
  );

  // copy moves large blobs: bytes moved earn time (1 s per MiB), a trickle earns none.
  it(
    "a large blob that keeps moving outlasts the deadline; the message says it was extended",
    limit,
    () =>
      withImage(async (reg, image) => {
        const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
        const desc = reg.putBlob("app", big);
        // 1 MiB a second: the last arrives 2 s after the first, past the 1.5 s deadline. The
        // deadline leaves 1.5 s for the set-up before the first MiB, so load cannot decide it.
        reg.addFault({
          path: `/blobs/${desc.digest}`,
          times: 1,
          action: { kind: "slow-body", intervalMs: 1000, chunkBytes: 1024 * 1024 },
        });
        const img = await openImage(image, clientOpts({ timeoutMs: 1500, noCache: true }));
        try {
          const got = await img.target.fetchBlob(desc, 4 * 1024 * 1024);
          assert.equal(Buffer.compare(Buffer.from(got), big), 0);
          // Once the bytes have extended it, a stall fails with both figures named.
          reg.addFault({ path: /\/manifests\/v1$/, action: { kind: "stall" } });
          await assert.rejects(
            img.target.resolve("v1"),
            /manifests\/v1: timed out \(the registry work passed its 1\.5 s deadline, extended by 3 s for the bytes moved\)/,
          );
        } finally {
          await img.close();
        }
      }),
  );

  it("a manifest body that never ends stops at the size cap", limit, () =>
    withImage(async (reg, image) => {
      reg.addFault({ path: /\/manifests\/v1$/, action: { kind: "endless-body" } });
      const img = await openImage(image, clientOpts({ timeoutMs: 20_000, noCache: true }));
      try {
        await assert.rejects(img.target.resolve("v1"), /response exceeds the 4 MiB limit/);
      } finally {
        await img.close();
      }
    }),
  );

  it("a 429 asking for a retry after 30 s under a 2 s deadline fails at once", limit, () =>
    withImage(async (reg, image) => {
      reg.addFault({
        path: /\/manifests\/v1$/,
        action: { kind: "status", status: 429, headers: { "retry-after": "30" } },
      });
      const img = await openImage(image, clientOpts({ timeoutMs: 2000, noCache: true }));
      try {
        await assert.rejects(
          img.target.resolve("v1"),
          /manifests\/v1: 429; retrying in 30 s would pass the 2 s deadline \(timed out\)/,
        );
      } finally {
        await img.close();
      }
      assert.equal(reg.requests.length, 1);
    }),
  );

  it("repeated short Retry-After waits end at the deadline", limit, () =>
    withImage(async (reg, image) => {
      reg.addFault({
        path: /\/manifests\/v1$/,
        action: { kind: "status", status: 503, headers: { "retry-after": "1" } },
      });
      const img = await openImage(
        image,
        clientOpts({ timeoutMs: 1500, retries: 100, noCache: true }),
      );
      try {
        await assert.rejects(img.target.resolve("v1"), /would pass the 1\.5 s deadline/);
      } finally {
        await img.close();
      }
      assert.ok(reg.requests.length <= 2, `${reg.requests.length} requests`);
    }),
  );
});

describe("what a registry sends reaches messages escaped and brief", () => {
  // ESC, BEL, a C1 CSI and a bidi override: each could rewrite the user's terminal.
  const HOSTILE = "\u001b]0;owned\u0007\u001b[2J\u009b31m\u202e";
  const noControls = (msg: string) => {
    assert.doesNotMatch(msg, /[\u0000-\u001f\u007f-\u009f\u202e]/, JSON.stringify(msg));
    return true;
  };

  it("an error body with terminal escapes", async () => {
    const reg = await startTestServer();
    try {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      reg.addFault({
        path: /\/manifests\/v1$/,
        action: {
          kind: "status",
          status: 400,
          body: JSON.stringify({
            errors: [{ code: `BAD${HOSTILE}`, message: HOSTILE.repeat(100) }],
          }),
        },
      });
      const img = await openImage(`${reg.host}/app:v1`, clientOpts({ noCache: true }));
      try {
        await assert.rejects(img.target.resolve("v1"), (e: Error) => {
          assert.match(e.message, /answered 400 bad request; registry says BAD\\x1b\]0;owned\\x07/);
          assert.ok(e.message.length < 600, `${e.message.length} characters`);
          return noControls(e.message);
        });
      } finally {
        await img.close();
      }
    } finally {
      await reg.stop();
    }
  });

  it("a gzip-compressed manifest is named as such, without its bytes", async () => {
    const reg = await startTestServer();
    try {
      reg.pushImage("app", "v1", ["linux/amd64"]);
      reg.addFault({ path: /\/manifests\/v1$/, action: { kind: "gzip-body" } });
      const img = await openImage(`${reg.host}/app:v1`, clientOpts({ noCache: true }));
      try {
        await assert.rejects(img.target.resolve("v1"), (e: Error) => {
          assert.equal(
            e.message,
            `GET ${reg.url}/v2/app/manifests/v1: the registry sent the manifest gzip-compressed; a manifest must be plain JSON`,
          );
          return noControls(e.message);
        });
      } finally {
        await img.close();
      }
    } finally {
      await reg.stop();
    }
  });
});
