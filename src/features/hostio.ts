// The low-level half of HostRoot: how a host file is opened and read (bounded, never
// blocking, never following a link nobody checked), how many are open at once, and what a
// failure means (absent, as NFD treats it, or a file that exists and could not be read).

import { close, constants, fstat, open, read, readdir, readFileSync, type Dirent } from "node:fs";
import { errnoWords } from "../lib/fserror.js";

/**
 * Open files at once across all sources of one discovery: a quarter of the process's soft
 * limit (RLIMIT_NOFILE, from /proc/self/limits), between 8 and 256. Under the common 1024
 * that is 256, which a host's ~100 files never reach (throttling costs thread-pool
 * wake-ups); a host with hundreds of PCI devices, or a child given 64, cannot run out.
 */
export function maxOpenFiles(): number {
  // Read each time, never cached in the module: the start-up snapshot runs a discovery
  // while it is built, and would freeze the building process's limit into every run.
  let soft = 1024;
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "latin1"));
    if (m) soft = Number(m[1]);
  } catch {
    // No /proc: the common default.
  }
  return Math.max(8, Math.min(256, Math.floor(soft / 4)));
}

/**
 * Failures that mean "not there", as NFD treats them: a missing file or directory, and the
 * errors sysfs answers for an attribute that does not apply (`speed` of a link that is
 * down: EINVAL). Anything else on a file that exists is an error of the source reading it.
 */
const ABSENT = new Set(["ENOENT", "ENOTDIR", "EINVAL", "ENODEV", "ENXIO", "EOPNOTSUPP", "ENODATA"]);

/** A host file that could not be read; `path` is where it was looked for on this machine. */
export class HostFileError extends Error {
  readonly code: string;
  readonly path: string;
  /** Absent as NFD sees it (a source goes on without it), not a failure. */
  readonly absent: boolean;
  /** The reason alone, without the path. */
  readonly why: string;
  constructor(path: string, code: string, detail?: string) {
    const why = detail ?? errnoWords(code) ?? code;
    super(`${brief(path, 160)}: ${why}`);
    this.name = "HostFileError";
    this.code = code;
    this.path = path;
    this.absent = ABSENT.has(code);
    this.why = why;
  }

  static from(path: string, err: unknown): HostFileError {
    if (err instanceof HostFileError) return err;
    // Most are absences, a hundred in a discovery: a stack would cost more than the read.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return HostFileError.make(path, err);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  private static make(path: string, err: unknown): HostFileError {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return new HostFileError(path, code);
    return new HostFileError(path, "EIO", err instanceof Error ? err.message : String(err));
  }
}

/** Text from the host, shortened for a message: a 3,000-character release says so, once. */
export function brief(text: string, max = 80): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export interface ReadSpec {
  flags: number;
  maxBytes: number;
  /** A sysfs attribute: the kernel hands it to one read whole, a short read is the end. */
  shortReadEnds: boolean;
  /** Refuse anything but a regular file (checked on the open descriptor). */
  regularOnly: boolean;
}

/**
 * The whole file, refusing more than `maxBytes`. sysfs and procfs report size 0, so it
 * reads in chunks instead of trusting stat. The callback API, not FileHandle: discovery
 * reads ~100 small files, and FileHandle's per-call promise machinery made that ~2× slower.
 */
export function readCapped(file: string, spec: ReadSpec): Promise<Buffer> {
  const { maxBytes } = spec;
  return new Promise((resolve, reject) => {
    open(file, spec.flags, (err, fd) => {
      if (err) return reject(HostFileError.from(file, err));
      const chunks: Buffer[] = [];
      let total = 0;
      const finish = (error: Error | null): void =>
        close(fd, (closeErr) => {
          if (error ?? closeErr) reject(HostFileError.from(file, error ?? closeErr));
          else resolve(Buffer.concat(chunks, total));
        });
      const next = (): void => {
        const buf = Buffer.allocUnsafe(Math.min(65536, maxBytes + 1 - total));
        read(fd, buf, 0, buf.length, null, (readErr, n) => {
          if (readErr) return finish(readErr);
          if (n === 0) return finish(null);
          chunks.push(buf.subarray(0, n));
          total += n;
          if (total > maxBytes)
            return finish(new HostFileError(file, "EFBIG", `larger than ${maxBytes} bytes`));
          if (spec.shortReadEnds && n < buf.length) return finish(null);
          next();
        });
      };
      if (!spec.regularOnly) return next();
      fstat(fd, (stErr, st) => {
        if (stErr) return finish(stErr);
        if (st.isDirectory()) return finish(new HostFileError(file, "EISDIR"));
        if (!st.isFile()) return finish(new HostFileError(file, "ENOTREG"));
        next();
      });
    });
  });
}

/**
 * The entries of the directory at `dir`, opened without following a link there: the
 * listing is of the directory the resolver checked, read through its descriptor.
 */
export function readDirNoFollow(dir: string): Promise<Dirent[]> {
  return new Promise((resolve, reject) => {
    const flags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
    open(dir, flags, (err, fd) => {
      if (err) return reject(HostFileError.from(dir, err));
      const done = (listErr: Error | null, entries: Dirent[]): void =>
        close(fd, () => (listErr ? reject(HostFileError.from(dir, listErr)) : resolve(entries)));
      readdir(`/proc/self/fd/${fd}`, { withFileTypes: true }, (listErr, entries) => {
        // Without a /proc (rare), by path: the resolver checked it an instant ago.
        if ((listErr as NodeJS.ErrnoException | null)?.code === "ENOENT")
          readdir(dir, { withFileTypes: true }, done);
        else done(listErr, entries);
      });
    });
  });
}
