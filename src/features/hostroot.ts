// Where discovery reads the host's files. Every source goes through a HostRoot, so one
// flag (`--host-root`, `--host-prefix`) points all of them at another tree, symlinks inside
// that tree resolve inside it, and capture-host can record exactly what was read.

import { lstat, readdir, readlink, stat, realpath } from "node:fs/promises";
import { constants, type Stats } from "node:fs";
import { posix } from "node:path";
import { compareStrings } from "../lib/go/strings.js";
import { resolveInTree, type TreeNode } from "./treepath.js";
import { HostFileError, Limiter, maxOpenFiles, readCapped, readDirNoFollow } from "./hostio.js";

export { HostFileError } from "./hostio.js";

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

export const DEFAULT_MAX_BYTES = 1 << 20;
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

/** What the views of one host share: resolved nodes and the bound on open files. */
interface Shared {
  /** Nodes under `root`: resolving many sysfs paths repeats the same components. */
  nodes: Map<string, Promise<TreeNode | undefined>>;
  limiter: Limiter;
}

/**
 * Every read of a host file goes through here. Under --host-root a path resolves inside the
 * tree (treepath.ts) and the file is then opened without following a link the resolver did
 * not check, so no read leaves the tree: not a link out, not a device, not `..`.
 */
export class HostRoot {
  readonly root: string | undefined;
  readonly prefix: string | undefined;
  readonly trace: HostTrace | undefined;
  /**
   * Files of this view that exist and could not be read (not the absent ones): discovery
   * turns them into an error of the source that read them, never a smaller feature set.
   */
  readonly failures: HostFileError[] = [];
  private readonly shared: Shared;

  constructor(opts: HostRootOptions = {}, shared?: Shared) {
    if (opts.root !== undefined && opts.prefix !== undefined) {
      throw new Error("--host-root and --host-prefix cannot be used together");
    }
    this.root = opts.root === undefined || opts.root === "/" ? undefined : posix.resolve(opts.root);
    this.prefix = opts.prefix === "" ? undefined : opts.prefix;
    this.trace = opts.trace;
    this.shared = shared ?? { nodes: new Map(), limiter: new Limiter(maxOpenFiles()) };
  }

  /** The same host for one source: caches and the open-file bound shared, failures its own. */
  forSource(): HostRoot {
    return new HostRoot(
      {
        ...(this.root !== undefined ? { root: this.root } : {}),
        ...(this.prefix !== undefined ? { prefix: this.prefix } : {}),
        ...(this.trace !== undefined ? { trace: this.trace } : {}),
      },
      this.shared,
    );
  }

  /** A description for messages: `/`, `--host-root /mnt/node`, `--host-prefix /host-`. */
  describe(): string {
    if (this.root !== undefined) return `host root ${this.root}`;
    if (this.prefix !== undefined) return `host prefix ${this.prefix}`;
    return "/";
  }

  /** Forget cached link resolution (the tree may have changed since the last discovery). */
  resetCache(): void {
    this.shared.nodes.clear();
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
    return (await this.resolve(hostPath)).path;
  }

  /** Resolved inside the tree (root set); a missing component is ENOENT. */
  private async resolve(hostPath: string): Promise<{ path: string; node: TreeNode }> {
    const found = await resolveInTree(normal(hostPath), { node: (c) => this.node(c) });
    if (found.node === undefined) throw new HostFileError(this.local(hostPath), "ENOENT");
    return { path: found.path, node: found.node };
  }

  private node(canonical: string): Promise<TreeNode | undefined> {
    let p = this.shared.nodes.get(canonical);
    if (p === undefined) {
      const file = (this.root as string) + canonical;
      p = lstat(file).then(
        async (st): Promise<TreeNode> => {
          if (st.isSymbolicLink()) return { type: "link", target: await readlink(file) };
          if (st.isDirectory()) return { type: "dir" };
          return { type: st.isFile() ? "file" : "other" };
        },
        (e: NodeJS.ErrnoException) => {
          if (e.code === "ENOENT" || e.code === "ENOTDIR") return undefined;
          throw HostFileError.from(file, e);
        },
      );
      this.shared.nodes.set(canonical, p);
    }
    return p;
  }

  /**
   * The file to open on this machine for a host path (links resolved in the tree). Under a
   * root, open it with O_NOFOLLOW: the resolver checked every link up to it.
   */
  async open(hostPath: string): Promise<string> {
    if (this.root === undefined) return this.local(hostPath);
    return this.root + (await this.realPath(hostPath));
  }

