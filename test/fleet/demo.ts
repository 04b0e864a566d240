// A realistic audit without a registry (specs given directly): a platform team's images
// against node types of several generations. Used by the HTML page's browser test.

import { loadSpec } from "../../src/rules/index.js";
import { auditImages, type Audit } from "../../src/fleet/audit.js";
import type { ImageSpecResult } from "../../src/fleet/image-spec.js";
import type { NodeSnapshot } from "../../src/features/snapshot.js";
import { CPU, CUDA11, CUDA12, features, type NodeType } from "./helpers.js";

const TYPES: Array<[string, NodeType]> = [
  ["gpu-h100", { gpu: true, kernel: "6.8", avx2: true }],
  ["gpu-a100", { gpu: true, kernel: "6.1", avx2: true }],
  ["gpu-t4", { gpu: true, kernel: "5.15", avx2: true }],
  ["cpu-sapphire", { gpu: false, kernel: "6.8", avx2: true }],
  ["cpu-icelake", { gpu: false, kernel: "6.1", avx2: true }],
  ["cpu-epyc", { gpu: false, kernel: "5.15", avx2: true }],
  ["edge-atom", { gpu: false, kernel: "6.1", avx2: false }],
];

/** `groups` node types (kernel minors varied beyond the named ones), `perGroup` nodes each. */
export function demoNodes(groups: number, perGroup: number): NodeSnapshot[] {
  const out: NodeSnapshot[] = [];
  for (let g = 0; g < groups; g++) {
    const [prefix, t] = TYPES[g % TYPES.length] as [string, NodeType];
    const gen = Math.floor(g / TYPES.length);
    const type = gen === 0 ? t : { ...t, kernel: `${t.kernel.split(".")[0]}.${20 + gen * 7 + g}` };
    for (let n = 0; n < perGroup + (g % 3); n++) {
      const name = `${prefix}${gen ? `-g${gen}` : ""}-${String(n + 1).padStart(2, "0")}`;
      out.push({ name, features: features(name, type) });
    }
  }
  return out;
}

const APPS = [
  "trainer",
  "inference",
  "etl",
  "notebook",
  "feature-store",
  "vector-db",
  "batch",
  "api",
];
const BUILDS: Array<[string, string | undefined]> = [
  ["cuda12", CUDA12],
  ["cuda11", CUDA11],
  ["cpu", CPU],
];

/** `count` images: apps in three builds each, one without a spec, one unreachable. */
export function demoImages(count: number): {
  refs: string[];
  specOf: (ref: string) => Promise<ImageSpecResult>;
} {
  const refs: string[] = [];
  for (let i = 0; refs.length < count - 2; i++) {
    const app = APPS[i % APPS.length] as string;
    const [build] = BUILDS[Math.floor(i / APPS.length) % BUILDS.length] as [string, string];
    const v = Math.floor(i / (APPS.length * BUILDS.length));
    refs.push(`registry.example.com/ml/${app}:${v ? `2.${v}-` : ""}${build}`);
  }
  refs.push("registry.example.com/ml/legacy-report:1.0", "registry.example.com/ml/moved-away:3");
  const specOf = async (ref: string): Promise<ImageSpecResult> => {
    if (ref.includes("legacy"))
      return { state: "no-spec", reason: `no compatibility artifact is attached to ${ref}` };
    if (ref.includes("moved"))
      return {
        state: "error",
        reason: `GET https://registry.example.com/v2/ml/moved-away/manifests/3: 404 MANIFEST_UNKNOWN`,
      };
    const text = ref.endsWith("cuda12") ? CUDA12 : ref.endsWith("cuda11") ? CUDA11 : CPU;
    const spec = loadSpec(text).spec;
    if (!spec) throw new Error("demo spec invalid");
    const digest = `sha256:${Buffer.from(ref).toString("hex").padEnd(64, "0").slice(0, 64)}`;
    return {
      state: "spec",
      spec,
      subject: `${ref.split(":")[0]}@${digest}`,
      artifact: digest,
      notes: [],
    };
  };
  return { refs, specOf };
}

export function demoAudit(images: number, groups: number, perGroup = 4): Promise<Audit> {
  const { refs, specOf } = demoImages(images);
  return auditImages({
    images: refs,
    nodes: demoNodes(groups, perGroup),
    fetch: { env: {} },
    specOf,
  });
}
