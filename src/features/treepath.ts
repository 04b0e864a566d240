// The one resolver of paths inside a host tree. HostRoot (every read under --host-root) and
// capture-host (which recreates the links it meets) both walk paths through it, so what a
// capture copies is exactly what a read of the copy resolves to.
//
// A path is resolved a component at a time, as the kernel would, but with the tree as `/`:
// an absolute link target starts again at the tree's root and `..` stops there. Nothing it
// returns can lie outside the tree.

/** What is at one canonical path of the tree, its links not followed. */
export type TreeNode =
  | { type: "link"; target: string }
  | { type: "dir" }
  | { type: "file" }
  /** A FIFO, socket or device node. */
  | { type: "other" };

/** Linux's own limit on links followed in one lookup (MAXSYMLINKS). */
export const MAX_LINKS = 40;

export class TooManyLinksError extends Error {
  readonly code = "ELOOP";
  constructor(hostPath: string) {
    super(`${hostPath}: too many levels of symbolic links`);
    this.name = "TooManyLinksError";
  }
}

export interface TreeWalk {
  /**
   * The node at a canonical path (every component before it a real directory), or
   * undefined when nothing is there. May throw: the walk then throws that error.
   */
  node(canonical: string): Promise<TreeNode | undefined>;
  /** Told of each component met on the way, before it is followed (capture recreates it). */
  visit?(canonical: string, node: TreeNode): Promise<void>;
}

export interface Resolved {
  /** The canonical path; where the walk stopped when `node` is undefined. */
  path: string;
  /** What is there; undefined when a component is missing. */
  node: TreeNode | undefined;
}

/** Resolves `hostPath` inside the tree; throws TooManyLinksError past MAX_LINKS links. */
export async function resolveInTree(hostPath: string, tree: TreeWalk): Promise<Resolved> {
  const parts = hostPath.split("/").filter(Boolean);
  let resolved: string[] = [];
  let links = 0;
  let node: TreeNode | undefined = { type: "dir" };
  while (parts.length > 0) {
    const part = parts.shift() as string;
    if (part === ".") continue;
    if (part === "..") {
      resolved.pop();
      node = { type: "dir" };
      continue;
    }
    const candidate = `/${[...resolved, part].join("/")}`;
    node = await tree.node(candidate);
    if (node === undefined) return { path: candidate, node };
    if (tree.visit) await tree.visit(candidate, node);
    if (node.type === "link") {
      if (++links > MAX_LINKS) throw new TooManyLinksError(hostPath);
      if (node.target.startsWith("/")) resolved = [];
      parts.unshift(...node.target.split("/").filter(Boolean));
      // A link to `/` (or to `..` at the top) is the tree's root directory.
      node = { type: "dir" };
      continue;
    }
    resolved.push(part);
  }
  return { path: `/${resolved.join("/")}`, node };
}
