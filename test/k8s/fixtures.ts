// Node features for the cluster tests: the example node and variations of it, as the
// NodeFeature objects nfd-worker writes, and a fake API server filled with them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/cli.js";
import { FakeApiServer, kubeconfigFor, NODEFEATURES, NODES } from "../helpers/apiserver.js";

export type RawFeatures = {
  flags: Record<string, { elements: Record<string, Record<string, never>> }>;
  attributes: Record<string, { elements: Record<string, string> }>;
  instances: Record<string, { elements: Array<{ attributes: Record<string, string> }> }>;
};

export const SPEC = join(REPO, "examples/compat-spec.yaml");

export function exampleFeatures(): RawFeatures {
  return JSON.parse(readFileSync(join(REPO, "examples/node-features.json"), "utf8")) as RawFeatures;
}

/** The example node without the nvidia module: the GPU set fails, the CPU set holds. */
export function withoutNvidia(): RawFeatures {
  const f = exampleFeatures();
  delete f.flags["kernel.loadedmodule"]?.elements["nvidia"];
  return f;
}

/** Neither set holds: no nvidia module and an unsupported distribution. */
export function incompatible(): RawFeatures {
  const f = withoutNvidia();
  const os = f.attributes["system.osrelease"];
  if (os) os.elements["ID"] = "alpine";
  return f;
}

export function nodeFeature(
  node: string,
  features: Partial<RawFeatures>,
  namespace = "node-feature-discovery",
  name = node,
): Record<string, unknown> {
  return {
    metadata: { name, namespace, labels: { "nfd.node.kubernetes.io/node-name": node } },
    spec: { features, labels: {} },
  };
}

export function addNode(
  api: FakeApiServer,
  name: string,
  labels: Record<string, string> = {},
): void {
  api.put(NODES, { metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } } });
}

export interface Env {
  api: FakeApiServer;
  dir: string;
  kubeconfig: string;
  env: Record<string, string | undefined>;
  cleanup(): Promise<void>;
}

export const TOKEN = "s3cret-token";

/** A fake API server with a bearer token, and a HOME whose kubeconfig points at it. */
export async function fakeCluster(opts: { nfd?: boolean; minor?: number } = {}): Promise<Env> {
  const api = await FakeApiServer.start({ tokens: { [TOKEN]: "alice" }, ...opts });
  const dir = mkdtempSync(join(tmpdir(), "kompat-k8s-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    kubeconfigFor(api.url, api.tls.caFile, [{ name: "alice", token: TOKEN }]),
  );
  return {
    api,
    dir,
    kubeconfig,
    env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig },
    cleanup: async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** gpu-1..gpuN compatible (GPU set), cpu-1..cpuN (CPU set), bad-1..badN incompatible. */
export function fill(
  api: FakeApiServer,
  n: { gpu?: number; cpu?: number; bad?: number; bare?: number },
): void {
  const groups: Array<[string, number, () => RawFeatures]> = [
    ["gpu", n.gpu ?? 0, exampleFeatures],
    ["cpu", n.cpu ?? 0, withoutNvidia],
    ["bad", n.bad ?? 0, incompatible],
  ];
  for (const [prefix, count, make] of groups) {
    for (let i = 1; i <= count; i++) {
      const node = `${prefix}-${i}`;
      addNode(api, node, { pool: prefix });
      api.put(NODEFEATURES, nodeFeature(node, make()));
    }
  }
  for (let i = 1; i <= (n.bare ?? 0); i++) addNode(api, `bare-${i}`, { pool: "bare" });
}

export { NODEFEATURES, NODES };
