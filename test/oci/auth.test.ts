import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Authenticator } from "../../src/oci/auth.js";
import {
  AuthError,
  mergeScopes,
  parseChallenges,
  scopesFor,
} from "../../src/oci/auth-challenge.js";
import type { AuthHttp, AuthRequest } from "../../src/oci/auth.js";
import { resolveCredentials } from "../../src/oci/credentials.js";
import type { FoundCredential } from "../../src/oci/credentials.js";
import { Agent, request } from "undici";
import { startDistribution } from "../helpers/registry.js";
import type { Distribution } from "../helpers/registry.js";
import { startTestServer } from "../helpers/testserver.js";
import type { TestServer, TestServerOptions } from "../helpers/testserver.js";

describe("parseChallenges", () => {
  it("Basic and Bearer with realm, service, scope", () => {
    assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [
      { scheme: "basic", params: { realm: "Registry Realm" } },
    ]);
    assert.deepEqual(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      ),
      [
        {
          scheme: "bearer",
          params: {
            realm: "https://auth.docker.io/token",
            service: "registry.docker.io",
            scope: "repository:samalba/my-app:pull,push",
          },
        },
      ],
    );
  });
  it("several challenges, case-insensitive names, spaces, token values, escapes", () => {
    assert.deepEqual(
      parseChallenges(
        'NEGOTIATE, BASIC Realm = "a\\"b,c" , bearer realm=https://x/t, service="s", error=insufficient_scope',
      ),
      [
        { scheme: "negotiate", params: {} },
        { scheme: "basic", params: { realm: 'a"b,c' } },
        {
          scheme: "bearer",
          params: { realm: "https://x/t", service: "s", error: "insufficient_scope" },
        },
      ],
    );
  });
  it("token68 credentials stay whole", () => {
    assert.deepEqual(parseChallenges("Negotiate abc==, Basic realm=r"), [
      { scheme: "negotiate", params: { "": "abc==" } },
      { scheme: "basic", params: { realm: "r" } },
    ]);
  });
  it("malformed values are errors", () => {
    assert.throws(() => parseChallenges('Bearer realm="https://x'), /unterminated quoted string/);
    assert.throws(
      () => parseChallenges('Bearer realm="x" junk'),
      (e: unknown) => e instanceof AuthError && /expected ","/.test(e.message),
    );
    assert.throws(() => parseChallenges('="x"'), /unexpected "="/);
  });
});

describe("scopes", () => {
  it("per operation", () => {
    assert.deepEqual(scopesFor("a/b", "pull"), ["repository:a/b:pull"]);
    assert.deepEqual(scopesFor("a/b", "push"), ["repository:a/b:pull,push"]);
    assert.deepEqual(scopesFor("a/b", "delete"), ["repository:a/b:delete"]);
  });
  it("merge unites actions per resource, sorted; * absorbs", () => {
    assert.deepEqual(
      mergeScopes([
        "repository:b:push",
        "repository:a:pull",
        "repository:b:pull",
        "registry:catalog:*",
        "repository:a:pull",
      ]),
      ["registry:catalog:*", "repository:a:pull", "repository:b:pull,push"],
    );
    assert.deepEqual(mergeScopes(["repository:x:pull", "repository:x:*", ""]), ["repository:x:*"]);
  });
});

// --- flows against the in-process registry ---------------------------------------------------

/** Token-service transport over fetch: no redirects followed, body capped. */
const http: AuthHttp = async (req) => {
  const init: RequestInit = { method: req.method, headers: req.headers, redirect: "manual" };
  if (req.body !== undefined) init.body = req.body;
  const res = await fetch(req.url, init);
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.length > req.maxBodyBytes)
    throw new Error(`answer larger than ${req.maxBodyBytes} bytes`);
  return { status: res.status, body };
};

function makeAuth(
  registry: string,
  cred?: FoundCredential,
  now?: () => number,
  h: AuthHttp = http,
) {
  const asked: string[] = [];
  const logs: string[] = [];
  const auth = new Authenticator({
    registry,
    http: h,
    credentials: async (host, repo) => {
      asked.push(`${host} ${repo ?? ""}`);
      return cred;
    },
    log: (m) => logs.push(m),
    ...(now ? { now } : {}),
  });
  return { auth, asked, logs };
}

