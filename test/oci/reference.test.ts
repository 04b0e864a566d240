import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  InvalidReferenceError,
  digestProblem,
  formatReference,
  parseReference,
  referrersTagFor,
  registryApiHost,
} from "../../src/oci/reference.js";

const A = "a".repeat(64);
const B = "b".repeat(128);

// input → [registry, repository, tag, digest]
const valid: [string, string, string, string | undefined, string | undefined][] = [
  ["ubuntu", "docker.io", "library/ubuntu", "latest", undefined],
  // A registry host called "oci" with a port stays a registry.
  ["oci:5000/app:v1", "oci:5000", "app", "v1", undefined],
  ["ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", undefined],
  ["user/app", "docker.io", "user/app", "latest", undefined],
  ["docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", undefined],
  ["index.docker.io/user/app:1", "docker.io", "user/app", "1", undefined],
  ["registry-1.docker.io/library/nginx", "docker.io", "library/nginx", "latest", undefined],
  ["ghcr.io/org/team/app:v1.2.3", "ghcr.io", "org/team/app", "v1.2.3", undefined],
  ["localhost/app", "localhost", "app", "latest", undefined],
  ["localhost:5000/app:dev", "localhost:5000", "app", "dev", undefined],
  ["127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "latest", undefined],
  ["[::1]:5000/app:x", "[::1]:5000", "app", "x", undefined],
  ["[fe80::1]/app", "[fe80::1]", "app", "latest", undefined],
  ["MyRegistry/app", "MyRegistry", "app", "latest", undefined],
  [`quay.io/app@sha256:${A}`, "quay.io", "app", undefined, `sha256:${A}`],
  [`quay.io/app:v1@sha256:${A}`, "quay.io", "app", "v1", `sha256:${A}`],
  [
    `reg.example:443/a__b/c-d/e.f@sha512:${B}`,
    "reg.example:443",
    "a__b/c-d/e.f",
    undefined,
    `sha512:${B}`,
  ],
  ["a/b---c:_tag", "docker.io", "a/b---c", "_tag", undefined],
  [`r.io/x:${"t".repeat(128)}`, "r.io", "x", "t".repeat(128), undefined],
];

describe("parseReference: valid", () => {
  for (const [input, registry, repository, tag, digest] of valid) {
    it(input.length > 60 ? `${input.slice(0, 60)}…` : input, () => {
      const ref = parseReference(input);
      assert.equal(ref.kind, "registry");
      if (ref.kind !== "registry") return;
      assert.equal(ref.registry, registry);
      assert.equal(ref.repository, repository);
      assert.equal(ref.tag, tag);
      assert.equal(ref.digest, digest);
      assert.equal(ref.target, digest ?? tag);
    });
  }
});

// input → fragment of the message
const invalid: [string, string][] = [
  ["", "empty"],
  ["Foo", "repository name must be lowercase"],
  ["docker.io/Foo/bar", "repository name must be lowercase"],
  ["ghcr.io/Org/app", "repository name must be lowercase"],
  ["a b", "white space"],
  ["x//y", "empty path component"],
  ["ghcr.io/app/", "empty path component"],
  ["ghcr.io/-app", `repository path component "-app" is invalid`],
  ["ghcr.io/a..b", `repository path component "a..b" is invalid`],
  ["ghcr.io/a___b", `repository path component "a___b" is invalid`],
  ["app:", "empty tag"],
  ["app:-x", `tag "-x" is invalid`],
  ["app:.x", `tag ".x" is invalid`],
  [`app:${"t".repeat(129)}`, "is invalid"],
  ["app@sha256:abc", "sha256 needs 64 hex characters, got 3"],
  [`app@sha256:${"A".repeat(64)}`, "lowercase"],
  [`app@md5:${A}`, `unsupported algorithm "md5"`],
  ["app@", 'must be "algorithm:hex"'],
  ["host:99999/app", `port "99999"`],
  ["host:0/app", `port "0"`],
  ["-bad.io/app", `registry host "-bad.io" is invalid`],
  ["[::1/app", "unclosed"],
  ["[1.2.3.4]:5000/app", "not an IPv6 address"],
  [":tag", "no repository name"],
  [A, "image ID"],
  ["https://ghcr.io/org/app", 'a reference has no URL scheme: drop "https://"'],
  [`r.io/${"a".repeat(260)}`, "longer than 255"],
  ["oci-layout:", "no layout path"],
  ["oci-layout:dir:bad tag", "white space"],
  ["oci-layout:dir:-bad", `tag "-bad" is invalid`],
  ["oci-layout:dir@sha256:1", "sha256 needs 64"],
  // skopeo's spelling: the hint, not `port "lay" is not a number`.
  [
    "oci:./lay:v1",
    'an OCI layout is written oci-layout:./lay:v1 here ("oci:" is skopeo\'s spelling)',
  ],
  ["oci:/srv/layout", "oci-layout:/srv/layout"],
];

describe("parseReference: invalid", () => {
  for (const [input, fragment] of invalid) {
    it(JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input), () => {
      assert.throws(
        () => parseReference(input),
        (e: unknown) => {
          assert.ok(e instanceof InvalidReferenceError, String(e));
          assert.ok(
            e.message.startsWith(`invalid reference ${JSON.stringify(input)}: `),
            e.message,
          );
          assert.ok(e.message.includes(fragment), `"${e.message}" lacks "${fragment}"`);
          return true;
        },
      );
    });
  }
});

