// Entry of the start-up snapshot (scripts/snapshot.mjs bundles it as one CommonJS file and
// runs `node --build-snapshot` on it). Building evaluates the modules `validate-node` (with
// --spec and with --image) and `spec lint` need and runs them once (warmup.ts, and
// warmup-registry.ts against an in-memory registry), so a run from the blob skips loading,
// evaluating and compiling them; the other commands are in the blob too but evaluated only
// when run. bin/kompat decides whether the blob can be used; this file only runs from it.

import { resolve } from "node:path";
import { startupSnapshot } from "node:v8";
import { main } from "./main.js";
import { processIo } from "./io.js";

// Packages left out of the blob (see scripts/snapshot.mjs) are required from disk at run
// time, relative to the package's dist/snapshot/kompat.cjs, which bin/kompat passes as the
// first argument (the blob may live in a per-user cache); only built-in modules can be
// required while building it.
const RUNTIME_REQUIRE = Symbol.for("kompat.runtimeRequire");

async function preload(): Promise<void> {
  await import("./commands/validate-node.js");
  await import("../features/discover.js");
  await import("./host-flags.js");
  await import("./commands/spec-lint.js");
  await import("../oci/usecases.js");
  await (await import("./warmup.js")).warmUp();
}

async function start(): Promise<void> {
  const [entry, ...args] = process.argv.slice(1);
  // Made on first use (only the registry commands need it): creating it costs ~0.5 ms.
  let required: NodeJS.Require | undefined;
  (globalThis as Record<symbol, unknown>)[RUNTIME_REQUIRE] = (id: string): unknown => {
    // Loaded at run time: node warns that node:module is not verified in snapshot builds
    // (and import() has no loader in a snapshot).
    const { createRequire } = process.getBuiltinModule("node:module");
    // createRequire resolves from the directory of the file it is given.
    required ??= createRequire(resolve(entry ?? "kompat.cjs"));
    return required(id);
  };
  process.exitCode = await main(args, processIo());
}

if (startupSnapshot.isBuildingSnapshot()) {
  void preload();
  startupSnapshot.setDeserializeMainFunction(() => void start());
}
