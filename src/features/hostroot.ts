// Where discovery reads the host's files. Every source goes through a HostRoot, so one
// flag (`--host-root`, `--host-prefix`) points all of them at another tree, symlinks inside
// that tree resolve inside it, and capture-host can record exactly what was read.

import { lstat, readdir, readlink, stat, open } from "node:fs/promises";
import { posix } from "node:path";

/** Paths NFD reads without its `/host-` prefix (kernel-global inside a container anyway). */
const UNPREFIXED = [
  "/proc/modules",
  "/proc/sys/kernel/osrelease",
  "/proc/config.gz",
  "/proc/cpuinfo",
  "/etc/kubernetes/node-feature-discovery/features.d",
];
/** Top-level directories NFD mounts under its prefix. */
const PREFIXED_TOPS = new Set(["sys", "proc", "etc", "boot", "lib", "usr"]);

const MAX_LINKS = 40;
export const DEFAULT_MAX_BYTES = 1 << 20;

export interface HostRootOptions {
  /** Read every path under this directory (a mounted or copied host tree). */
  root?: string;
  /** NFD's container layout: `/sys` is read at `${prefix}sys`, e.g. `/host-sys`. */
  prefix?: string;
  /** Record every host path touched (for capture-host). */
  trace?: Set<string>;
}

export class HostRoot {
  readonly root: string | undefined;
  readonly prefix: string | undefined;
  readonly trace: Set<string> | undefined;

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

  /** The path on this machine for a host path, without resolving symlinks. */
  local(hostPath: string): string {
    const p = posix.normalize(hostPath.startsWith("/") ? hostPath : `/${hostPath}`);
    if (this.root !== undefined) return p === "/" ? this.root : this.root + p;
    if (this.prefix !== undefined) {
      if (UNPREFIXED.some((u) => p === u || p.startsWith(`${u}/`))) return p;
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
      const { realpath } = await import("node:fs/promises");
      this.touch(hostPath);
      const real = await realpath(this.local(hostPath));
      return this.prefix !== undefined ? unprefix(real, this.prefix) : real;
    }
    const parts = posix.normalize(`/${hostPath}`).split("/").filter(Boolean);
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
      const st = await lstat(this.root + candidate);
      if (st.isSymbolicLink()) {
        if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links: ${hostPath}`);
        this.touch(candidate);
        const target = await readlink(this.root + candidate);
        if (target.startsWith("/")) resolved = [];
        parts.unshift(...target.split("/").filter(Boolean));
      } else {
        resolved.push(part);
      }
    }
    return `/${resolved.join("/")}`;
  }

  /** The file to open on this machine for a host path (links resolved in the tree). */
  async open(hostPath: string): Promise<string> {
    this.touch(hostPath);
    if (this.root === undefined) return this.local(hostPath);
    return this.root + (await this.realPath(hostPath));
  }

  async readBytes(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<Buffer> {
    const file = await this.open(hostPath);
    const fh = await open(file, "r");
    try {
      // sysfs/procfs report size 0: read in chunks up to the cap instead of trusting stat.
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buf = Buffer.allocUnsafe(Math.min(65536, maxBytes + 1 - total));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        if (total > maxBytes) throw new Error(`${hostPath}: larger than ${maxBytes} bytes`);
      }
      return Buffer.concat(chunks, total);
    } finally {
      await fh.close();
    }
  }

  async readText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
    return (await this.readBytes(hostPath, maxBytes)).toString("utf8");
  }

  /** The file's text, or undefined when it cannot be read (missing, permission, …). */
  async tryReadText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
    try {
      return await this.readText(hostPath, maxBytes);
    } catch {
      return undefined;
    }
  }

  /** Entry names, sorted. */
  async readDir(hostPath: string): Promise<string[]> {
    const dir = await this.open(hostPath);
    const names = await readdir(dir);
    return names.sort();
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
    this.touch(hostPath);
    if (this.root === undefined) return readlink(this.local(hostPath));
    const parent = await this.realPath(posix.dirname(posix.normalize(`/${hostPath}`)));
    const link = posix.join(parent, posix.basename(hostPath));
    this.touch(link);
    return readlink(this.root + link);
  }

  async exists(hostPath: string): Promise<boolean> {
    try {
      await stat(await this.open(hostPath));
      return true;
    } catch {
      return false;
    }
  }

  async isDir(hostPath: string): Promise<boolean> {
    try {
      return (await stat(await this.open(hostPath))).isDirectory();
    } catch {
      return false;
    }
  }

  private touch(hostPath: string): void {
    this.trace?.add(posix.normalize(`/${hostPath}`));
  }
}

function unprefix(real: string, prefix: string): string {
  return real.startsWith(prefix) ? `/${real.slice(prefix.length)}` : real;
}

/** `--host-root` wins over `KOMPAT_HOST_ROOT`; `--host-prefix` excludes both. */
export function hostRootFromOptions(
  flags: { hostRoot?: string; hostPrefix?: string },
  env: Record<string, string | undefined>,
  trace?: Set<string>,
): HostRoot {
  const root =
    flags.hostRoot ?? (flags.hostPrefix === undefined ? env.KOMPAT_HOST_ROOT : undefined);
  return new HostRoot({
    ...(root ? { root } : {}),
    ...(flags.hostPrefix !== undefined ? { prefix: flags.hostPrefix } : {}),
    ...(trace ? { trace } : {}),
  });
}
