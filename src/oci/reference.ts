// Image references: `registry/repository[:tag][@digest]` as the distribution spec defines it,
// Docker's short forms (`ubuntu`, `user/app`, `index.docker.io/...`) as `docker pull` reads
// them, and `oci-layout:PATH[:tag|@digest]` for an OCI image layout on disk.

export interface RegistryReference {
  kind: "registry";
  /** `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000` (Docker Hub aliases folded). */
  registry: string;
  /** `library/ubuntu`, `org/app`. */
  repository: string;
  /** The tag as written; `latest` when neither tag nor digest was given. */
  tag?: string;
  digest?: string;
  /** What to resolve: the digest when there is one (it wins over a tag), else the tag. */
  target: string;
}

export interface LayoutReference {
  kind: "layout";
  /** Directory of the OCI image layout, as written. */
  path: string;
  /** No default: what an untagged layout means is the layout reader's choice. */
  tag?: string;
  digest?: string;
}

export type Reference = RegistryReference | LayoutReference;

export class InvalidReferenceError extends Error {
  override name = "InvalidReferenceError";
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid reference ${JSON.stringify(input)}: ${reason}`);
  }
}

const DOCKER_HUB = "docker.io";
const LAYOUT_PREFIX = "oci-layout:";

const NAME_MAX = 255;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN_COMPONENT = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6_BODY = /^[0-9a-fA-F:.]+$/;

/** Parse an image reference; throws InvalidReferenceError saying what is wrong. */
export function parseReference(input: string): Reference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (input === "") fail("empty");
  if (/\s/.test(input)) fail("contains white space");
  if (input.startsWith(LAYOUT_PREFIX)) return parseLayout(input, fail);
  // skopeo's transport `oci:DIR[:tag]` (a registry called "oci" has a port: oci:5000/…).
  if (/^oci:(?!\d+\/)/.test(input))
    fail(
      `an OCI layout is written oci-layout:${input.slice(4)} here ("oci:" is skopeo's spelling)`,
    );
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input);
  if (scheme)
    fail(`a reference has no URL scheme: drop "${scheme[0]}" (--plain-http selects HTTP)`);
  if (/^[a-f0-9]{64}$/.test(input))
    fail("a 64-character hex string is an image ID, not a reference (use name@sha256:…)");

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const bad = digestProblem(digest);
    if (bad) fail(bad);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const bad = tagProblem(tag);
    if (bad) fail(bad);
  }
  if (rest === "") fail("no repository name");

  // Docker's rule: a first component is a registry when it has "." or ":", is "localhost",
  // or has an upper-case letter; otherwise the reference is on Docker Hub.
  let registry: string;
  let repository: string;
  const slash = rest.indexOf("/");
  const first = slash === -1 ? "" : rest.slice(0, slash);
  if (
    slash === -1 ||
    (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first)
  ) {
    registry = DOCKER_HUB;
    repository = rest;
  } else {
    registry = first;
    repository = rest.slice(slash + 1);
    const bad = registryProblem(registry);
    if (bad) fail(bad);
    if (registry === "index.docker.io" || registry === "registry-1.docker.io")
      registry = DOCKER_HUB;
  }
  if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
  const bad = repositoryProblem(repository);
  if (bad) fail(bad);
  if (registry.length + 1 + repository.length > NAME_MAX)
    fail(`name is longer than ${NAME_MAX} characters`);

  if (tag === undefined && digest === undefined) tag = "latest";
  const ref: RegistryReference = {
    kind: "registry",
    registry,
    repository,
    target: digest ?? (tag as string),
  };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

