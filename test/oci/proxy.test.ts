// Proxies by Go's httpproxy rules (the cases of golang.org/x/net/http/httpproxy's own tests),
// and the transport through a real forwarding proxy: used where the rules say, never for
// loopback, named in the error when it cannot be reached.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { NoProxy, proxyConfigFromEnv, proxyFor } from "../../src/oci/proxy.js";
import { Transport } from "../../src/oci/transport.js";
import { startTestServer, type TestServer } from "../helpers/testserver.js";
import { runBin, runCli } from "../helpers/cli.js";

describe("NO_PROXY and proxy variables as Go reads them", () => {
  // Go's TestUseProxy: this NO_PROXY, each host on port 80, true = through the proxy.
  const noProxy =
    "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, " +
    "10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64";
  const cases: Array<[string, boolean]> = [
    ["localhost", false],
    ["127.0.0.1", false],
    ["127.0.0.2", false],
    ["[::1]", false],
    ["[::2]", true],
    ["192.168.1.1", false],
    ["192.168.1.2", true],
    ["192.168.1.3", false],
    ["192.168.1.4", true],
    ["10.0.0.2", false],
    ["[2001:db8::52:0:1]", false],
    ["[2001:db8::52:0:2]", true],
    ["[2001:db8::52:0:3]", false],
    ["[2002:db8:a::123]", false],
    ["[fe80::424b:c8be:1643:a1b6]", true],
    ["barbaz.net", true],
    ["www.barbaz.net", false],
    ["foobar.com", false],
    ["www.foobar.com", false],
    ["foofoobar.com", true],
    ["baz.com", true],
    ["localhost.net", true],
    ["local.localhost", true],
    ["barbarbaz.net", true],
    ["wildcard.io", true],
    ["nested.wildcard.io", false],
    ["awildcard.io", true],
  ];
  it("matches hosts, domains, IPs, ports and CIDRs", () => {
    const m = new NoProxy(noProxy);
    for (const [host, proxied] of cases) assert.equal(m.useProxy(host, "80"), proxied, host);
  });
  it('"*" sends everything direct; a malformed entry is ignored', () => {
    const all = new NoProxy("*");
    for (const [host] of cases) assert.equal(all.useProxy(host, "80"), false, host);
    assert.equal(new NoProxy(":1").useProxy("example.com", "80"), true);
  });

  // Go's TestProxyForURL, for the schemes kompat can use.
  const pick = (env: Record<string, string>, url = "http://example.com") =>
    proxyFor(proxyConfigFromEnv(env), new URL(url))?.url.href ?? "<nil>";
  it("reads the proxy URL as Go does", () => {
    assert.equal(pick({ HTTP_PROXY: "127.0.0.1:8080" }), "http://127.0.0.1:8080/");
    assert.equal(
      pick({ HTTP_PROXY: "cache.corp.example.com:1234" }),
      "http://cache.corp.example.com:1234/",
    );
    assert.equal(pick({ HTTP_PROXY: "cache.corp.example.com" }), "http://cache.corp.example.com/");
    assert.equal(pick({ HTTP_PROXY: "localhost" }), "http://localhost/");
    assert.equal(
      pick({ HTTP_PROXY: "https://cache.corp.example.com" }),
      "https://cache.corp.example.com/",
    );
    const both = { HTTP_PROXY: "http.proxy.tld", HTTPS_PROXY: "secure.proxy.tld" };
    assert.equal(pick(both, "http://insecure.tld/"), "http://http.proxy.tld/");
    assert.equal(pick(both, "https://secure.tld/"), "http://secure.proxy.tld/");
    assert.equal(pick({ HTTP_PROXY: "http.proxy.tld" }, "https://secure.tld/"), "<nil>");
    assert.equal(pick({}), "<nil>");
    assert.equal(pick({ NO_PROXY: "example.com", HTTP_PROXY: "proxy" }), "<nil>");
    assert.equal(pick({ NO_PROXY: ".example.com", HTTP_PROXY: "proxy" }), "http://proxy/");
    assert.equal(pick({ NO_PROXY: "ample.com", HTTP_PROXY: "proxy" }), "http://proxy/");
    assert.equal(
      pick({ NO_PROXY: "example.com", HTTP_PROXY: "proxy" }, "http://foo.example.com/"),
      "<nil>",
    );
    assert.equal(pick({ NO_PROXY: ".foo.com", HTTP_PROXY: "proxy" }), "http://proxy/");
    assert.equal(
      pick({ NO_PROXY: ".示例.com", HTTP_PROXY: "proxy" }, "http://www.示例.com"),
      "<nil>",
    );
    assert.equal(
      pick({ NO_PROXY: "xn--fsq092h.com", HTTP_PROXY: "proxy" }, "http://www.示例.com"),
      "<nil>",
    );
    assert.equal(
      pick({ NO_PROXY: "示例.com", HTTP_PROXY: "proxy" }, "http://www.xn--fsq092h.com"),
      "<nil>",
    );
  });
  it("upper-case names first; HTTP_PROXY refused under CGI; SOCKS refused by name", () => {
    assert.equal(pick({ HTTP_PROXY: "upper", http_proxy: "lower" }), "http://upper/");
    assert.equal(pick({ http_proxy: "lower" }), "http://lower/");
    assert.equal(pick({ HTTP_PROXY: "", http_proxy: "lower" }), "http://lower/");
    assert.throws(
      () => pick({ HTTP_PROXY: "http://10.1.2.3:8080", REQUEST_METHOD: "GET" }),
      /refusing to use HTTP_PROXY in a CGI environment \(REQUEST_METHOD is set\)/,
    );
    assert.equal(
      pick(
        { HTTPS_PROXY: "https://secure.proxy.tld", REQUEST_METHOD: "GET" },
        "https://secure.tld/",
      ),
      "https://secure.proxy.tld/",
    );
    assert.throws(
      () => pick({ HTTP_PROXY: "socks5://127.0.0.1" }),
      /HTTP_PROXY: SOCKS proxies are not supported/,
    );
  });
});

