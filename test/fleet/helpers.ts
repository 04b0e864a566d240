// Shared pieces of the fleet tests: specs for an application built three ways (CUDA 12,
// CUDA 11, CPU only), node snapshots of a few node types, attaching with kompat's own
// library, and a small OCI layout writer.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { attachToSubject } from "../../src/oci/attach.js";
import { openImage, type ClientOptions } from "../../src/oci/client.js";
import { resolveSubject } from "../../src/oci/subject.js";
import type { Features } from "../../src/features/nodefeatures.js";
import { sha256, type Desc, INDEX, MANIFEST } from "../oci/raw.js";
import { tempDir } from "../oci/util.js";
export { userEnv } from "../oci/util.js";

export const CUDA12 = `version: v1alpha1
compatibilities:
- description: "CUDA 12: NVIDIA GPU, driver 550+"
  tag: cuda12
  weight: 90
  rules:
  - name: "nvidia gpu"
    matchFeatures:
    - feature: pci.device
      matchExpressions:
        vendor: {op: In, value: ["10de"]}
  - name: "driver 550"
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions:
        nvidia: {op: Exists}
    - feature: kernel.version
      matchExpressions:
        major: {op: Ge, value: ["6"]}
`;

export const CUDA11 = `version: v1alpha1
compatibilities:
- description: "CUDA 11: any NVIDIA GPU"
  tag: cuda11
  weight: 50
  rules:
  - name: "nvidia gpu"
    matchFeatures:
    - feature: pci.device
      matchExpressions:
        vendor: {op: In, value: ["10de"]}
`;

export const CPU = `version: v1alpha1
compatibilities:
- description: "CPU only: AVX2"
  tag: cpu
  weight: 10
  rules:
  - name: "avx2"
    matchFeatures:
    - feature: cpu.cpuid
      matchExpressions:
        AVX2: {op: Exists}
`;

/** Same weight as CPU: for ties. */
export const CPU_TOO = CPU.replace("CPU only: AVX2", "also CPU only").replace(
  "tag: cpu",
  "tag: cpu2",
);

export interface NodeType {
  gpu: boolean;
  kernel: string;
  avx2: boolean;
}

export const GPU_NEW: NodeType = { gpu: true, kernel: "6.8", avx2: true };
export const GPU_OLD: NodeType = { gpu: true, kernel: "5.15", avx2: true };
export const CPU_NODE: NodeType = { gpu: false, kernel: "6.8", avx2: true };
export const ATOM_NODE: NodeType = { gpu: false, kernel: "6.1", avx2: false };

/** A snapshot shaped as NFD exports it; its node name is a feature too (system.name). */
export function features(name: string, t: NodeType): Features {
  const [major = "6", minor = "0"] = t.kernel.split(".");
  const pci = [{ attributes: { class: "0200", vendor: "8086", device: "1572" } }];
  if (t.gpu) pci.push({ attributes: { class: "0302", vendor: "10de", device: "2330" } });
  const modules: Record<string, Record<string, never>> = { ext4: {} };
  if (t.gpu) modules.nvidia = {};
  const cpuid: Record<string, Record<string, never>> = { SSE42: {} };
  if (t.avx2) cpuid.AVX2 = {};
  return {
    flags: { "cpu.cpuid": { elements: cpuid }, "kernel.loadedmodule": { elements: modules } },
    attributes: {
      "kernel.version": {
        elements: { full: `${t.kernel}.0-1-generic`, major, minor, revision: "0" },
      },
      "system.name": { elements: { nodename: name } },
    },
    instances: { "pci.device": { elements: pci } },
  };
}

/** A fleet file: a map of node name → snapshot, node types repeated. */
export function fleetFile(nodes: Array<[string, NodeType]>): string {
  const doc: Record<string, Features> = {};
  for (const [name, t] of nodes) doc[name] = features(name, t);
  const path = join(tempDir("kompat-fleet-"), "fleet.json");
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

export function writeFile(text: string, name: string): string {
  const path = join(tempDir("kompat-fleet-"), name);
  writeFileSync(path, text);
  return path;
}

/** Attaches `spec` to `image` (to its `platform` entry when given) with kompat's library. */
export async function attach(image: string, spec: string, opts: ClientOptions): Promise<void> {
  const img = await openImage(image, opts, "push");
  try {
    const resolved = await img.target.resolve(img.reference);
    const picked = await resolveSubject(img.target, resolved, undefined, img.name);
    await attachToSubject(img.target, picked.subject, Buffer.from(spec, "utf8"), {
      fileName: "spec.yaml",
      lockPath: img.lockPath,
    });
  } finally {
    await img.close();
  }
}

/** An OCI image layout with tagged images, as oras and skopeo write them. */
export class Layout {
  private readonly entries: Desc[] = [];
  constructor(readonly dir: string) {
    mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
    writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    this.save();
  }
  private blob(data: string, mediaType: string): Desc {
    const bytes = Buffer.from(data);
    const digest = sha256(bytes);
    writeFileSync(join(this.dir, "blobs", "sha256", digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.byteLength };
  }
  private save() {
    writeFileSync(
      join(this.dir, "index.json"),
      JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: this.entries }),
    );
  }
  /** A single-platform image tagged `tag`. */
  image(tag: string, architecture = "amd64"): Desc {
    const config = this.blob(
      JSON.stringify({ os: "linux", architecture, rootfs: { type: "layers", diff_ids: [] } }),
      "application/vnd.oci.image.config.v1+json",
    );
    const layer = this.blob(`layer ${tag}`, "application/vnd.oci.image.layer.v1.tar");
    const m = this.blob(
      JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] }),
      MANIFEST,
    );
    this.entries.push({ ...m, annotations: { "org.opencontainers.image.ref.name": tag } });
    this.save();
    return m;
  }
}
