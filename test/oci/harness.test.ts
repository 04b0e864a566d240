// The registry test harnesses themselves: the real Distribution process and the fake.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { after, before, describe, it } from "node:test";
import { startDistribution } from "../helpers/registry.js";
import type { Distribution } from "../helpers/registry.js";
import { OCI_INDEX, OCI_MANIFEST, startTestServer } from "../helpers/testserver.js";
import type { TestServer } from "../helpers/testserver.js";

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function call(
  url: string,
  o: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    ca?: string;
  } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith("https:") ? httpsRequest : httpRequest)(
      url,
      { method: o.method ?? "GET", headers: o.headers ?? {}, ...(o.ca ? { ca: o.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

const sha = (b: string | Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const basicAuth = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

/** Push `{}` and a manifest (optionally with a subject) the way a client would. */
async function pushArtifact(
  base: string,
  repo: string,
  headers: Record<string, string>,
  ca?: string,
  subject?: object,
) {
  const blob = "{}";
  const up = await call(`${base}/v2/${repo}/blobs/uploads/`, {
    method: "POST",
    headers,
    ...(ca ? { ca } : {}),
  });
  assert.equal(up.status, 202, up.body.toString());
  const loc = new URL(up.headers.location as string, base);
  loc.searchParams.set("digest", sha(blob));
  const put = await call(loc.href, {
    method: "PUT",
    headers: { ...headers, "content-type": "application/octet-stream" },
    body: blob,
    ...(ca ? { ca } : {}),
  });
  assert.equal(put.status, 201, put.body.toString());
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: "application/vnd.example+type",
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha(blob), size: 2 },
    layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: sha(blob), size: 2 }],
    ...(subject ? { subject } : {}),
  });
  const m = await call(`${base}/v2/${repo}/manifests/${sha(manifest)}`, {
    method: "PUT",
    headers: { ...headers, "content-type": OCI_MANIFEST },
    body: manifest,
    ...(ca ? { ca } : {}),
  });
  return { res: m, digest: sha(manifest), size: Buffer.byteLength(manifest) };
}

describe("Distribution 2.8 harness", () => {
  let plain: Distribution;
  let secure: Distribution;
  before(async () => {
    [plain, secure] = await Promise.all([
      startDistribution(),
      startDistribution({ auth: { username: "alice", password: "s3cret" }, tls: true }),
    ]);
  });
  after(() => Promise.all([plain?.stop(), secure?.stop()]));

  it("serves the API on loopback: push, fetch, delete; no referrers API, no OCI-Subject", async () => {
    assert.match(plain.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await call(`${plain.url}/v2/`)).status, 200);
    const subject = { mediaType: OCI_MANIFEST, digest: sha("x"), size: 1 };
    const { res, digest } = await pushArtifact(plain.url, "t/app", {}, undefined, subject);
    assert.equal(res.status, 201, res.body.toString());
    assert.equal(res.headers["oci-subject"], undefined);
    const got = await call(`${plain.url}/v2/t/app/manifests/${digest}`, {
      headers: { accept: OCI_MANIFEST },
    });
    assert.equal(got.status, 200);
    assert.equal(got.headers["docker-content-digest"], digest);
    const refs = await call(`${plain.url}/v2/t/app/referrers/${sha("x")}`);
    assert.equal(refs.status, 404);
    assert.match(String(refs.headers["content-type"]), /^text\/plain/);
    const del = await call(`${plain.url}/v2/t/app/manifests/${digest}`, { method: "DELETE" });
    assert.equal(del.status, 202);
  });

  it("enforces htpasswd Basic auth", async () => {
    const anon = await call(`${secure.url}/v2/`, { ca: secure.ca as string });
    assert.equal(anon.status, 401);
    assert.match(String(anon.headers["www-authenticate"]), /^Basic realm="kompat-test"/);
    const wrong = await call(`${secure.url}/v2/`, {
      ca: secure.ca as string,
      headers: { authorization: basicAuth("alice", "nope") },
    });
    assert.equal(wrong.status, 401);
    const ok = await call(`${secure.url}/v2/`, {
      ca: secure.ca as string,
      headers: { authorization: basicAuth("alice", "s3cret") },
    });
    assert.equal(ok.status, 200);
  });

  it("needs the test CA for TLS", async () => {
    assert.match(secure.url, /^https:/);
    assert.ok(secure.caFile);
    await assert.rejects(call(`${secure.url}/v2/`), /self[- ]signed|unable to verify|certificate/i);
  });

  it("is gone after stop", async () => {
    const d = await startDistribution();
    await d.stop();
    await assert.rejects(call(`${d.url}/v2/`), /ECONNREFUSED/);
  });
});

