// Entry of the start-up snapshot (scripts/snapshot.mjs bundles it as one CommonJS file and
// runs `node --build-snapshot` on it). Building evaluates the modules `validate-node --spec`
// and `spec lint` need and runs them once (warmup.ts), so a run from the blob skips loading,
// evaluating and compiling them; the other commands are in the blob too but evaluated only
// when run. bin/kompat decides whether the blob can be used; this file only runs from it.

import { resolve } from "node:path";
import { startupSnapshot } from "node:v8";
import { main } from "./main.js";
import { processIo } from "./io.js";

// Packages left out of the blob (see scripts/snapshot.mjs) are required from disk at run
// time, relative to the blob; only built-in modules can be required while building it.
const RUNTIME_REQUIRE = Symbol.for("kompat.runtimeRequire");

async function preload(): Promise<void> {
  await import("./commands/validate-node.js");
  await import("../features/discover.js");
  await import("./host-flags.js");
  await import("./commands/spec-lint.js");
  await (await import("./warmup.js")).warmUp();
}

/** The blob's path, from node's own arguments (`--snapshot-blob FILE` or `=FILE`). */
function blobPath(): string | undefined {
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--snapshot-blob") return args[i + 1];
    if (a.startsWith("--snapshot-blob=")) return a.slice("--snapshot-blob=".length);
  }
  return undefined;
}

async function start(): Promise<void> {
  // Made on first use (only the registry commands need it): creating it costs ~0.5 ms.
  let required: NodeJS.Require | undefined;
  (globalThis as Record<symbol, unknown>)[RUNTIME_REQUIRE] = (id: string): unknown => {
    // Loaded at run time: node warns that node:module is not verified in snapshot builds
    // (and import() has no loader in a snapshot).
    const { createRequire } = process.getBuiltinModule("node:module");
    // createRequire resolves from the directory of the file it is given.
    required ??= createRequire(resolve(blobPath() ?? "kompat.blob"));
    return required(id);
  };
  process.exitCode = await main(process.argv.slice(1), processIo());
}

if (startupSnapshot.isBuildingSnapshot()) {
  void preload();
  startupSnapshot.setDeserializeMainFunction(() => void start());
}
