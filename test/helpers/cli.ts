// Running kompat in tests: in-process through main() (fast, for most tests) or as a real
// process through ./bin/kompat (for exit codes, stdin and start-up as a user sees them).

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";

/** The repository root (tests run from dist/test/…). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = resolve(REPO, "bin/kompat");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  opts: { stdin?: string; env?: Record<string, string | undefined>; color?: boolean } = {},
): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => opts.stdin ?? "",
    env: opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
    color: opts.color ?? false,
    tty: false,
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export function runBin(
  argv: string[],
  opts: { stdin?: string; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolveP, reject) => {
    const child = spawn(BIN, argv, {
      cwd: opts.cwd ?? REPO,
      env: (opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME }) as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolveP({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}