describe("oci-layout references", () => {
  it("path alone, tag, digest, colons in directories", () => {
    assert.deepEqual(parseReference("oci-layout:./out"), { kind: "layout", path: "./out" });
    assert.deepEqual(parseReference("oci-layout:/tmp/l:v1"), {
      kind: "layout",
      path: "/tmp/l",
      tag: "v1",
    });
    assert.deepEqual(parseReference(`oci-layout:l@sha256:${A}`), {
      kind: "layout",
      path: "l",
      digest: `sha256:${A}`,
    });
    assert.deepEqual(parseReference("oci-layout:/a:b/c"), { kind: "layout", path: "/a:b/c" });
    assert.deepEqual(parseReference("oci-layout:/a@b/c"), { kind: "layout", path: "/a@b/c" });
  });
});

describe("formatReference", () => {
  it("gives the canonical form and parses back to the same", () => {
    for (const input of [
      "ubuntu",
      "user/app:1",
      `ghcr.io/a/b:t@sha256:${A}`,
      "[::1]:5000/x",
      "oci-layout:/d:v",
    ]) {
      const ref = parseReference(input);
      const text = formatReference(ref);
      assert.deepEqual(parseReference(text), ref, text);
    }
    assert.equal(formatReference(parseReference("ubuntu")), "docker.io/library/ubuntu:latest");
  });
});

describe("registryApiHost", () => {
  it("maps Docker Hub to registry-1.docker.io and leaves others alone", () => {
    assert.equal(registryApiHost(parseReference("ubuntu") as never), "registry-1.docker.io");
    assert.equal(registryApiHost("index.docker.io"), "registry-1.docker.io");
    assert.equal(registryApiHost("localhost:5000"), "localhost:5000");
  });
});

describe("referrersTagFor", () => {
  it("sha256: alg-hex", () => {
    assert.equal(referrersTagFor(`sha256:${A}`), `sha256-${A}`);
  });
  it("cuts the hex to 64 and the algorithm to 32 characters", () => {
    assert.equal(referrersTagFor(`sha512:${B}`), `sha512-${"b".repeat(64)}`);
    const alg = `x${"y".repeat(40)}`;
    assert.equal(referrersTagFor(`${alg}:abc`), `${alg.slice(0, 32)}-abc`);
  });
  it("replaces characters a tag may not hold", () => {
    assert.equal(referrersTagFor("sha256+b64u:ab=c/d"), "sha256-b64u-ab-c-d");
    assert.match(referrersTagFor(`sha256:${A}`), /^[\w][\w.-]{0,127}$/);
  });
});

describe("digestProblem", () => {
  it("accepts sha256 and sha512 digests only", () => {
    assert.equal(digestProblem(`sha256:${A}`), undefined);
    assert.equal(digestProblem(`sha512:${B}`), undefined);
    assert.match(digestProblem(`sha512:${A}`) ?? "", /sha512 needs 128/);
  });
});
