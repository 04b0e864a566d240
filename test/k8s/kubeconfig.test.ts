// Finding the cluster and the credentials as kubectl does: contexts, a token, a client
// certificate, an exec plugin (a real script), the service account, and every failure
// with its own message.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { runCli } from "../helpers/cli.js";
import { clientCert, kubeconfigFor } from "../helpers/apiserver.js";
import { fakeCluster, fill, SPEC, TOKEN } from "./fixtures.js";

const summary = (env: Record<string, string | undefined>, ...args: string[]) =>
  runCli(["cluster", "validate", "--spec", SPEC, "--summary", ...args], { env });

test("contexts: --context picks the user; the current-context is the default; an unknown one is named", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 1 });
    c.api.tokens.set("bob-token", "bob");
    const cert = await clientCert(c.api.tls, "carol");
    const file = join(c.dir, "multi");
    writeFileSync(file, kubeconfigFor(c.api.url, c.api.tls.caFile, [
      { name: "alice", token: TOKEN },
      { name: "bob", token: "bob-token" },
      { name: "carol", ...cert },
    ], "bob")); // prettier-ignore
    const env = { ...c.env, KUBECONFIG: undefined };
    let r = await summary(env, "--kubeconfig", file);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(c.api.log.at(-1)?.user, "bob");
    r = await summary(env, "--kubeconfig", file, "--context", "carol");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(c.api.log.at(-1)?.user, "carol", "client certificate");
    r = await summary(env, "--kubeconfig", file, "--context", "dave");
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kompat: --context dave: no such context in .*multi \(contexts: alice, bob, carol\)\n$/,
    );
    // KUBECONFIG with several files: the first to define a name wins, missing ones skipped.
    const other = join(c.dir, "other");
    writeFileSync(
      other,
      kubeconfigFor(
        "https://127.0.0.1:1",
        c.api.tls.caFile,
        [{ name: "bob", token: "wrong" }],
        "bob",
      ),
    );
    r = await summary({ ...env, KUBECONFIG: [join(c.dir, "missing"), file, other].join(":") });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(c.api.log.at(-1)?.user, "bob");
  } finally {
    await c.cleanup();
  }
});

test("an exec credential plugin (a real script) supplies the token", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 1 });
    c.api.tokens.set("from-plugin", "plugin-user");
    const script = join(c.dir, "cred.sh");
    writeFileSync(
      script,
      `#!/bin/sh
echo "$@" >> "${c.dir}/calls"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin","expirationTimestamp":"2999-01-01T00:00:00Z"}}'
`,
    );
    chmodSync(script, 0o755);
    const file = join(c.dir, "exec");
    writeFileSync(
      file,
      kubeconfigFor(c.api.url, c.api.tls.caFile, [
        { name: "p", exec: { command: script, args: ["get-token"] } },
      ]),
    );
    let r = await summary({ ...c.env, KUBECONFIG: file });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(c.api.log.length > 2 && c.api.log.every((q) => q.user === "plugin-user"));
    // Run once, its credential cached until its expirationTimestamp.
    assert.equal(readFileSync(join(c.dir, "calls"), "utf8"), "get-token\n");
    // A plugin that fails: its message, and who it was for.
    writeFileSync(script, "#!/bin/sh\necho 'token expired, run sso login' >&2\nexit 1\n");
    const file2 = join(c.dir, "exec2");
    writeFileSync(
      file2,
      kubeconfigFor(c.api.url, c.api.tls.caFile, [{ name: "q", exec: { command: script } }]),
    );
    r = await summary({ ...c.env, KUBECONFIG: file2 });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kompat: getting credentials for user "q" \(.*exec2\)\) failed: token expired, run sso login\n$/,
    );
  } finally {
    await c.cleanup();
  }
});

