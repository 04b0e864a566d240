// Builds the start-up snapshot of the CLI: dist/snapshot/kompat.blob, with the node binary
// that built it recorded in kompat.blob.node (path inside, that binary's mtime on the file).
// A blob only loads in the very node build that made it (others abort or crash), so
// bin/kompat uses it only when the node on PATH is that binary, and runs the plain bundle
// otherwise. Failing to build it is a warning, never a failed build: the bundle still works.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { V8_FLAGS, writeBlob } from "./snapshot-blob.mjs";

export { V8_FLAGS };
export const SNAPSHOT_DIR = "dist/snapshot";

// Left out of the blob: required from disk when a command needs them (see src/cli/startup-snapshot.ts).
// The proxy agents (and `debug`, which reads the environment and tty state at load) load
// only when a proxy applies.
// The Kubernetes client loads only in cluster commands.
const FROM_DISK = ["https-proxy-agent", "http-proxy-agent", "@kubernetes/client-node"];

// Built-in modules node does not vouch for in a snapshot ("not yet fully verified"), which
// modules evaluated in the blob import (child_process: credential helpers). They are
// loaded at first call instead: each exported function becomes a forwarder.
const LAZY_BUILTINS = ["node:child_process"];

async function lazyBuiltin(name) {
  const real = await import(name);
  // Plain functions only: a forwarder cannot stand for a class (`new`, instanceof), so
  // importing one fails the build ("No matching export") rather than misbehaving.
  const fns = Object.keys(real).filter((k) => /^[a-z]/.test(k) && typeof real[k] === "function");
  const get = `process.getBuiltinModule(${JSON.stringify(name)})`;
  return fns.map((k) => `export function ${k}(...a) { return ${get}.${k}(...a); }`).join("\n");
}

export async function buildSnapshot(dir = SNAPSHOT_DIR) {
  const blob = join(dir, "kompat.blob");
  const stamp = `${blob}.node`;
  // The stamp goes first, so a half-built blob is never paired with one.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, "kompat.cjs");
  const { metafile } = await build({
    entryPoints: ["src/cli/startup-snapshot.ts"],
    metafile: true,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    outfile: entry,
    minify: process.env.KOMPAT_SNAPSHOT_PLAIN ? false : true,
    logLevel: "warning",
    plugins: [
      {
        name: "lazy-builtins",
        setup(b) {
          const filter = new RegExp(`^(${LAZY_BUILTINS.join("|")})$`);
          b.onResolve({ filter }, (a) => ({ path: a.path, namespace: "lazy-builtin" }));
          b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, async (a) => ({
            contents: await lazyBuiltin(a.path),
            loader: "js",
          }));
        },
      },
      {
        name: "from-disk",
        setup(b) {
          const filter = new RegExp(`^(${FROM_DISK.join("|")})$`);
          b.onResolve({ filter }, (a) => ({ path: a.path, namespace: "from-disk" }));
          b.onLoad({ filter: /.*/, namespace: "from-disk" }, (a) => ({
            contents: `const r = globalThis[Symbol.for("kompat.runtimeRequire")];
if (typeof r !== "function") throw new Error("kompat snapshot: ${a.path} is loaded from disk at run time only");
module.exports = r(${JSON.stringify(a.path)});`,
            loader: "js",
          }));
        },
      },
    ],
  });
  try {
    // import() has no loader in a snapshot: every dynamic import must be bundled.
    const unbundled = Object.values(metafile.outputs)
      .flatMap((o) => o.imports)
      .filter((i) => i.kind === "dynamic-import");
    if (unbundled.length > 0) {
      throw new Error(`import() of ${unbundled.map((i) => i.path).join(", ")} left unbundled`);
    }
    // What an installed package's blob is cached under (bin/kompat): the version and the
    // entry's content, so an upgrade in place never meets an old blob.
    const { version } = JSON.parse(readFileSync("package.json", "utf8"));
    const hash = createHash("sha256").update(readFileSync(entry)).digest("hex").slice(0, 16);
    writeFileSync(join(dir, "kompat.key"), `${version}-${hash}\n`);
    writeBlob(entry, dir);
    return true;
  } catch (e) {
    rmSync(blob, { force: true });
    rmSync(stamp, { force: true });
    const why = e instanceof Error && "stderr" in e ? String(e.stderr).trim() : String(e);
    console.warn(`kompat: start-up snapshot not built (bin/kompat uses the plain bundle): ${why}`);
    return false;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await buildSnapshot();
