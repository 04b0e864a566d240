// Where discovery reads the host's files. Every source goes through a HostRoot, so one
// flag (`--host-root`, `--host-prefix`) points all of them at another tree, symlinks inside
// that tree resolve inside it, and capture-host can record exactly what was read.

import { lstat, readdir, readlink, stat, realpath } from "node:fs/promises";
import { close, constants, open, read, type Stats } from "node:fs";
import { posix } from "node:path";
import { compareStrings } from "../lib/go/strings.js";

/** Paths NFD reads without its `/host-` prefix (kernel-global inside a container anyway). */
const UNPREFIXED = [
  "/proc/modules",
  "/proc/sys/kernel/osrelease",
  "/proc/config.gz",
  "/proc/cpuinfo",
  "/etc/kubernetes/node-feature-discovery/features.d",
];
/** NFD's kconfig search also reads `/lib/modules/<ver>/build/.config` literally. */
const UNPREFIXED_RE = /^\/lib\/modules\/[^/]+\/build\/\.config$/;
/** Top-level directories NFD mounts under its prefix. */
const PREFIXED_TOPS = new Set(["sys", "proc", "etc", "boot", "lib", "usr"]);

const MAX_LINKS = 40;
const DEFAULT_MAX_BYTES = 1 << 20;
/** A sysfs attribute is one page at most. */
const ATTRIBUTE_MAX_BYTES = 4096;

/** How discovery touched one host path; capture-host copies according to it. */
export interface TraceEntry {
  /** The bytes a successful read returned. */
  read?: Buffer;
  /** The directory was listed: its entries' names and types matter. */
  list?: boolean;
  /** Only existence or type mattered. */
  stat?: boolean;
  /** The raw target of this symlink was read. */
  link?: boolean;
}
/** Host path (as asked for, before link resolution) → how it was touched. */
export type HostTrace = Map<string, TraceEntry>;

export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isSymbolicLink: boolean;
  isFile: boolean;
}

export interface HostRootOptions {
  /** Read every path under this directory (a mounted or copied host tree). */
  root?: string;
  /** NFD's container layout: `/sys` is read at `${prefix}sys`, e.g. `/host-sys`. */
  prefix?: string;
  /** Record every host path touched (for capture-host). */
  trace?: HostTrace;
}

type LinkInfo = { target: string | undefined } | { error: Error };

export class HostRoot {
  readonly root: string | undefined;
  readonly prefix: string | undefined;
  readonly trace: HostTrace | undefined;
  /** lstat results under `root`: resolving many sysfs paths repeats the same components. */
  private readonly links = new Map<string, Promise<LinkInfo>>();

  constructor(opts: HostRootOptions = {}) {
    if (opts.root !== undefined && opts.prefix !== undefined) {
      throw new Error("--host-root and --host-prefix cannot be used together");
    }
    this.root = opts.root === undefined || opts.root === "/" ? undefined : posix.resolve(opts.root);
    this.prefix = opts.prefix === "" ? undefined : opts.prefix;
    this.trace = opts.trace;
  }

  /** A description for messages: `/`, `--host-root /mnt/node`, `--host-prefix /host-`. */
  describe(): string {
    if (this.root !== undefined) return `host root ${this.root}`;
    if (this.prefix !== undefined) return `host prefix ${this.prefix}`;
    return "/";
  }

  /** Forget cached link resolution (the tree may have changed since the last discovery). */
  resetCache(): void {
    this.links.clear();
  }

  /** The path on this machine for a host path, without resolving symlinks. */
  local(hostPath: string): string {
    const p = normal(hostPath);
    if (this.root !== undefined) return p === "/" ? this.root : this.root + p;
    if (this.prefix !== undefined) {
      if (UNPREFIXED.some((u) => p === u || p.startsWith(`${u}/`)) || UNPREFIXED_RE.test(p))
        return p;
      const top = p.split("/")[1] ?? "";
      if (PREFIXED_TOPS.has(top)) return `${this.prefix}${p.slice(1)}`;
    }
    return p;
  }

