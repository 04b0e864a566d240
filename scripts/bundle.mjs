// Bundles the CLI into dist/bundle/ so that ./bin/kompat loads a few files instead of
// hundreds of modules: start-up is most of a validate-node run. Commands stay separate
// chunks (dynamic imports), so `validate-node --spec` never loads the registry client.
// Then builds the start-up snapshot (scripts/snapshot.mjs), which bin/kompat prefers.
import { build } from "esbuild";

import { rmSync } from "node:fs";
import { buildSnapshot } from "./snapshot.mjs";

// Chunk names are content hashes: start clean so stale chunks do not pile up.
rmSync("dist/bundle", { recursive: true, force: true });

await build({
  entryPoints: { kompat: "src/cli/bin.ts" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: "dist/bundle",
  sourcemap: true,
  logLevel: "warning",
  // Loaded from node_modules when needed: the Kubernetes client by the cluster commands, the
  // proxy agents when a proxy applies (Node's own loader gives their CommonJS named exports;
  // esbuild's interop for a dynamic import of them did not).
  external: ["@kubernetes/client-node", "https-proxy-agent", "http-proxy-agent"],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __kompatRequire } from 'node:module'; const require = __kompatRequire(import.meta.url);",
  },
});

await buildSnapshot();
