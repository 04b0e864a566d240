import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { resolveCredentials } from "../../src/oci/credentials.js";
import { CredentialError } from "../../src/oci/errors.js";
import type { CredentialOptions } from "../../src/oci/credentials.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

// A real credential helper: answers by server URL, records what it read on stdin.
const HELPER = `#!/bin/sh
[ "$1" = get ] || { echo "unexpected argument $1"; exit 9; }
url=$(cat)
printf '%s\\n' "$url" >> "$KOMPAT_HELPER_LOG"
case "$url" in
  reg.example) printf '{"ServerURL":"%s","Username":"alice","Secret":"helper-secret"}' "$url" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-xyz"}' "$url" ;;
  broken.example) echo "keychain is locked"; exit 3 ;;
  garbage.example) echo "password=hunter2 not json" ;;
  slow.example) exec sleep 5 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

let root: string;
let n = 0;
let helperDir: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "kompat-creds-"));
  helperDir = join(root, "bin");
  await mkdir(helperDir);
  await writeFile(join(helperDir, "docker-credential-kompattest"), HELPER);
  await chmod(join(helperDir, "docker-credential-kompattest"), 0o755);
});
after(() => rm(root, { recursive: true, force: true }));

/** A fresh HOME with optional Docker and podman files; returns options for resolveCredentials. */
async function world(files: {
  docker?: unknown;
  dockerConfigDir?: boolean;
  podmanRuntime?: unknown;
  podmanConfig?: unknown;
  authFile?: unknown;
}): Promise<CredentialOptions & { log: string }> {
  const home = join(root, `home${n++}`);
  await mkdir(home, { recursive: true });
  const env: Record<string, string> = {
    PATH: `${helperDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    KOMPAT_HELPER_LOG: join(home, "helper.log"),
    XDG_RUNTIME_DIR: join(home, "run"),
  };
  const put = async (path: string, v: unknown) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, typeof v === "string" ? v : JSON.stringify(v));
  };
  if (files.docker !== undefined) {
    if (files.dockerConfigDir) {
      env.DOCKER_CONFIG = join(home, "elsewhere");
      await put(join(home, "elsewhere", "config.json"), files.docker);
    } else await put(join(home, ".docker", "config.json"), files.docker);
  }
  if (files.podmanRuntime !== undefined)
    await put(join(home, "run", "containers", "auth.json"), files.podmanRuntime);
  if (files.podmanConfig !== undefined)
    await put(join(home, ".config", "containers", "auth.json"), files.podmanConfig);
  if (files.authFile !== undefined) {
    env.REGISTRY_AUTH_FILE = join(home, "custom-auth.json");
    await put(env.REGISTRY_AUTH_FILE, files.authFile);
  }
  return { env, log: env.KOMPAT_HELPER_LOG as string };
}

const helperLog = (path: string) => readFile(path, "utf8").catch(() => "");

describe("explicit credentials", () => {
  it("username+password and token win over any file", async () => {
    const o = await world({ docker: { auths: { "reg.example": { auth: b64("file:pw") } } } });
    const c = await resolveCredentials("reg.example", "app", {
      ...o,
      username: "u",
      password: "p",
    });
    assert.deepEqual(c, {
      kind: "basic",
      username: "u",
      password: "p",
      source: "the username and password given",
    });
    const t = await resolveCredentials("reg.example", "app", { ...o, token: "tok" });
    assert.equal(t?.kind, "bearer");
  });
  it("a username without a password is an error", async () => {
    const o = await world({});
    await assert.rejects(
      resolveCredentials("r", "a", { ...o, username: "u" }),
      /username was given without a password/,
    );
  });
});