  /**
   * The canonical host path after resolving symlinks inside the host tree: an absolute
   * link target is taken relative to the tree's root, `..` never leaves it.
   */
  async realPath(hostPath: string): Promise<string> {
    if (this.root === undefined) {
      // Live host or prefix layout: the kernel resolves links; report the host path.
      const real = await realpath(this.local(hostPath));
      return this.prefix !== undefined ? unprefix(real, this.prefix) : real;
    }
    const parts = normal(hostPath).split("/").filter(Boolean);
    let resolved: string[] = [];
    let links = 0;
    while (parts.length > 0) {
      const part = parts.shift() as string;
      if (part === ".") continue;
      if (part === "..") {
        resolved.pop();
        continue;
      }
      const candidate = `/${[...resolved, part].join("/")}`;
      const info = await this.linkInfo(candidate);
      if ("error" in info) throw info.error;
      if (info.target !== undefined) {
        if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links: ${hostPath}`);
        if (info.target.startsWith("/")) resolved = [];
        parts.unshift(...info.target.split("/").filter(Boolean));
      } else {
        resolved.push(part);
      }
    }
    return `/${resolved.join("/")}`;
  }

  private linkInfo(candidate: string): Promise<LinkInfo> {
    let p = this.links.get(candidate);
    if (p === undefined) {
      const file = (this.root as string) + candidate;
      p = lstat(file).then(
        async (st) => ({ target: st.isSymbolicLink() ? await readlink(file) : undefined }),
        (error: Error) => ({ error }),
      );
      this.links.set(candidate, p);
    }
    return p;
  }

  /** The file to open on this machine for a host path (links resolved in the tree). */
  async open(hostPath: string): Promise<string> {
    if (this.root === undefined) return this.local(hostPath);
    return this.root + (await this.realPath(hostPath));
  }

  async readBytes(
    hostPath: string,
    maxBytes = DEFAULT_MAX_BYTES,
    opts: { attribute?: boolean } = {},
  ): Promise<Buffer> {
    const entry = this.touch(hostPath);
    const file = await this.open(hostPath);
    // O_NONBLOCK: a FIFO planted in a tree reads as empty instead of blocking forever.
    // Under a root every link is already resolved: O_NOFOLLOW refuses one swapped in since.
    const flags =
      constants.O_RDONLY |
      constants.O_NONBLOCK |
      (this.root === undefined ? 0 : constants.O_NOFOLLOW);
    const data = await readCapped(file, flags, maxBytes, hostPath, opts.attribute === true);
    if (entry) entry.read = data;
    return data;
  }

  async readText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
    return (await this.readBytes(hostPath, maxBytes)).toString("utf8");
  }

  /**
   * A sysfs attribute (or a regular file of a copied tree): at most a page, which the
   * kernel hands to a single read whole, so a short read is the end. That saves the
   * read that would return 0: a quarter of the system calls of a discovery.
   */
  async readAttribute(hostPath: string): Promise<string> {
    return (await this.readBytes(hostPath, ATTRIBUTE_MAX_BYTES, { attribute: true })).toString(
      "utf8",
    );
  }

  async tryReadAttribute(hostPath: string): Promise<string | undefined> {
    try {
      return await this.readAttribute(hostPath);
    } catch {
      return undefined;
    }
  }

  /** The file's text, or undefined when it cannot be read (missing, permission, …). */
  async tryReadText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
    try {
      return await this.readText(hostPath, maxBytes);
    } catch {
      return undefined;
    }
  }

  /** Entry names, sorted by bytes like Go's os.ReadDir. */
  async readDir(hostPath: string): Promise<string[]> {
    return (await this.readDirEntries(hostPath)).map((e) => e.name);
  }

  /** Entries with their own type (a symlink is not followed), sorted by name. */
  async readDirEntries(hostPath: string): Promise<DirEntry[]> {
    const entry = this.touch(hostPath);
    if (entry) entry.list = true;
    const dir = await this.open(hostPath);
    const dirents = await readdir(dir, { withFileTypes: true });
    return dirents
      .map((d) => ({
        name: d.name,
        isDirectory: d.isDirectory(),
        isSymbolicLink: d.isSymbolicLink(),
        isFile: d.isFile(),
      }))
      .sort((a, b) => compareStrings(a.name, b.name));
  }

  async tryReadDir(hostPath: string): Promise<string[] | undefined> {
    try {
      return await this.readDir(hostPath);
    } catch {
      return undefined;
    }
  }

  /** The raw target of a symlink (NFD takes basenames of some, e.g. iommu_group). */
  async readLink(hostPath: string): Promise<string> {
    const entry = this.touch(hostPath);
    if (entry) entry.link = true;
    if (this.root === undefined) return readlink(this.local(hostPath));
    const parent = await this.realPath(posix.dirname(normal(hostPath)));
    const link = posix.join(parent, posix.basename(hostPath));
    return readlink(this.root + link);
  }

  /** Like os.Stat: follows links (inside the tree); throws with the errno code. */
  async stat(hostPath: string): Promise<Stats> {
    const entry = this.touch(hostPath);
    if (entry) entry.stat = true;
    return stat(await this.open(hostPath));
  }

  async exists(hostPath: string): Promise<boolean> {
    try {
      await this.stat(hostPath);
      return true;
    } catch {
      return false;
    }
  }

  async isDir(hostPath: string): Promise<boolean> {
    try {
      return (await this.stat(hostPath)).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * For capture-host: `data` stands for what was read at hostPath, where the read itself
   * cannot be copied (the CPUID device: its leaves, as a recording).
   */
  noteRead(hostPath: string, data: Buffer): void {
    const entry = this.touch(hostPath);
    if (entry) entry.read = data;
  }

  private touch(hostPath: string): TraceEntry | undefined {
    if (this.trace === undefined) return undefined;
    const p = normal(hostPath);
    let e = this.trace.get(p);
    if (e === undefined) {
      e = {};
      this.trace.set(p, e);
    }
    return e;
  }
}

/**
 * The whole file, refusing more than `maxBytes`. sysfs and procfs report size 0, so it
 * reads in chunks instead of trusting stat. The callback API, not FileHandle: discovery
 * reads ~100 small files, and FileHandle's per-call promise machinery made that ~2× slower.
 */
function readCapped(
  file: string,
  flags: number,
  maxBytes: number,
  hostPath: string,
  shortReadEnds: boolean,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    open(file, flags, (err, fd) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let total = 0;
      const finish = (error: Error | null): void =>
        close(fd, (closeErr) => {
          if (error ?? closeErr) reject(error ?? closeErr);
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
            return finish(new Error(`${hostPath}: larger than ${maxBytes} bytes`));
          if (shortReadEnds && n < buf.length) return finish(null);
          next();
        });
      };
      next();
    });
  });
}

function normal(hostPath: string): string {
  return posix.normalize(hostPath.startsWith("/") ? hostPath : `/${hostPath}`);
}

function unprefix(real: string, prefix: string): string {
  return real.startsWith(prefix) ? `/${real.slice(prefix.length)}` : real;
}
