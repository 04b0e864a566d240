// Shared bits for the OCI tests: temp dirs, a spec fixture, client options.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientOptions } from "../../src/oci/client.js";

export const SPEC = `version: v1alpha1
compatibilities:
- description: "My image requirements"
  tag: gpu
  rules:
  - name: "kernel and cpu"
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions:
        vfio-pci: {op: Exists}
- description: "fallback"
  tag: cpu
  rules:
  - name: "cpu"
    matchFeatures:
    - feature: cpu.model
      matchExpressions:
        vendor_id: {op: In, value: ["Intel", "AMD"]}
`;

const made: string[] = [];
process.once("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir removed when the process exits. */
export function tempDir(prefix = "kompat-oci-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Client options with a private cache and lock dir and fast retries. */
/** An environment with private cache, runtime (lock) and home directories. */
export function userEnv(): Record<string, string | undefined> {
  const home = tempDir("kompat-user-");
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: join(home, "cache"),
    XDG_RUNTIME_DIR: join(home, "run"),
  };
}

export function clientOpts(extra: Partial<ClientOptions> = {}): ClientOptions {
  const home = tempDir("kompat-home-");
  return {
    plainHttp: true,
    env: { HOME: home, XDG_CACHE_HOME: join(home, "cache"), PATH: process.env.PATH },
    retryBaseMs: 5,
    timeoutMs: 5000,
    ...extra,
  };
}
