// Small file-system helpers shared by the layout store and the cache: atomic writes and
// confinement of every path to the directory it belongs to.

import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { mkdir, realpath, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
export { errnoCode } from "../lib/fserror.js";

/** A path that resolves (through links) outside the directory it must stay in. */
export class OutsideError extends Error {
  override name = "OutsideError";
  constructor(
    readonly path: string,
    readonly real: string,
    readonly root: string,
  ) {
    super(`${path} leads to ${real}, outside ${root}`);
  }
}

function contains(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

/**
 * The real path of `path`, which must be inside `root` once every link is followed
 * (`root` itself may be a link: the user named it). Errno errors (ENOENT…) propagate.
 */
/** realPathInside, synchronously, for the cache's small files (see cache.ts). */
export function realPathInsideSync(root: string, path: string, knownRealRoot?: string): string {
  // .native: one realpath(3) call, where the JS version lstats every component.
  const realRoot = knownRealRoot ?? realpathSync.native(root);
  const real = realpathSync.native(path);
  if (!contains(realRoot, real)) throw new OutsideError(relative(root, path) || ".", real, root);
  return real;
}

export async function realPathInside(
  root: string,
  path: string,
  /** `root`'s real path when the caller already resolved it. */
  knownRealRoot?: Promise<string>,
): Promise<string> {
  const [realRoot, real] = await Promise.all([knownRealRoot ?? realpath(root), realpath(path)]);
  if (!contains(realRoot, real)) throw new OutsideError(relative(root, path) || ".", real, root);
  return real;
}

/**
 * Writes via a temporary file and rename, so readers never see half a file. With
 * `within`, the file's directory must resolve inside it (a planted `blobs/sha256 -> /etc`
 * is refused); the rename replaces a link at the name itself rather than writing through it.
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array | string,
  within?: string,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (within !== undefined) await realPathInside(within, dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    // wx: never through a link or over a file someone placed at the temporary name.
    await writeFile(tmp, bytes, { flag: "wx" });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * writeFileAtomic for a folder already known to be the right one (`realFolder`, resolved
 * and checked by the caller): a temporary file opened exclusively (never through a link),
 * then renamed. Synchronous, for the cache's small entries (see cache.ts).
 */
export function writeFileInFolderSync(
  realFolder: string,
  name: string,
  bytes: Uint8Array | string,
): void {
  const path = join(realFolder, name);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  // Whatever stands at the temporary name already is not ours: the open fails, nothing is removed.
  const fd = openSync(tmp, flags, 0o644);
  try {
    try {
      const data = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
      for (let at = 0; at < data.byteLength;) at += writeSync(fd, data, at);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