describe("the transport through a forwarding proxy", () => {
  let reg: TestServer;
  let tlsReg: TestServer;
  let proxyUrl: string;
  const seen: string[] = [];
  const proxy = createServer((req: IncomingMessage, res) => {
    // Absolute-form requests (HTTP_PROXY for http:// URLs): forwarded to the registry.
    seen.push(`${req.method} ${req.url}`);
    const u = new URL(req.url ?? "");
    const up = connect(Number(reg.host.split(":")[1]), "127.0.0.1", () => {
      up.write(
        `${req.method} ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\nconnection: close\r\n\r\n`,
      );
    });
    up.pipe(res.socket!);
    up.on("error", () => res.destroy());
  });
  proxy.on("connect", (req: IncomingMessage, socket, head) => {
    // CONNECT (HTTPS_PROXY for https:// URLs): a tunnel to the TLS registry.
    seen.push(`CONNECT ${req.url}`);
    const up = connect(Number(tlsReg.host.split(":")[1]), "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  before(async () => {
    reg = await startTestServer();
    reg.pushImage("app", "v1", ["linux/amd64"]);
    tlsReg = await startTestServer({ tls: true });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    await reg.stop();
    await tlsReg.stop();
    await new Promise<void>((r) => proxy.close(() => r()));
  });

  it("goes through HTTP_PROXY for a host it applies to, directly for NO_PROXY hosts", async () => {
    const t = new Transport({ env: { HTTP_PROXY: proxyUrl } });
    try {
      const res = await t.send({ method: "GET", url: "http://registry.kompat.invalid/v2/" });
      assert.equal(res.status, 200);
      assert.deepEqual(seen.splice(0), ["GET http://registry.kompat.invalid/v2/"]);
    } finally {
      await t.close();
    }
    const direct = new Transport({
      env: { HTTP_PROXY: proxyUrl, NO_PROXY: ".invalid" },
      retries: 0,
    });
    try {
      await assert.rejects(
        direct.send({ method: "GET", url: "http://registry.kompat.invalid/v2/" }),
        /host registry\.kompat\.invalid not found/,
      );
      assert.deepEqual(seen, []);
    } finally {
      await direct.close();
    }
  });

  it("tunnels HTTPS through HTTPS_PROXY (CONNECT), keeping the connection", async () => {
    // The certificate is for 127.0.0.1, not the name asked through the proxy: --insecure.
    const t = new Transport({ env: { HTTPS_PROXY: proxyUrl }, insecure: true });
    try {
      for (const path of ["/v2/", "/v2/app/tags/list"]) {
        const res = await t.send({ method: "GET", url: `https://registry.kompat.invalid${path}` });
        assert.ok(res.status === 200 || res.status === 404, `${res.status}`);
      }
      assert.deepEqual(seen.splice(0), ["CONNECT registry.kompat.invalid:443"]);
    } finally {
      await t.close();
    }
  });

  it("never for a loopback registry (the field report's command)", async () => {
    const r = await runCli(
      ["discover", "--plain-http", "--no-cache", "--image", `${reg.host}/app:v1`],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          HTTP_PROXY: "http://127.0.0.1:9",
          HTTPS_PROXY: "http://127.0.0.1:9",
        },
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(seen, []);
  });

  // The bundle and the start-up snapshot load the proxy agents from disk, unlike the
  // in-process tests above: once each way, through the real CONNECT proxy.
  for (const [how, extra] of [
    ["the start-up snapshot", {}],
    ["the plain bundle", { KOMPAT_NO_SNAPSHOT: "1" }],
  ] as const) {
    it(`tunnels HTTPS through HTTPS_PROXY from ${how}`, async () => {
      const r = await runBin(
        ["discover", "--insecure", "--no-cache", "--image", "registry.kompat.invalid/app:v1"],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            HTTPS_PROXY: proxyUrl,
            ...extra,
          },
        },
      );
      // The tunnel reached the TLS test server, which answered for the image.
      assert.ok(seen.splice(0).includes("CONNECT registry.kompat.invalid:443"), r.stderr);
      assert.doesNotMatch(r.stderr, /internal error/);
    });
  }

  it("names the proxy when it cannot be reached", async () => {
    const t = new Transport({ env: { HTTPS_PROXY: "http://127.0.0.1:9" }, retries: 0 });
    try {
      await assert.rejects(
        t.send({ method: "GET", url: "https://registry.kompat.invalid/v2/" }),
        /GET https:\/\/registry\.kompat\.invalid\/v2\/: cannot connect to the proxy http:\/\/127\.0\.0\.1:9\/ \(from HTTPS_PROXY\): connection refused/,
      );
    } finally {
      await t.close();
    }
  });
});