test("an expired or wrong token: 401 with what to do; a missing kubeconfig file; no kubeconfig at all", async () => {
  const c = await fakeCluster();
  try {
    fill(c.api, { gpu: 1 });
    const file = join(c.dir, "expired");
    writeFileSync(
      file,
      kubeconfigFor(c.api.url, c.api.tls.caFile, [{ name: "old", token: "expired-token" }]),
    );
    let r = await summary({ ...c.env, KUBECONFIG: file });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kompat: list nodes: the API server https:\/\/127\.0\.0\.1:\d+ \(context "old"\) rejected the credentials of user "old" \(401 Unauthorized: Unauthorized\); the token or client certificate is missing, invalid or expired: log in again or refresh the kubeconfig\n$/,
    );
    assert.doesNotMatch(r.stderr, /expired-token/, "the secret is never printed");
    r = await summary(c.env, "--kubeconfig", join(c.dir, "nope"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kompat: --kubeconfig .*nope: no such file or directory\n$/);
    r = await summary({ PATH: process.env.PATH, HOME: join(c.dir, "empty-home") });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kompat: no kubeconfig: --kubeconfig not given, KUBECONFIG not set, ~\/\.kube\/config missing, and not running in a pod with a service account; give --kubeconfig FILE\n$/,
    );
    assert.equal(
      c.api.log.filter((q) => q.user === undefined).length,
      1,
      "nothing else reached any server",
    );
    // ~/.kube/config is read when KUBECONFIG is not set.
    mkdirSync(join(c.dir, "h", ".kube"), { recursive: true });
    writeFileSync(
      join(c.dir, "h", ".kube", "config"),
      kubeconfigFor(c.api.url, c.api.tls.caFile, [{ name: "alice", token: TOKEN }]),
    );
    r = await summary({ PATH: process.env.PATH, HOME: join(c.dir, "h") });
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await c.cleanup();
  }
});

test("an unreachable API server, and one whose certificate is not trusted", async () => {
  const c = await fakeCluster();
  try {
    // A port nothing listens on: bind one, then close it.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const file = join(c.dir, "down");
    writeFileSync(
      file,
      kubeconfigFor(`https://127.0.0.1:${port}`, c.api.tls.caFile, [
        { name: "alice", token: TOKEN },
      ]),
    );
    let r = await summary({ ...c.env, KUBECONFIG: file });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `^kompat: list nodes: cannot reach the API server https://127\\.0\\.0\\.1:${port} \\(context "alice"\\): ECONNREFUSED .*; check that the cluster is up and the kubeconfig's server address\\n$`,
      ),
    );
    const untrusted = join(c.dir, "untrusted");
    writeFileSync(
      untrusted,
      kubeconfigFor(c.api.url, "/dev/null", [{ name: "alice", token: TOKEN }]),
    );
    r = await summary({ ...c.env, KUBECONFIG: untrusted });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^kompat: list nodes: the TLS certificate of the API server .* is not trusted \(.*\); set certificate-authority\(-data\) for the cluster in the kubeconfig\n$/,
    );
  } finally {
    await c.cleanup();
  }
});

test("in a pod: the service account's token and CA", async () => {
  const { Cluster } = await import("../../src/k8s/index.js");
  const c = await fakeCluster();
  try {
    c.api.tokens.set("sa-token", "system:serviceaccount:default:kompat");
    const sa = join(c.dir, "sa");
    mkdirSync(sa);
    writeFileSync(join(sa, "token"), "sa-token");
    writeFileSync(join(sa, "ca.crt"), c.api.tls.ca);
    const port = new URL(c.api.url).port;
    const cluster = await Cluster.connect({
      env: {
        HOME: join(c.dir, "none"),
        KUBERNETES_SERVICE_HOST: "127.0.0.1",
        KUBERNETES_SERVICE_PORT: port,
      },
      serviceAccountDir: sa,
    });
    const got = await cluster.request("/version", { verb: "get", resource: "version" });
    assert.equal(got.status, 200);
    assert.equal(c.api.log.at(-1)?.user, "system:serviceaccount:default:kompat");
  } finally {
    await c.cleanup();
  }
});
