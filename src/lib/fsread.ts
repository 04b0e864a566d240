// Reading a local file with a size limit that holds for anything a path can name: a file
// that grows, a FIFO, /dev/zero. At most limit+1 bytes are ever read, and with
// `regularOnly` nothing but a regular file is read and opening cannot block.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { open } from "node:fs/promises";
import { errnoCode, fsReason } from "./fserror.js";

export interface BoundedReadOptions {
  maxBytes: number;
  /** Refuse FIFOs, devices and sockets (before reading; the open does not wait for a writer). */
  regularOnly?: boolean;
  /** Refuse a symbolic link as the last component of the path. */
  noFollow?: boolean;
  /** Stop at the first NUL byte (code "binary"): /dev/zero is refused after one read. */
  textOnly?: boolean;
}

/** Why a bounded read failed; `message` is `<path>: <reason>`. */
export class FileReadError extends Error {
  override name = "FileReadError";
  constructor(
    readonly path: string,
    readonly reason: string,
    /** errno code, "too-large" or "not-regular". */
    readonly code: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

const CHUNK = 1 << 16;

function openFlags(o: BoundedReadOptions): number {
  return (
    constants.O_RDONLY |
    (o.regularOnly ? constants.O_NONBLOCK : 0) |
    (o.noFollow ? constants.O_NOFOLLOW : 0)
  );
}

function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return "is a directory";
  if (st.isFIFO()) return "is a named pipe (FIFO), not a regular file";
  if (st.isCharacterDevice()) return "is a character device, not a regular file";
  if (st.isBlockDevice()) return "is a block device, not a regular file";
  if (st.isSocket()) return "is a socket, not a regular file";
  return "is not a regular file";
}

function tooLarge(path: string, max: number): FileReadError {
  return new FileReadError(path, `larger than ${max} bytes`, "too-large");
}

function openError(path: string, e: unknown, o: BoundedReadOptions): FileReadError {
  const code = errnoCode(e) ?? "EIO";
  // O_NOFOLLOW on a link fails with ELOOP.
  const reason = code === "ELOOP" && o.noFollow ? "is a symbolic link" : fsReason(e);
  return new FileReadError(path, reason, code);
}

/** Checks the opened file; returns the first buffer size to use. */
function admit(path: string, st: Stats, o: BoundedReadOptions): number {
  const kind = kindOf(st);
  if (kind !== undefined && (o.regularOnly || st.isDirectory() || st.isSocket()))
    throw new FileReadError(path, kind, st.isDirectory() ? "EISDIR" : "not-regular");
  if (st.isFile() && st.size > o.maxBytes) throw tooLarge(path, o.maxBytes);
  // A regular file's size is a hint (it may grow); other files get chunks.
  return st.isFile() ? st.size + 1 : CHUNK;
}

/** Appends reads into growing buffers until EOF or more than maxBytes. */
class Collector {
  private chunks: Buffer[] = [];
  private total = 0;
  private buf: Buffer;
  private used = 0;
  constructor(
    first: number,
    private readonly path: string,
    private readonly max: number,
    private readonly textOnly = false,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(1, Math.min(first, max + 1)));
  }
  /** Where the next read goes: [buffer, offset, length]. */
  next(): [Buffer, number, number] {
    if (this.used === this.buf.length) {
      this.chunks.push(this.buf);
      this.buf = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK * 16, this.max + 1 - this.total)));
      this.used = 0;
    }
    return [this.buf, this.used, this.buf.length - this.used];
  }
  /** Records n bytes read; false at EOF. */
  add(n: number): boolean {
    if (n === 0) return false;
    if (this.textOnly && this.buf.subarray(this.used, this.used + n).includes(0))
      throw new FileReadError(this.path, "not a text file (it holds NUL bytes)", "binary");
    this.used += n;
    this.total += n;
    if (this.total > this.max) throw tooLarge(this.path, this.max);
    return true;
  }
  result(): Buffer {
    this.chunks.push(this.buf.subarray(0, this.used));
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
  }
}

export function readFileBoundedSync(path: string, o: BoundedReadOptions): Buffer {
  let fd: number;
  try {
    fd = openSync(path, openFlags(o));
  } catch (e) {
    throw openError(path, e, o);
  }
  try {
    const c = new Collector(admit(path, fstatSync(fd), o), path, o.maxBytes, o.textOnly);
    for (;;) {
      const [buf, off, len] = c.next();
      if (!c.add(readSync(fd, buf, off, len, null))) return c.result();
    }
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw openError(path, e, o);
  } finally {
    closeSync(fd);
  }
}

export async function readFileBounded(path: string, o: BoundedReadOptions): Promise<Buffer> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, openFlags(o));
  } catch (e) {
    throw openError(path, e, o);
  }
  try {
    const c = new Collector(admit(path, await fh.stat(), o), path, o.maxBytes, o.textOnly);
    for (;;) {
      const [buf, off, len] = c.next();
      const { bytesRead } = await fh.read(buf, off, len, null);
      if (!c.add(bytesRead)) return c.result();
    }
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw openError(path, e, o);
  } finally {
    await fh.close();
  }
}
