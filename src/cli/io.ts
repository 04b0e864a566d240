// What a command may touch of the process: streams, environment, TTY-ness. Tests pass
// their own, so commands never reach for `process` directly.

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Standard input as text, read lazily, once, never more than `maxBytes` + 1 bytes
   * (default 1 MiB): more than `maxBytes` rejects with StdinTooLarge.
   */
  readStdin: (maxBytes?: number) => Promise<string>;
  env: Record<string, string | undefined>;
  /** Colours only on a TTY and never with NO_COLOR. */
  color: boolean;
  /** Standard output is a terminal. */
  tty: boolean;
  cwd: string;
}

/** A failure the user can act on: printed as `kompat: <message>`, exit 2, no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** Standard input held more than the reader's limit (only limit+1 bytes were read). */
export class StdinTooLarge extends UserError {
  constructor(readonly maxBytes: number) {
    super(`standard input: larger than ${maxBytes} bytes`);
  }
}

export type Command = (argv: string[], io: Io) => Promise<number>;

export function processIo(): Io {
  let stdin: Promise<string> | undefined;
  const env = process.env;
  // Streams are made on first write: creating one costs start-up time, and most runs
  // never write to stderr.
  const writer = (get: () => NodeJS.WriteStream): ((t: string) => void) => {
    let stream: NodeJS.WriteStream | undefined;
    return (t) => {
      if (stream === undefined) {
        stream = get();
        // `kompat … | head`: a closed pipe ends the output quietly, as other Unix tools do.
        stream.on("error", (e: NodeJS.ErrnoException) => {
          if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
          throw e;
        });
      }
      stream.write(t);
    };
  };
  // Not imported: node warns that node:tty is not verified in start-up snapshots.
  const tty = process.getBuiltinModule("node:tty").isatty(1);
  return {
    stdout: writer(() => process.stdout),
    stderr: writer(() => process.stderr),
    readStdin: (maxBytes = 1 << 20) =>
      (stdin ??= (async () => {
        const chunks: Buffer[] = [];
        let total = 0;
        // Stops at the limit: an endless producer costs limit+1 bytes, not all memory.
        for await (const c of process.stdin) {
          const chunk = (c as Buffer).subarray(0, maxBytes + 1 - total);
          chunks.push(chunk);
          total += chunk.length;
          // Over the limit, or binary (NUL, refused by the caller): no need to read on.
          if (total > maxBytes) throw new StdinTooLarge(maxBytes);
          if (chunk.includes(0)) break;
        }
        try {
          return Buffer.concat(chunks).toString("utf8");
        } catch {
          throw new StdinTooLarge(maxBytes); // past V8's longest string
        }
      })()),
    env,
    color: tty && env.NO_COLOR === undefined,
    tty,
    cwd: process.cwd(),
  };
}