describe("Docker config.json", () => {
  it("auths: base64 auth, matching http(s) keys and Docker Hub aliases", async () => {
    const o = await world({
      docker: {
        auths: {
          "https://reg.example/v2/": { auth: b64("bob:pa:ss") },
          "https://index.docker.io/v1/": { auth: b64("hubuser:hubpw") },
        },
      },
    });
    const c = await resolveCredentials("reg.example", "app", o);
    assert.equal(c?.kind, "basic");
    assert.equal(c?.kind === "basic" && c.username, "bob");
    assert.equal(c?.kind === "basic" && c.password, "pa:ss");
    assert.match(c?.source ?? "", /config\.json \(auths\["https:\/\/reg\.example\/v2\/"\]\)/);
    for (const host of ["docker.io", "index.docker.io", "registry-1.docker.io"]) {
      const h = await resolveCredentials(host, "library/ubuntu", o);
      assert.equal(h?.kind === "basic" && h.username, "hubuser", host);
    }
    assert.equal(await resolveCredentials("other.example", "app", o), undefined);
  });

  it("identitytoken and registrytoken", async () => {
    const o = await world({
      docker: {
        auths: {
          "id.example": { auth: b64("u:p"), identitytoken: "refresh-1" },
          "tok.example": { registrytoken: "access-1" },
        },
      },
    });
    assert.deepEqual(
      { ...(await resolveCredentials("id.example", "a", o)), source: "" },
      { kind: "identity", token: "refresh-1", source: "" },
    );
    assert.equal((await resolveCredentials("tok.example", "a", o))?.kind, "bearer");
  });

  it("$DOCKER_CONFIG is used instead of ~/.docker", async () => {
    const o = await world({
      dockerConfigDir: true,
      docker: { auths: { "reg.example": { auth: b64("d:c") } } },
    });
    const c = await resolveCredentials("reg.example", "a", o);
    assert.match(c?.source ?? "", /elsewhere\/config\.json/);
  });

  it("credHelpers runs the helper with the server URL on stdin", async () => {
    const o = await world({
      docker: {
        credHelpers: { "reg.example": "kompattest" },
        auths: { "reg.example": { auth: b64("no:no") } },
      },
    });
    const c = await resolveCredentials("reg.example", "app", o);
    assert.equal(c?.kind === "basic" && c.username, "alice");
    assert.equal(c?.kind === "basic" && c.password, "helper-secret");
    assert.match(c?.source ?? "", /docker-credential-kompattest \(credHelpers in .*config\.json\)/);
    assert.ok(!(c?.source ?? "").includes("helper-secret"));
    assert.equal(await helperLog(o.log), "reg.example\n");
  });

  it("credsStore for Docker Hub sends the index URL and reads <token> as an identity token", async () => {
    const o = await world({ docker: { credsStore: "kompattest" } });
    const c = await resolveCredentials("registry-1.docker.io", "library/ubuntu", o);
    assert.equal(c?.kind, "identity");
    assert.equal(c?.kind === "identity" && c.token, "refresh-xyz");
    assert.equal(await helperLog(o.log), "https://index.docker.io/v1/\n");
  });

  it("with credsStore, auths is not consulted; 'not found' means none", async () => {
    const o = await world({
      docker: { credsStore: "kompattest", auths: { "nf.example": { auth: b64("x:y") } } },
    });
    assert.equal(await resolveCredentials("nf.example", "app", o), undefined);
    assert.equal(await helperLog(o.log), "nf.example\n");
  });

  it("a failing helper is a clear error", async () => {
    const o = await world({ docker: { credHelpers: { "broken.example": "kompattest" } } });
    await assert.rejects(resolveCredentials("broken.example", "a", o), (e: unknown) => {
      assert.ok(e instanceof CredentialError);
      assert.match(
        e.message,
        /docker-credential-kompattest exited with 3: keychain is locked \(credHelpers in /,
      );
      return true;
    });
  });

  it("a helper printing non-JSON is an error that does not echo its output", async () => {
    const o = await world({ docker: { credHelpers: { "garbage.example": "kompattest" } } });
    await assert.rejects(resolveCredentials("garbage.example", "a", o), (e: unknown) => {
      assert.ok(e instanceof CredentialError);
      assert.match(e.message, /printed something that is not JSON/);
      assert.ok(!e.message.includes("hunter2"));
      return true;
    });
  });

  it("a helper that hangs is killed after the time limit", async () => {
    const o = await world({ docker: { credHelpers: { "slow.example": "kompattest" } } });
    await assert.rejects(
      resolveCredentials("slow.example", "a", { ...o, helperTimeoutMs: 200 }),
      /docker-credential-kompattest did not answer within 0.2 s/,
    );
  });

  it("a helper missing from PATH is named", async () => {
    const o = await world({ docker: { credsStore: "nosuchhelper" } });
    await assert.rejects(
      resolveCredentials("r.example", "a", o),
      /docker-credential-nosuchhelper was not found on PATH \(credsStore in /,
    );
  });

  it("a broken config.json names the file and not its content", async () => {
    const o = await world({ docker: '{"auths": {"r": {"auth": "c2VjcmV0OnB3"}' });
    await assert.rejects(resolveCredentials("r", "a", o), (e: unknown) => {
      assert.ok(e instanceof CredentialError);
      assert.match(e.message, /\.docker\/config\.json is not valid JSON/);
      assert.ok(!e.message.includes("c2Vj"));
      return true;
    });
    const bad = await world({ docker: { auths: { r: { auth: b64("nocolon") } } } });
    await assert.rejects(
      resolveCredentials("r", "a", bad),
      /"auth" is not base64 of "username:password"/,
    );
  });
});

describe("podman auth.json", () => {
  it("most specific key wins: host/ns/repo over host/ns over host", async () => {
    const o = await world({
      podmanRuntime: {
        auths: {
          "quay.io": { auth: b64("host:1") },
          "quay.io/org": { auth: b64("ns:2") },
          "quay.io/org/app": { auth: b64("repo:3") },
        },
      },
    });
    const user = async (repo: string) => {
      const c = await resolveCredentials("quay.io", repo, o);
      return c?.kind === "basic" ? c.username : undefined;
    };
    assert.equal(await user("org/app"), "repo");
    assert.equal(await user("org/other"), "ns");
    assert.equal(await user("else/app"), "host");
    assert.equal(await user("org/app/sub"), "repo");
  });

  it("Docker's config comes first; then the runtime file, then ~/.config", async () => {
    const o = await world({
      docker: { auths: { "a.example": { auth: b64("docker:1") } } },
      podmanRuntime: {
        auths: { "a.example": { auth: b64("runtime:1") }, "b.example": { auth: b64("runtime:2") } },
      },
      podmanConfig: {
        auths: { "b.example": { auth: b64("config:2") }, "c.example": { auth: b64("config:3") } },
      },
    });
    const user = async (host: string) => {
      const c = await resolveCredentials(host, "x/y", o);
      return c?.kind === "basic" ? c.username : undefined;
    };
    assert.equal(await user("a.example"), "docker");
    assert.equal(await user("b.example"), "runtime");
    assert.equal(await user("c.example"), "config");
  });

  it("$REGISTRY_AUTH_FILE replaces the runtime file; docker.io keys cover Hub aliases", async () => {
    const o = await world({
      podmanRuntime: { auths: { "docker.io": { auth: b64("runtime:1") } } },
      authFile: { auths: { "docker.io/library/ubuntu": { auth: b64("custom:1") } } },
    });
    const c = await resolveCredentials("registry-1.docker.io", "library/ubuntu", o);
    assert.equal(c?.kind === "basic" && c.username, "custom");
    assert.match(c?.source ?? "", /custom-auth\.json \(auths\["docker\.io\/library\/ubuntu"\]\)/);
    assert.equal(await resolveCredentials("docker.io", "library/nginx", o), undefined);
  });

  it("nothing anywhere means anonymous", async () => {
    assert.equal(await resolveCredentials("r.example", "a", await world({})), undefined);
  });
});