function parseLayout(input: string, fail: (reason: string) => never): LayoutReference {
  let path = input.slice(LAYOUT_PREFIX.length);
  let tag: string | undefined;
  let digest: string | undefined;
  const at = path.lastIndexOf("@");
  if (at !== -1 && at > path.lastIndexOf("/")) {
    digest = path.slice(at + 1);
    path = path.slice(0, at);
    const bad = digestProblem(digest);
    if (bad) fail(bad);
  } else {
    const colon = path.lastIndexOf(":");
    // A colon inside a directory name (before the last "/") is part of the path.
    if (colon !== -1 && colon > path.lastIndexOf("/")) {
      tag = path.slice(colon + 1);
      path = path.slice(0, colon);
      const bad = tagProblem(tag);
      if (bad) fail(bad);
    }
  }
  if (path === "") fail(`no layout path after "${LAYOUT_PREFIX}"`);
  const ref: LayoutReference = { kind: "layout", path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

function registryProblem(host: string): string | undefined {
  let name = host;
  let port: string | undefined;
  if (name.startsWith("[")) {
    const close = name.indexOf("]");
    if (close === -1) return `registry "${host}" has an unclosed "["`;
    const inner = name.slice(1, close);
    if (!IPV6_BODY.test(inner) || !inner.includes(":"))
      return `registry "${host}": "${inner}" is not an IPv6 address`;
    const after = name.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) return `registry "${host}": unexpected "${after}" after "]"`;
      port = after.slice(1);
    }
  } else {
    const c = name.indexOf(":");
    if (c !== -1) {
      port = name.slice(c + 1);
      name = name.slice(0, c);
    }
    for (const part of name.split(".")) {
      if (!DOMAIN_COMPONENT.test(part))
        return `registry host "${name}" is invalid: dot-separated labels of letters, digits and inner "-"`;
    }
  }
  if (port !== undefined) {
    if (!/^[0-9]+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
      return `registry "${host}": port "${port}" is not a number from 1 to 65535`;
  }
  return undefined;
}

function repositoryProblem(repo: string): string | undefined {
  if (repo.toLowerCase() !== repo) return "repository name must be lowercase";
  for (const part of repo.split("/")) {
    if (part === "") return `repository name "${repo}" has an empty path component`;
    if (!PATH_COMPONENT.test(part))
      return `repository path component "${part}" is invalid: lowercase letters and digits, separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}

function tagProblem(tag: string): string | undefined {
  if (tag === "") return 'empty tag after ":"';
  if (!TAG.test(tag))
    return `tag "${tag}" is invalid: up to 128 letters, digits, "_", "." or "-", not starting with "." or "-"`;
  return undefined;
}

/** Why `digest` is not a usable digest, or undefined when it is. */
export function digestProblem(digest: string): string | undefined {
  const c = digest.indexOf(":");
  if (c === -1) return `digest "${digest}" must be "algorithm:hex"`;
  const alg = digest.slice(0, c);
  const hex = digest.slice(c + 1);
  const len = DIGEST_HEX_LENGTH[alg];
  if (len === undefined)
    return `digest "${digest}": unsupported algorithm "${alg}" (sha256 or sha512)`;
  if (!/^[0-9a-f]*$/.test(hex)) return `digest "${digest}": hex part must be lowercase 0-9a-f`;
  if (hex.length !== len)
    return `digest "${digest}": ${alg} needs ${len} hex characters, got ${hex.length}`;
  return undefined;
}

/** The host to talk to: Docker Hub's API lives at registry-1.docker.io. */
export function registryApiHost(ref: RegistryReference | string): string {
  const host = typeof ref === "string" ? ref : ref.registry;
  return host === DOCKER_HUB || host === "index.docker.io" ? "registry-1.docker.io" : host;
}

/**
 * The referrers tag schema's tag for a subject digest: `<alg>-<hex>`, the algorithm cut to 32
 * characters and the hex to 64, characters a tag may not hold replaced by `-`.
 */
export function referrersTagFor(digest: string): string {
  const c = digest.indexOf(":");
  if (c === -1) throw new Error(`not a digest: ${JSON.stringify(digest)}`);
  const clean = (s: string) => s.replace(/[^\w.-]/g, "-");
  return `${clean(digest.slice(0, c).slice(0, 32))}-${clean(digest.slice(c + 1).slice(0, 64))}`;
}

/** The canonical spelling: `docker.io/library/ubuntu:latest`, `oci-layout:dir@sha256:…`. */
export function formatReference(ref: Reference): string {
  const base =
    ref.kind === "registry" ? `${ref.registry}/${ref.repository}` : `${LAYOUT_PREFIX}${ref.path}`;
  return `${base}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}