/** What a registry client does: anonymous or cached header, on 401 learn and retry once. */
async function get(
  auth: Authenticator,
  url: string,
  scopes: string[],
  method = "GET",
): Promise<number> {
  const req: AuthRequest = { url, method, scopes };
  const send = async (h: string | undefined) => {
    const res = await fetch(url, {
      method,
      headers: h ? { authorization: h, accept: "*/*" } : { accept: "*/*" },
    });
    await res.arrayBuffer();
    return res;
  };
  const first = await auth.authorize(req);
  let res = await send(first);
  if (
    res.status === 401 &&
    (await auth.onUnauthorized(req, res.headers.get("www-authenticate") ?? undefined, first))
  )
    res = await send(await auth.authorize(req));
  return res.status;
}

const basic = (username: string, password: string): FoundCredential => ({
  kind: "basic",
  username,
  password,
  source: "test",
});

describe("Authenticator against a Basic registry", () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ auth: { kind: "basic", username: "u", password: "p" } });
    s.pushImage("app", "v1", ["linux/amd64"]);
  });
  after(() => s.stop());

  it("goes anonymous first, then sends Basic to the same origin only", async () => {
    const { auth, asked } = makeAuth(s.url, basic("u", "p"));
    const url = `${s.url}/v2/app/manifests/v1`;
    const before = s.requests.length;
    assert.equal(await get(auth, url, scopesFor("app", "pull")), 200);
    assert.deepEqual(
      s.requests.slice(before).map((r) => [r.auth, r.status]),
      [
        [undefined, 401],
        ["basic", 200],
      ],
    );
    assert.deepEqual(asked, [`${s.host} app`]);
    // Learned: the next request goes with credentials at once.
    assert.match((await auth.authorize({ url, method: "GET", scopes: [] })) ?? "", /^Basic /);
    // Another port is another origin: nothing.
    const other = s.url.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + 1}`);
    assert.equal(
      await auth.authorize({ url: `${other}/v2/`, method: "GET", scopes: [] }),
      undefined,
    );
  });

  it("does not retry with rejected or missing credentials", async () => {
    const wrong = makeAuth(s.url, basic("u", "wrong"));
    assert.equal(
      await get(wrong.auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")),
      401,
    );
    const none = makeAuth(s.url, undefined);
    assert.equal(
      await get(none.auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")),
      401,
    );
    assert.ok(none.logs.some((l) => l.includes("no credentials")));
  });
});

describe("Authenticator against a Bearer registry", () => {
  let clock = 1_000_000;
  const now = () => clock;
  const servers: TestServer[] = [];
  const start = async (o: TestServerOptions) => {
    const s = await startTestServer({ now, ...o });
    servers.push(s);
    s.pushImage("app", "v1", ["linux/amd64"]);
    return s;
  };
  after(() => Promise.all(servers.map((s) => s.stop())));

  it("a token refused for a repository that did not ask for one: that request goes anonymously", async () => {
    const s = await start({
      auth: { kind: "bearer", username: "u", password: "p", openRepositories: ["public/app"] },
    });
    s.pushImage("public/app", "v1", ["linux/amd64"]);
    // Credentials the token service refuses: the private repository fails, as it must.
    const { auth, logs } = makeAuth(s.url, basic("u", "wrong"), now);
    await assert.rejects(
      get(auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")),
      /token service .* answered 401/,
    );
    // The challenge it learnt is not a reason to fail the public one.
    const before = s.requests.length;
    const url = `${s.url}/v2/public/app/manifests/v1`;
    assert.equal(await get(auth, url, scopesFor("public/app", "pull")), 200);
    const asked = s.requests.slice(before);
    assert.deepEqual(
      asked.map((r) => [r.path, r.auth, r.status]),
      [
        ["/token", "basic", 401],
        ["/v2/public/app/manifests/v1", undefined, 200],
      ],
    );
    assert.ok(logs.some((l) => l.includes("asking") && l.includes("anonymously")));
    // A repository that did answer 401 itself still fails with the token service's reason.
    await assert.rejects(
      get(auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")),
      /token service .* answered 401/,
    );
  });

  it("fetches a token with Basic credentials, caches it per scopes", async () => {
    const s = await start({
      auth: { kind: "bearer", username: "u", password: "p", tokenTtlSeconds: 300 },
    });
    const { auth } = makeAuth(s.url, basic("u", "p"), now);
    const url = `${s.url}/v2/app/manifests/v1`;
    assert.equal(await get(auth, url, scopesFor("app", "pull")), 200);
    assert.equal(await get(auth, url, scopesFor("app", "pull")), 200);
    const tokenReqs = s.requests.filter((r) => r.path === "/token");
    assert.equal(tokenReqs.length, 1);
    assert.equal(tokenReqs[0]?.auth, "basic");
    assert.equal(tokenReqs[0]?.query.get("service"), "kompat-test");
    assert.deepEqual(tokenReqs[0]?.query.getAll("scope"), ["repository:app:pull"]);
    const reg = s.requests.filter((r) => r.path !== "/token");
    assert.deepEqual(
      reg.map((r) => [r.auth, r.status]),
      [
        [undefined, 401],
        ["bearer", 200],
        ["bearer", 200],
      ],
    );
  });

  it("asks for a new token when the scopes grow (pull → push)", async () => {
    const s = await start({ auth: { kind: "bearer", username: "u", password: "p" } });
    const { auth } = makeAuth(s.url, basic("u", "p"), now);
    assert.equal(await get(auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")), 200);
    assert.equal(
      await get(auth, `${s.url}/v2/app/blobs/uploads/`, scopesFor("app", "push"), "POST"),
      202,
    );
    const scopes = s.requests
      .filter((r) => r.path === "/token")
      .map((r) => r.query.getAll("scope"));
    assert.deepEqual(scopes, [["repository:app:pull"], ["repository:app:pull,push"]]);
  });

  it("merges the scope the challenge names into the request's", async () => {
    const s = await start({ auth: { kind: "bearer", anonymousPull: true } });
    const { auth } = makeAuth(s.url, undefined, now);
    assert.equal(await get(auth, `${s.url}/v2/app/manifests/v1`, []), 200);
    const t = s.requests.find((r) => r.path === "/token");
    assert.deepEqual(t?.query.getAll("scope"), ["repository:app:pull"]);
    assert.equal(t?.auth, undefined, "anonymous token request");
  });

  it("token cache follows expires_in with an injected clock", async () => {
    const s = await start({
      auth: { kind: "bearer", username: "u", password: "p", tokenTtlSeconds: 120 },
    });
    const { auth } = makeAuth(s.url, basic("u", "p"), now);
    const req = {
      url: `${s.url}/v2/app/manifests/v1`,
      method: "GET",
      scopes: scopesFor("app", "pull"),
    };
    assert.equal(await get(auth, req.url, req.scopes), 200);
    const first = await auth.authorize(req);
    clock += 119_000;
    assert.equal(await auth.authorize(req), first);
    assert.equal(s.tokensIssued(), 1);
    clock += 2_000;
    const second = await auth.authorize(req);
    assert.notEqual(second, first);
    assert.equal(s.tokensIssued(), 2);
    assert.equal(await get(auth, req.url, req.scopes), 200);
  });

  it("without expires_in a token lasts 60 s", async () => {
    const s = await start({ auth: { kind: "bearer", username: "u", password: "p" } });
    const { auth } = makeAuth(s.url, basic("u", "p"), now);
    const req = {
      url: `${s.url}/v2/app/manifests/v1`,
      method: "GET",
      scopes: scopesFor("app", "pull"),
    };
    assert.equal(await get(auth, req.url, req.scopes), 200);
    clock += 59_000;
    await auth.authorize(req);
    assert.equal(s.tokensIssued(), 1);
    clock += 2_000;
    await auth.authorize(req);
    assert.equal(s.tokensIssued(), 2);
  });

  it("a token the registry refuses (expired on its side) is replaced on 401", async () => {
    const s = await start({
      auth: { kind: "bearer", username: "u", password: "p", tokenTtlSeconds: 600 },
    });
    const { auth } = makeAuth(s.url, basic("u", "p"), () => 0); // the client believes tokens are fresh
    const url = `${s.url}/v2/app/manifests/v1`;
    assert.equal(await get(auth, url, scopesFor("app", "pull")), 200);
    clock += 601_000; // server side only
    assert.equal(await get(auth, url, scopesFor("app", "pull")), 200);
    assert.equal(s.tokensIssued(), 2);
  });

  it("an identity token is exchanged with a POST form (refresh_token grant)", async () => {
    const s = await start({ auth: { kind: "bearer", refreshToken: "refresh-1" } });
    let form: URLSearchParams | undefined;
    const spy: AuthHttp = (req) => {
      if (req.method === "POST") form = new URLSearchParams(req.body);
      return http(req);
    };
    const { auth } = makeAuth(
      s.url,
      { kind: "identity", token: "refresh-1", source: "t" },
      now,
      spy,
    );
    assert.equal(
      await get(auth, `${s.url}/v2/app/blobs/uploads/`, scopesFor("app", "push"), "POST"),
      202,
    );
    assert.equal(form?.get("grant_type"), "refresh_token");
    assert.equal(form?.get("refresh_token"), "refresh-1");
    assert.equal(form?.get("client_id"), "kompat");
    assert.equal(form?.get("service"), "kompat-test");
    assert.equal(form?.get("scope"), "repository:app:pull,push");
  });

  it("an access token is sent as is, without the token service", async () => {
    const s = await start({ auth: { kind: "bearer", username: "u", password: "p" } });
    const { auth: ok } = makeAuth(s.url, basic("u", "p"), now);
    await get(ok, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull"));
    const token = (
      await ok.authorize({ url: `${s.url}/v2/`, method: "GET", scopes: scopesFor("app", "pull") })
    )?.slice(7);
    const issued = s.tokensIssued();
    const { auth } = makeAuth(s.url, { kind: "bearer", token: token as string, source: "t" }, now);
    assert.equal(await get(auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")), 200);
    assert.equal(s.tokensIssued(), issued);
    const bad = makeAuth(s.url, { kind: "bearer", token: "nope", source: "t" }, now);
    assert.equal(
      await get(bad.auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")),
      401,
    );
  });

  it("rejected credentials are a clear error without the secret", async () => {
    const s = await start({ auth: { kind: "bearer", username: "u", password: "p" } });
    const { auth } = makeAuth(s.url, { ...basic("u", "sekrit-pw"), source: "docker config" }, now);
    await assert.rejects(
      get(auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")),
      (e: unknown) => {
        assert.ok(e instanceof AuthError);
        assert.match(
          e.message,
          /token service http:\/\/127\.0\.0\.1:\d+\/token answered 401: the credentials from docker config were rejected \(incorrect username or password\)/,
        );
        assert.ok(!e.message.includes("sekrit"));
        return true;
      },
    );
  });

  it("hostile token services: oversize, not JSON, no token", async () => {
    const s = await start({ auth: { kind: "bearer", username: "u", password: "p" } });
    const url = `${s.url}/v2/app/manifests/v1`;
    s.addFault({ path: "/token", times: 1, action: { kind: "oversize", bytes: 200 * 1024 } });
    await assert.rejects(
      get(makeAuth(s.url, basic("u", "p"), now).auth, url, []),
      /token service .* answer larger than 131072 bytes/,
    );
    s.addFault({ path: "/token", times: 1, action: { kind: "malformed-json" } });
    await assert.rejects(
      get(makeAuth(s.url, basic("u", "p"), now).auth, url, []),
      /answered with invalid JSON/,
    );
    s.addFault({
      path: "/token",
      times: 1,
      action: { kind: "status", status: 200, body: '{"expires_in": 5}' },
    });
    await assert.rejects(
      get(makeAuth(s.url, basic("u", "p"), now).auth, url, []),
      /answered without a token/,
    );
    s.addFault({ path: "/token", times: 1, action: { kind: "status", status: 503 } });
    await assert.rejects(
      get(makeAuth(s.url, basic("u", "p"), now).auth, url, []),
      /answered 503 \(INJECTED: injected 503\)/,
    );
  });

  it("concurrent requests share one token request", async () => {
    const s = await start({ auth: { kind: "bearer", username: "u", password: "p" } });
    const { auth } = makeAuth(s.url, basic("u", "p"), now);
    const url = `${s.url}/v2/app/manifests/v1`;
    await get(auth, url, []); // learn the challenge (token for the challenge's scope)
    const before = s.tokensIssued();
    const req = { url, method: "GET", scopes: scopesFor("app", "delete") };
    const headers = await Promise.all([1, 2, 3, 4].map(() => auth.authorize(req)));
    assert.equal(new Set(headers).size, 1);
    assert.equal(s.tokensIssued(), before + 1);
  });
});

describe("Authenticator refusals", () => {
  const req = { url: "https://reg.example/v2/app/manifests/v1", method: "GET", scopes: [] };
  it("refuses an http:// realm for an https:// registry", async () => {
    const { auth } = makeAuth("https://reg.example", basic("u", "p"), undefined, () =>
      Promise.reject(new Error("must not be called")),
    );
    await assert.rejects(
      auth.onUnauthorized(req, 'Bearer realm="http://auth.example/token",service="x"'),
      /https:\/\/reg\.example named a plain-HTTP token realm http:\/\/auth\.example; refusing/,
    );
  });
  it("rejects a Bearer challenge without a usable realm, and a malformed header", async () => {
    const { auth } = makeAuth("https://reg.example", undefined, undefined, () =>
      Promise.reject(new Error("no")),
    );
    await assert.rejects(auth.onUnauthorized(req, 'Bearer service="x"'), /without a realm/);
    await assert.rejects(
      auth.onUnauthorized(req, 'Bearer realm="/token"'),
      /invalid realm "\/token"/,
    );
    await assert.rejects(auth.onUnauthorized(req, 'Bearer realm="ftp://x/t"'), /not HTTP\(S\)/);
    await assert.rejects(
      auth.onUnauthorized(req, 'Bearer realm="x'),
      /https:\/\/reg\.example answered 401 with a malformed WWW-Authenticate header/,
    );
  });
  it("gives up on a 401 without a challenge or with an unknown scheme", async () => {
    const { auth } = makeAuth("https://reg.example", basic("u", "p"));
    assert.equal(await auth.onUnauthorized(req, undefined), false);
    assert.equal(await auth.onUnauthorized(req, "Negotiate"), false);
  });
});

describe("Authenticator with real credentials against Distribution 2.8 over TLS", () => {
  let reg: Distribution;
  let home: string;
  let dispatcher: Agent;
  before(async () => {
    reg = await startDistribution({
      auth: { username: "alice", password: "pw-from-config" },
      tls: true,
    });
    dispatcher = new Agent({ connect: { ca: reg.ca as string } });
    home = await mkdtemp(join(tmpdir(), "kompat-auth-home-"));
    await mkdir(join(home, ".docker"));
    const auth = Buffer.from("alice:pw-from-config").toString("base64");
    await writeFile(
      join(home, ".docker", "config.json"),
      JSON.stringify({ auths: { [reg.host]: { auth } } }),
    );
  });
  after(async () => {
    await reg?.stop();
    await dispatcher?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("finds the Docker config credentials and answers the Basic challenge", async () => {
    const logs: string[] = [];
    const auth = new Authenticator({
      registry: reg.url,
      http: () => Promise.reject(new Error("no token service expected")),
      credentials: (host, repo) => resolveCredentials(host, repo ?? "", { env: { HOME: home } }),
      log: (m) => logs.push(m),
    });
    const url = `${reg.url}/v2/`;
    const req = { url, method: "GET", scopes: scopesFor("x/y", "pull") };
    const send = async (h: string | undefined) => {
      const res = await request(url, { dispatcher, headers: h ? { authorization: h } : {} });
      await res.body.dump();
      return res;
    };
    const first = await send(await auth.authorize(req));
    assert.equal(first.statusCode, 401);
    const www = first.headers["www-authenticate"];
    assert.equal(await auth.onUnauthorized(req, typeof www === "string" ? www : undefined), true);
    assert.equal((await send(await auth.authorize(req))).statusCode, 200);
    assert.ok(
      logs.some((l) =>
        l.includes(
          `using credentials for ${reg.host} from ${join(home, ".docker", "config.json")}`,
        ),
      ),
    );
    assert.ok(logs.every((l) => !l.includes("pw-from-config")));
  });
});

describe("Authenticator without credentials at a private Bearer registry", () => {
  it("says that no credentials were found", async () => {
    const s = await startTestServer({ auth: { kind: "bearer", username: "u", password: "p" } });
    try {
      const { auth } = makeAuth(s.url, undefined);
      await assert.rejects(
        get(auth, `${s.url}/v2/app/manifests/v1`, scopesFor("app", "pull")),
        /answered 401: anonymous access refused and no credentials were found \(authentication required\)/,
      );
    } finally {
      await s.stop();
    }
  });
});
