// A hand-written OCI image layout for the tests (as oras and skopeo write one), a user
// environment that cannot reach the network, and a spec file.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256, type Desc, INDEX, MANIFEST } from "./raw.js";
import { SPEC, tempDir } from "./util.js";

export function env(): Record<string, string | undefined> {
  const home = tempDir("kompat-user-");
  // A proxy that does not exist: any network use would fail.
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: join(home, "c"),
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
  };
}

export class Layout {
  readonly entries: Desc[] = [];
  constructor(readonly dir: string) {
    mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
    writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    this.save();
  }
  blob(data: string | Uint8Array, mediaType: string): Desc {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const digest = sha256(bytes);
    writeFileSync(join(this.dir, "blobs", "sha256", digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.byteLength };
  }
  /** Stores a manifest and lists it in index.json (tagged when `tag`), as oras does. */
  manifest(doc: { mediaType: string }, tag?: string): Desc {
    const d = this.blob(JSON.stringify(doc), doc.mediaType);
    this.entries.push(
      tag === undefined ? d : { ...d, annotations: { "org.opencontainers.image.ref.name": tag } },
    );
    this.save();
    return d;
  }
  save() {
    writeFileSync(
      join(this.dir, "index.json"),
      JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: this.entries }),
    );
  }
  index(): { manifests: Desc[] } {
    return JSON.parse(readFileSync(join(this.dir, "index.json"), "utf8")) as { manifests: Desc[] };
  }
  read(digest: string): string {
    return readFileSync(join(this.dir, "blobs", "sha256", digest.slice(7)), "utf8");
  }
  image(tag: string, platforms: string[]): { index: Desc; manifests: Desc[] } {
    const manifests = platforms.map((p) => {
      const [os = "linux", architecture = "amd64"] = p.split("/");
      const config = this.blob(
        JSON.stringify({ os, architecture }),
        "application/vnd.oci.image.config.v1+json",
      );
      const layer = this.blob(`layer ${p}`, "application/vnd.oci.image.layer.v1.tar");
      const m = this.blob(
        JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] }),
        MANIFEST,
      );
      return { ...m, platform: { os, architecture } };
    });
    const index = this.manifest(
      { schemaVersion: 2, mediaType: INDEX, manifests } as { mediaType: string },
      tag,
    );
    return { index, manifests };
  }
}

export function specFile(text = SPEC): string {
  const p = join(tempDir(), "spec.yaml");
  writeFileSync(p, text);
  return p;
}
