// Plain HTTP access to a registry written for the tests, independent of kompat's client:
// pushing images and oras-shaped artifacts, reading the referrers tag as oras would.

import { createHash } from "node:crypto";
import { Agent, fetch } from "undici";

export const INDEX = "application/vnd.oci.image.index.v1+json";
export const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const EMPTY = "application/vnd.oci.empty.v1+json";

export interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string };
}

export const sha256 = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export class Raw {
  private readonly dispatcher: Agent;
  constructor(
    readonly url: string,
    opts: { ca?: string; auth?: { username: string; password: string } } = {},
  ) {
    this.dispatcher = new Agent(opts.ca ? { connect: { ca: opts.ca } } : {});
    this.auth = opts.auth
      ? `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}`
      : undefined;
  }
  private readonly auth: string | undefined;

  async req(method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array) {
    const res = await fetch(path.startsWith("http") ? path : `${this.url}${path}`, {
      method,
      headers: { ...headers, ...(this.auth ? { authorization: this.auth } : {}) },
      ...(body ? { body } : {}),
      dispatcher: this.dispatcher,
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return {
      status: res.status,
      headers: res.headers,
      bytes,
      text: Buffer.from(bytes).toString("utf8"),
    };
  }

  async blob(
    repo: string,
    data: Uint8Array | string,
    mediaType = "application/octet-stream",
  ): Promise<Desc> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const digest = sha256(bytes);
    const start = await this.req("POST", `/v2/${repo}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${start.text}`);
    const loc = new URL(start.headers.get("location") ?? "", this.url);
    loc.searchParams.set("digest", digest);
    const put = await this.req(
      "PUT",
      loc.toString(),
      { "content-type": "application/octet-stream" },
      bytes,
    );
    if (put.status !== 201) throw new Error(`PUT blob: ${put.status} ${put.text}`);
    return { mediaType, digest, size: bytes.byteLength };
  }

  async manifest(repo: string, doc: object, ref?: string): Promise<Desc> {
    const bytes = Buffer.from(JSON.stringify(doc));
    const mediaType = (doc as { mediaType: string }).mediaType;
    const digest = sha256(bytes);
    const res = await this.req(
      "PUT",
      `/v2/${repo}/manifests/${ref ?? digest}`,
      { "content-type": mediaType },
      bytes,
    );
    if (res.status !== 201) throw new Error(`PUT manifest: ${res.status} ${res.text}`);
    return { mediaType, digest, size: bytes.byteLength };
  }

  async getManifest(repo: string, ref: string, accept = `${INDEX}, ${MANIFEST}`) {
    return this.req("GET", `/v2/${repo}/manifests/${ref}`, { accept });
  }

  /** An image index with one small image per platform, tagged `tag`. */
  async pushImage(
    repo: string,
    tag: string,
    platforms: string[],
  ): Promise<{ index: Desc; manifests: Desc[] }> {
    const manifests: Desc[] = [];
    for (const p of platforms) {
      const [os = "linux", architecture = "amd64"] = p.split("/");
      const config = await this.blob(
        repo,
        JSON.stringify({ os, architecture, rootfs: { type: "layers", diff_ids: [] } }),
        "application/vnd.oci.image.config.v1+json",
      );
      const layer = await this.blob(
        repo,
        `layer for ${p} in ${repo}`,
        "application/vnd.oci.image.layer.v1.tar",
      );
      const m = await this.manifest(repo, {
        schemaVersion: 2,
        mediaType: MANIFEST,
        config,
        layers: [layer],
      });
      manifests.push({ ...m, platform: { os, architecture } });
    }
    const index = await this.manifest(repo, { schemaVersion: 2, mediaType: INDEX, manifests }, tag);
    return { index, manifests };
  }

  /** A single-platform image (no index) tagged `tag`. */
  async pushSingle(repo: string, tag: string, os: string, architecture: string): Promise<Desc> {
    const config = await this.blob(
      repo,
      JSON.stringify({ os, architecture }),
      "application/vnd.oci.image.config.v1+json",
    );
    const layer = await this.blob(repo, `single ${repo}`, "application/vnd.oci.image.layer.v1.tar");
    return this.manifest(
      repo,
      { schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] },
      tag,
    );
  }

  /** What `oras attach` does against a registry without the referrers API, by hand. */
  async orasAttach(repo: string, subject: Desc, spec: string, created: string): Promise<Desc> {
    const empty = await this.blob(repo, "{}", EMPTY);
    const layer = await this.blob(
      repo,
      spec,
      "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml",
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: "application/vnd.nfd.image-compatibility.v1alpha1",
      config: { ...empty, data: "e30=" },
      layers: [{ ...layer, annotations: { "org.opencontainers.image.title": "spec.yaml" } }],
      subject,
      annotations: { "org.opencontainers.image.created": created },
    };
    const desc = await this.manifest(repo, manifest);
    const tag = `sha256-${subject.digest.slice(7)}`;
    const cur = await this.getManifest(repo, tag, INDEX);
    const index =
      cur.status === 200 ? (JSON.parse(cur.text) as { manifests: Desc[] }) : { manifests: [] };
    index.manifests.push({
      ...desc,
      artifactType: manifest.artifactType,
      annotations: manifest.annotations,
    });
    await this.manifest(
      repo,
      { schemaVersion: 2, mediaType: INDEX, manifests: index.manifests },
      tag,
    );
    return desc;
  }

  /** The referrers index oras would read for `subject`: its entries, or [] when absent. */
  async fallbackEntries(repo: string, subjectDigest: string): Promise<Desc[]> {
    const res = await this.getManifest(repo, `sha256-${subjectDigest.slice(7)}`, INDEX);
    if (res.status === 404) return [];
    if (res.status !== 200) throw new Error(`GET referrers tag: ${res.status} ${res.text}`);
    return (JSON.parse(res.text) as { manifests: Desc[] }).manifests;
  }

  close() {
    return this.dispatcher.close();
  }
}