describe("in-process test registry", () => {
  const servers: TestServer[] = [];
  const start = async (o: Parameters<typeof startTestServer>[0] = {}) => {
    const s = await startTestServer(o);
    servers.push(s);
    return s;
  };
  after(() => Promise.all(servers.map((s) => s.stop())));

  it("referrers API: OCI-Subject, artifactType filter, Link pagination", async () => {
    const s = await start({ referrersPageSize: 2 });
    const img = s.pushImage("app", "v1", ["linux/amd64", "linux/arm64"]);
    const subject = { mediaType: OCI_INDEX, digest: img.index.digest, size: img.index.size };
    const { res } = await pushArtifact(s.url, "app", {}, undefined, { ...subject });
    assert.equal(res.status, 201);
    assert.equal(res.headers["oci-subject"], img.index.digest);
    // Three more referrers, one of another artifact type.
    for (let i = 0; i < 3; i++) {
      s.putManifest("app", {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: i === 0 ? "application/other" : "application/vnd.example+type",
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha("{}"), size: 2 },
        layers: [],
        subject,
        annotations: { n: String(i) },
      });
    }
    const all: { artifactType?: string }[] = [];
    let next: string | undefined =
      `/v2/app/referrers/${img.index.digest}?artifactType=application%2Fvnd.example%2Btype`;
    let pages = 0;
    while (next) {
      const r = await call(`${s.url}${next}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers["content-type"], OCI_INDEX);
      assert.equal(r.headers["oci-filters-applied"], "artifactType");
      all.push(
        ...(JSON.parse(r.body.toString()) as { manifests: { artifactType?: string }[] }).manifests,
      );
      next = /<([^>]+)>;\s*rel="next"/.exec(String(r.headers.link ?? ""))?.[1];
      pages++;
    }
    assert.equal(pages, 2);
    assert.equal(all.length, 3);
    assert.ok(all.every((d) => d.artifactType === "application/vnd.example+type"));
  });

  it("without the referrers API: 404 text/plain and no OCI-Subject; unfiltered mode", async () => {
    const s = await start({ referrersApi: false });
    const img = s.pushImage("app", "v1", ["linux/amd64"]);
    const { res } = await pushArtifact(s.url, "app", {}, undefined, {
      mediaType: OCI_INDEX,
      digest: img.index.digest,
      size: img.index.size,
    });
    assert.equal(res.headers["oci-subject"], undefined);
    const r = await call(`${s.url}/v2/app/referrers/${img.index.digest}`);
    assert.equal(r.status, 404);
    assert.equal(r.body.toString(), "404 page not found\n");
    const u = await start({ filterReferrers: false });
    const img2 = u.pushImage("app", "v1", ["linux/amd64"]);
    await pushArtifact(u.url, "app", {}, undefined, {
      mediaType: OCI_INDEX,
      digest: img2.index.digest,
      size: img2.index.size,
    });
    const r2 = await call(
      `${u.url}/v2/app/referrers/${img2.index.digest}?artifactType=application/none`,
    );
    assert.equal(r2.headers["oci-filters-applied"], undefined);
    assert.equal((JSON.parse(r2.body.toString()) as { manifests: unknown[] }).manifests.length, 1);
    assert.equal((await call(`${u.url}/v2/nope/referrers/${img2.index.digest}`)).status, 404);
  });

  it("like Distribution, an index is unknown to a client that does not accept it", async () => {
    const s = await start();
    s.pushImage("app", "v1", ["linux/amd64"]);
    const no = await call(`${s.url}/v2/app/manifests/v1`, { headers: { accept: OCI_MANIFEST } });
    assert.equal(no.status, 404);
    assert.match(no.body.toString(), /MANIFEST_UNKNOWN/);
    const yes = await call(`${s.url}/v2/app/manifests/v1`, {
      headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX}` },
    });
    assert.equal(yes.status, 200);
    assert.equal(yes.headers.etag, `"${yes.headers["docker-content-digest"] as string}"`);
    assert.equal(sha(yes.body), yes.headers["docker-content-digest"]);
  });

  it("faults: 429 then success, corrupt body, wrong digest header, dropped connection", async () => {
    const s = await start();
    const blob = s.putBlob("app", "hello");
    const url = `${s.url}/v2/app/blobs/${blob.digest}`;
    s.addFault({
      method: "GET",
      path: "/blobs/",
      times: 1,
      action: { kind: "status", status: 429, headers: { "retry-after": "1" } },
    });
    const a = await call(url);
    assert.equal(a.status, 429);
    assert.equal(a.headers["retry-after"], "1");
    assert.equal((await call(url)).body.toString(), "hello");
    s.addFault({ path: /blobs/, times: 1, action: { kind: "corrupt-body" } });
    assert.notEqual(sha((await call(url)).body), blob.digest);
    s.addFault({ path: /blobs/, times: 1, action: { kind: "wrong-digest-header" } });
    assert.notEqual((await call(url)).headers["docker-content-digest"], blob.digest);
    s.addFault({ path: /blobs/, times: 1, action: { kind: "drop-connection" } });
    await assert.rejects(call(url), /socket hang up|ECONNRESET/);
    assert.equal((await call(url)).status, 200);
    assert.deepEqual(
      s.requests.map((r) => r.status),
      [429, 200, 200, 200, 0, 200],
    );
  });

  it("faults: a stalled body ends only when the server stops", async () => {
    const s = await startTestServer();
    const blob = s.putBlob("app", "x".repeat(1000));
    s.addFault({ path: "/blobs/", action: { kind: "stall" } });
    const pending = call(`${s.url}/v2/app/blobs/${blob.digest}`);
    await new Promise<void>((r) => {
      const poll = () => (s.requests.length > 0 ? r() : setImmediate(poll));
      poll();
    });
    await s.stop();
    await assert.rejects(pending, /aborted|ECONNRESET|socket hang up/);
  });

  it("redirects blob GETs to another origin that records Authorization", async () => {
    const s = await start({ redirectBlobs: true });
    const blob = s.putBlob("app", "redirected");
    const r = await call(`${s.url}/v2/app/blobs/${blob.digest}`);
    assert.equal(r.status, 307);
    const loc = r.headers.location as string;
    assert.ok(s.blobHost && loc.startsWith(s.blobHost.url));
    assert.notEqual(new URL(loc).origin, s.url);
    assert.equal((await call(loc)).body.toString(), "redirected");
    await call(loc, { headers: { authorization: "Bearer leaked" } });
    assert.deepEqual(
      s.blobHost?.requests.map((q) => q.auth),
      [undefined, "bearer"],
    );
  });

  it("monolithic and chunked uploads verify the digest", async () => {
    const s = await start();
    const bad = await call(`${s.url}/v2/app/blobs/uploads/?digest=${sha("a")}`, {
      method: "POST",
      body: "b",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /DIGEST_INVALID/);
    const ok = await call(`${s.url}/v2/app/blobs/uploads/?digest=${sha("a")}`, {
      method: "POST",
      body: "a",
    });
    assert.equal(ok.status, 201);
    assert.ok(s.hasBlob("app", sha("a")));
    const head = await call(`${s.url}/v2/app/blobs/${sha("a")}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], "1");
  });

  it("Basic auth and TLS with the test CA", async () => {
    const s = await start({ tls: true, auth: { kind: "basic", username: "u", password: "p" } });
    await assert.rejects(call(`${s.url}/v2/`), /self[- ]signed|unable to verify|certificate/i);
    assert.equal((await call(`${s.url}/v2/`, { ca: s.ca as string })).status, 401);
    const ok = await call(`${s.url}/v2/`, {
      ca: s.ca as string,
      headers: { authorization: basicAuth("u", "p") },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(
      s.requests.map((r) => r.auth),
      [undefined, "basic"],
    );
  });

  it("manifest PUT: wrong digest, invalid JSON, tags list, delete", async () => {
    const s = await start();
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    const wrong = await call(`${s.url}/v2/app/manifests/${sha("other")}`, {
      method: "PUT",
      headers: { "content-type": OCI_INDEX },
      body,
    });
    assert.equal(wrong.status, 400);
    const notJson = await call(`${s.url}/v2/app/manifests/t`, {
      method: "PUT",
      headers: { "content-type": OCI_INDEX },
      body: "{",
    });
    assert.match(notJson.body.toString(), /MANIFEST_INVALID/);
    const put = await call(`${s.url}/v2/app/manifests/t1`, {
      method: "PUT",
      headers: { "content-type": OCI_INDEX },
      body,
    });
    assert.equal(put.status, 201);
    assert.equal(put.headers["docker-content-digest"], sha(body));
    assert.deepEqual(JSON.parse((await call(`${s.url}/v2/app/tags/list`)).body.toString()), {
      name: "app",
      tags: ["t1"],
    });
    assert.equal(
      (await call(`${s.url}/v2/app/manifests/${sha(body)}`, { method: "DELETE" })).status,
      202,
    );
    assert.deepEqual(s.tags("app"), []);
  });
});

describe("in-process test registry: token service and options", () => {
  it("checks token scopes per repository and action, and expiry on its clock", async () => {
    let clock = 0;
    const s = await startTestServer({
      now: () => clock,
      auth: { kind: "bearer", username: "u", password: "p", tokenTtlSeconds: 10 },
    });
    try {
      s.pushImage("a", "v1", ["linux/amd64"]);
      s.pushImage("b", "v1", ["linux/amd64"]);
      const tok = await call(`${s.url}/token?service=kompat-test&scope=repository:a:pull`, {
        headers: { authorization: basicAuth("u", "p") },
      });
      const body = JSON.parse(tok.body.toString()) as { token: string; expires_in: number };
      assert.equal(body.expires_in, 10);
      const bearer = { authorization: `Bearer ${body.token}`, accept: OCI_INDEX };
      assert.equal((await call(`${s.url}/v2/a/manifests/v1`, { headers: bearer })).status, 200);
      const other = await call(`${s.url}/v2/b/manifests/v1`, { headers: bearer });
      assert.equal(other.status, 401);
      assert.match(
        String(other.headers["www-authenticate"]),
        /scope="repository:b:pull",error="insufficient_scope"/,
      );
      const push = await call(`${s.url}/v2/a/blobs/uploads/`, { method: "POST", headers: bearer });
      assert.match(String(push.headers["www-authenticate"]), /scope="repository:a:pull,push"/);
      clock += 10_000;
      const expired = await call(`${s.url}/v2/a/manifests/v1`, { headers: bearer });
      assert.match(String(expired.headers["www-authenticate"]), /error="invalid_token"/);
      const anon = await call(`${s.url}/token?scope=repository:a:pull`);
      assert.equal(anon.status, 401);
      const noClient = await call(`${s.url}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=password&username=u&password=p",
      });
      assert.equal(noClient.status, 400);
    } finally {
      await s.stop();
    }
  });

  it("honours If-Match on manifest PUT only when asked to", async () => {
    for (const honour of [false, true]) {
      const s = await startTestServer({ honourIfMatch: honour });
      try {
        const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
        const h = { "content-type": OCI_INDEX };
        await call(`${s.url}/v2/r/manifests/t`, { method: "PUT", headers: h, body });
        const stale = await call(`${s.url}/v2/r/manifests/t`, {
          method: "PUT",
          headers: { ...h, "if-match": `"${sha("something else")}"` },
          body,
        });
        assert.equal(stale.status, honour ? 412 : 201);
      } finally {
        await s.stop();
      }
    }
  });

  it("pages the tag list and refuses DELETE when deletes are disabled", async () => {
    const s = await startTestServer({ deleteEnabled: false });
    try {
      for (const t of ["c", "a", "b"]) s.pushImage("r", t, ["linux/amd64"]);
      const p1 = await call(`${s.url}/v2/r/tags/list?n=2`);
      assert.deepEqual(JSON.parse(p1.body.toString()), { name: "r", tags: ["a", "b"] });
      assert.equal(p1.headers.link, '</v2/r/tags/list?n=2&last=b>; rel="next"');
      const p2 = await call(`${s.url}/v2/r/tags/list?n=2&last=b`);
      assert.deepEqual(JSON.parse(p2.body.toString()).tags, ["c"]);
      const del = await call(`${s.url}/v2/r/manifests/a`, { method: "DELETE" });
      assert.equal(del.status, 405);
    } finally {
      await s.stop();
    }
  });
});
