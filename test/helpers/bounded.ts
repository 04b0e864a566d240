// kompat as a child process under the harness's own limits: a heap cap and a kill
// timeout. A run that hangs or grows is killed and reported as such (signal set), so the
// test fails on its assertions instead of hanging; no test asserts on a duration.

import { spawn } from "node:child_process";
import { BIN, REPO } from "./cli.js";

export interface BoundedResult {
  code: number | null;
  /** Set when the harness killed the child (it ran past `killAfterMs`). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Bytes of `stdinForever` the child accepted before it exited. */
  stdinBytes: number;
}

export function runBounded(
  argv: string[],
  opts: {
    env?: Record<string, string | undefined>;
    /** Old-space cap in MiB (default 512). */
    heapMb?: number;
    /** Kill after this long (default 60 s): a hang becomes a failure, not a stuck suite. */
    killAfterMs?: number;
    /** Written to stdin again and again until the child stops reading. */
    stdinForever?: string;
  } = {},
): Promise<BoundedResult> {
  return new Promise((resolveP, reject) => {
    const child = spawn(BIN, argv, {
      cwd: REPO,
      env: {
        ...(opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME }),
        NODE_OPTIONS: `--max-old-space-size=${opts.heapMb ?? 512}`,
      } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.killAfterMs ?? 60_000,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    let stdinBytes = 0;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.stdin.on("error", () => {}); // EPIPE once the child stops reading
    if (opts.stdinForever !== undefined) {
      const chunk = Buffer.from(opts.stdinForever);
      const pump = () => {
        while (!child.stdin.destroyed && child.exitCode === null) {
          stdinBytes += chunk.length;
          if (!child.stdin.write(chunk)) return void child.stdin.once("drain", pump);
        }
      };
      pump();
    } else child.stdin.end();
    child.on("close", (code, signal) => resolveP({ code, signal, stdout, stderr, stdinBytes }));
  });
}