  /**
   * Runs one access; a failure becomes a HostFileError naming the path on this machine,
   * and one that is not an absence is recorded against this view's source.
   */
  private async attempt<T>(hostPath: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = HostFileError.from(this.local(hostPath), e);
      if (!err.absent && !this.failures.includes(err)) this.failures.push(err);
      throw err;
    }
  }

  async readBytes(
    hostPath: string,
    maxBytes = DEFAULT_MAX_BYTES,
    opts: { attribute?: boolean } = {},
  ): Promise<Buffer> {
    const entry = this.touch(hostPath);
    const data = await this.attempt(hostPath, async () => {
      let file = this.local(hostPath);
      if (this.root !== undefined) {
        const { path, node } = await this.resolve(hostPath);
        file = this.root + path;
        if (node.type === "dir") throw new HostFileError(file, "EISDIR");
        if (node.type !== "file") throw new HostFileError(file, "ENOTREG");
      }
      // O_NONBLOCK: a FIFO planted in a tree cannot block. Under a root every link is
      // already resolved: O_NOFOLLOW refuses one swapped in since.
      const flags =
        constants.O_RDONLY |
        constants.O_NONBLOCK |
        constants.O_NOCTTY |
        (this.root === undefined ? 0 : constants.O_NOFOLLOW);
      return this.shared.limiter.run(() =>
        readCapped(file, {
          flags,
          maxBytes,
          shortReadEnds: opts.attribute === true,
          // The live host's files are the kernel's; a prefix is a mount anyone may fill.
          regularOnly: this.prefix !== undefined,
        }),
      );
    });
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

  /** The attribute, or undefined when absent (a file that exists and fails still throws). */
  async tryReadAttribute(hostPath: string): Promise<string | undefined> {
    return absentAsUndefined(this.readAttribute(hostPath));
  }

  /** The file's text, or undefined when it is absent. */
  async tryReadText(hostPath: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string | undefined> {
    return absentAsUndefined(this.readText(hostPath, maxBytes));
  }

  /** Entry names, sorted by bytes like Go's os.ReadDir. */
  async readDir(hostPath: string): Promise<string[]> {
    return (await this.readDirEntries(hostPath)).map((e) => e.name);
  }

  /** Entries with their own type (a symlink is not followed), sorted by name. */
  async readDirEntries(hostPath: string): Promise<DirEntry[]> {
    const entry = this.touch(hostPath);
    if (entry) entry.list = true;
    const dirents = await this.attempt(hostPath, async () => {
      if (this.root === undefined)
        return this.shared.limiter.run(() =>
          readdir(this.local(hostPath), { withFileTypes: true }),
        );
      const { path, node } = await this.resolve(hostPath);
      const dir = this.root + path;
      if (node.type !== "dir") throw new HostFileError(dir, "ENOTDIR");
      return this.shared.limiter.run(() => readDirNoFollow(dir));
    });
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
    return absentAsUndefined(this.readDir(hostPath));
  }

  /** The raw target of a symlink (NFD takes basenames of some, e.g. iommu_group). */
  async readLink(hostPath: string): Promise<string> {
    const entry = this.touch(hostPath);
    if (entry) entry.link = true;
    return this.attempt(hostPath, async () => {
      if (this.root === undefined) return readlink(this.local(hostPath));
      const parent = await this.resolve(posix.dirname(normal(hostPath)));
      if (parent.node.type !== "dir") throw new HostFileError(this.local(hostPath), "ENOTDIR");
      return readlink(this.root + posix.join(parent.path, posix.basename(hostPath)));
    });
  }

  /** Like os.Stat: follows links (inside the tree); throws with the errno code. */
  async stat(hostPath: string): Promise<Stats> {
    const entry = this.touch(hostPath);
    if (entry) entry.stat = true;
    return this.attempt(hostPath, async () => {
      if (this.root === undefined) return stat(this.local(hostPath));
      // The resolved path holds no link: lstat cannot be led out of the tree.
      return lstat(this.root + (await this.resolve(hostPath)).path);
    });
  }

  /** Whether something is there; a path that cannot be checked (EACCES, …) throws. */
  async exists(hostPath: string): Promise<boolean> {
    return (await absentAsUndefined(this.stat(hostPath))) !== undefined;
  }

  async isDir(hostPath: string): Promise<boolean> {
    return (await absentAsUndefined(this.stat(hostPath)))?.isDirectory() === true;
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

async function absentAsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof HostFileError && e.absent) return undefined;
    throw e;
  }
}

function normal(hostPath: string): string {
  return posix.normalize(hostPath.startsWith("/") ? hostPath : `/${hostPath}`);
}

function unprefix(real: string, prefix: string): string {
  return real.startsWith(prefix) ? `/${real.slice(prefix.length)}` : real;
}
