// capture-host: run discovery with a tracing HostRoot, then copy exactly what it touched
// into a directory that works as a --host-root: files with the bytes discovery read (sysfs
// attributes become regular files), symlinks as symlinks (and their targets), listed
// directories with their entries' names and types. Links are resolved the way HostRoot
// resolves them under a root, so nothing outside the host tree is ever read or written.

import {
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  rmdir,
  symlink,
  unlink,
  writeFile,
} from "node:fs/promises";
import { constants, type Stats } from "node:fs";
import { isAbsolute, join, posix, relative, resolve } from "node:path";
import { HostRoot, type HostTrace, type TraceEntry } from "./hostroot.js";
import { discover, resolveSources, type DiscoveryProblem } from "./discover.js";
import type { Features } from "./nodefeatures.js";
import { compareStrings } from "../lib/go/strings.js";
import { readDirNoFollow } from "./hostio.js";
import { resolveInTree, TooManyLinksError, type TreeNode } from "./treepath.js";

const MAX_STAT_COPY = 1 << 20;
/** Marks a directory that must exist but holds nothing discovery read. */
export const KEEP = ".kompat-keep";
/**
 * Marks a capture's root: `--force` writes only into an empty directory or one holding
 * this, so it never replaces what a user keeps there.
 */
export const CAPTURE_MARKER = ".kompat-capture";
const MARKER_TEXT = "Written by kompat capture-host: --force may overwrite this directory.\n";

export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaptureError";
  }
}

export interface CaptureOptions {
  /** Where the host's files are: a tree (`root`), NFD's container layout, or `/`. */
  root?: string;
  prefix?: string;
  /** The directory to write; must be empty or absent unless `force`. */
  dest: string;
  force?: boolean;
  sources?: string[];
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface CaptureSummary {
  files: number;
  links: number;
  dirs: number;
  bytes: number;
}

export interface CaptureResult {
  summary: CaptureSummary;
  /** What discovery found while tracing (the capture reproduces it). */
  features: Features;
  problems: DiscoveryProblem[];
}

export async function captureHost(opts: CaptureOptions): Promise<CaptureResult> {
  const dest = resolve(opts.dest);
  resolveSources(opts.sources); // a bad name fails before anything is written
  await prepareDest(dest, opts);
  const trace: HostTrace = new Map();
  const host = new HostRoot({
    ...(opts.root !== undefined ? { root: opts.root } : {}),
    ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
    trace,
  });
  const { features, problems } = await discover({
    host,
    env: opts.env,
    ...(opts.sources ? { sources: opts.sources } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  // Lets discovery on the copy tell the architecture even where the live run used
  // this process's (see arch.ts).
  await host.tryReadText("/proc/sys/kernel/arch", 256);
  // Whatever the sources, the copy is a host tree: --host-root requires a proc or sys.
  await Promise.all(["/proc", "/sys"].map((d) => host.exists(d).catch(() => false)));
  const summary = await new Copier(host, dest).copyAll(trace);
  return { summary, features, problems };
}

async function prepareDest(dest: string, opts: CaptureOptions): Promise<void> {
  const root = opts.root === undefined ? "/" : resolve(opts.root);
  const rel = relative(dest, root);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
    throw new CaptureError(`${opts.dest}: would overwrite the host tree it captures (${root})`);
  }
  let st: Stats | undefined;
  try {
    st = await lstat(dest);
  } catch {
    // Absent: created below.
  }
  if (st && !st.isDirectory())
    throw new CaptureError(`${opts.dest}: exists and is not a directory`);
  const entries = st ? await readdir(dest) : [];
  if (entries.length > 0 && !opts.force) {
    throw new CaptureError(`${opts.dest}: directory is not empty (use --force to write into it)`);
  }
  if (entries.length > 0 && !(await isMarker(join(dest, CAPTURE_MARKER)))) {
    throw new CaptureError(
      `${opts.dest}: not empty and not a capture (no ${CAPTURE_MARKER} in it): --force ` +
        "overwrites only an earlier capture; choose an empty or new directory",
    );
  }
  await mkdir(dest, { recursive: true });
  // First, so that an interrupted capture can be redone with --force.
  await writeFile(join(dest, CAPTURE_MARKER), MARKER_TEXT, { flag: "w" });
}

async function isMarker(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

type Kind = TreeNode;

class Copier {
  private readonly kinds = new Map<string, Promise<Kind | undefined>>();
  private readonly madeDirs = new Set<string>();
  private readonly files = new Map<string, number>();
  private readonly listed = new Set<string>();
  private links = 0;

  constructor(
    private readonly host: HostRoot,
    private readonly dest: string,
  ) {}

  async copyAll(trace: HostTrace): Promise<CaptureSummary> {
    const paths = [...trace.keys()].sort(compareStrings);
    // Sequential: the order keeps link and directory creation simple; it is fast enough.
    for (const p of paths) await this.copy(p, trace.get(p) as TraceEntry);
    await this.keepEmptyDirs();
    let bytes = 0;
    for (const n of this.files.values()) bytes += n;
    return { files: this.files.size, links: this.links, dirs: this.madeDirs.size, bytes };
  }

  private async copy(hostPath: string, entry: TraceEntry): Promise<void> {
    const found = await this.walk(hostPath);
    if (found.kind === undefined) return;
    const type = found.kind.type;
    if (entry.read !== undefined && type !== "dir" && type !== "link") {
      // The bytes discovery saw, so the copy reproduces that very run.
      await this.writeFile(found.path, entry.read);
    } else if (type === "dir") {
      await this.dir(found.path);
      if (entry.list) await this.entries(found.path);
    } else if (entry.stat && !this.files.has(found.path)) {
      const data = type === "file" ? await this.readSource(found.path) : Buffer.alloc(0);
      await this.writeFile(found.path, data);
    }
  }

  /**
   * git drops empty directories, and a directory only tested for existence (e.g.
   * /sys/devices/virtual/misc/kvm) must survive a commit of the capture: give each such
   * one a hidden marker. Listed directories stay as they were (their entries matter).
   */
  private async keepEmptyDirs(): Promise<void> {
    for (const d of this.madeDirs) {
      if (this.listed.has(d)) continue;
      const out = this.out(d);
      if ((await readdir(out)).length === 0) await this.writeFile(`${d}/${KEEP}`, Buffer.alloc(0));
    }
  }

  /** Source type of a canonical host path (links not followed), cached. */
  private kind(hostPath: string): Promise<Kind | undefined> {
    let k = this.kinds.get(hostPath);
    if (k === undefined) {
      const local = this.host.local(hostPath);
      k = lstat(local).then(
        async (st): Promise<Kind> => {
          if (st.isSymbolicLink()) return { type: "link", target: await readlink(local) };
          if (st.isDirectory()) return { type: "dir" };
          return { type: st.isFile() ? "file" : "other" };
        },
        () => undefined,
      );
      this.kinds.set(hostPath, k);
    }
    return k;
  }

  /**
   * Resolves a host path the way HostRoot does (treepath.ts), recreating the directories
   * and symlinks met on the way. Returns the canonical path and its kind (undefined when
   * missing, or when the links loop).
   */
  private async walk(hostPath: string): Promise<{ path: string; kind: Kind | undefined }> {
    try {
      const found = await resolveInTree(hostPath, {
        node: (c) => this.kind(c),
        visit: async (c, node) => {
          if (node.type === "link") await this.link(c, node.target);
          else if (node.type === "dir") await this.dir(c);
        },
      });
      return { path: found.path, kind: found.node };
    } catch (e) {
      if (e instanceof TooManyLinksError) return { path: hostPath, kind: undefined };
      throw e;
    }
  }

  /** Recreates the entries of a listed directory: links as links, dirs, empty files. */
  private async entries(dirPath: string): Promise<void> {
    this.listed.add(dirPath);
    let names: string[];
    try {
      // Not through a link swapped in since walk() saw a directory here.
      names = (await readDirNoFollow(this.host.local(dirPath))).map((d) => d.name);
    } catch {
      return;
    }
    for (const name of names) {
      const child = posix.join(dirPath, name);
      const kind = await this.kind(child);
      if (kind === undefined || this.files.has(child) || (await this.destExists(child))) continue;
      if (kind.type === "link") await this.link(child, kind.target);
      else if (kind.type === "dir") await this.dir(child);
      // Only the name and type were looked at: an empty placeholder keeps the listing.
      else await this.writeFile(child, Buffer.alloc(0));
    }
  }

  private async readSource(hostPath: string): Promise<Buffer> {
    try {
      const flags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;
      const fh = await open(this.host.local(hostPath), flags);
      try {
        const buf = Buffer.alloc(MAX_STAT_COPY);
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch {
      return Buffer.alloc(0);
    }
  }

  private out(hostPath: string): string {
    return hostPath === "/" ? this.dest : this.dest + hostPath;
  }

  private async destExists(hostPath: string): Promise<boolean> {
    try {
      await lstat(this.out(hostPath));
      return true;
    } catch {
      return false;
    }
  }

  /** A real directory at every component (a stray link or file left by --force is replaced). */
  private async dir(hostPath: string): Promise<void> {
    if (hostPath === "/" || this.madeDirs.has(hostPath)) return;
    await this.dir(posix.dirname(hostPath));
    const out = this.out(hostPath);
    let st: Stats | undefined;
    try {
      st = await lstat(out);
    } catch {
      // Absent.
    }
    if (st && !st.isDirectory()) await unlink(out);
    if (!st || !st.isDirectory()) await mkdir(out, { mode: 0o755 });
    this.madeDirs.add(hostPath);
  }

  private async link(hostPath: string, target: string): Promise<void> {
    await this.dir(posix.dirname(hostPath));
    const out = this.out(hostPath);
    try {
      const st = await lstat(out);
      if (st.isSymbolicLink() && (await readlink(out)) === target) return;
      await this.replace(hostPath, st, "symlink");
    } catch (e) {
      if (e instanceof CaptureError) throw e;
      // Absent.
    }
    await symlink(target, out);
    this.links++;
  }

  /**
   * Makes room for a link or file where an earlier capture left something else. A link or
   * file goes; a directory only when empty (or holding just a KEEP marker): one with files
   * in it is refused, as they may be a user's, never removed recursively.
   */
  private async replace(hostPath: string, st: Stats, needed: string): Promise<void> {
    const out = this.out(hostPath);
    if (!st.isDirectory()) return unlink(out);
    const inside = await readdir(out);
    if (inside.some((n) => n !== KEEP)) {
      throw new CaptureError(
        `${out}: a directory with files in it, where the capture needs a ${needed}; ` +
          "not removed (move it away, or capture into an empty directory)",
      );
    }
    if (inside.length > 0) await unlink(join(out, KEEP));
    await rmdir(out);
  }

  private async writeFile(hostPath: string, data: Buffer): Promise<void> {
    await this.dir(posix.dirname(hostPath));
    const out = this.out(hostPath);
    try {
      const st = await lstat(out);
      if (!st.isFile()) await this.replace(hostPath, st, "file");
    } catch (e) {
      if (e instanceof CaptureError) throw e;
      // Absent.
    }
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
    const fh = await open(out, flags, 0o644);
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
    this.files.set(hostPath, data.length);
  }
}
