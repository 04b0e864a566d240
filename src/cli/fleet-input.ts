// Inputs of the fleet commands (audit, select): image lists and node snapshots read from
// files, with validate-node's limits and messages.

import { statSync } from "node:fs";
import { resolve } from "node:path";
import {
  MAX_SNAPSHOT_BYTES,
  parseSnapshots,
  SnapshotError,
  type NodeSnapshot,
} from "../features/snapshot.js";
import { parseImageList, ImageListError } from "../fleet/image-list.js";
import { readInput } from "./flags.js";
import { UserError, type Io } from "./io.js";

export const MAX_IMAGE_LIST_BYTES = 4 << 20;

/** Every node of a features file (`-` for stdin); a file with no node is an error. */
export async function readNodes(path: string, io: Io): Promise<NodeSnapshot[]> {
  const { text, name } = await readInput(path, io, "features", MAX_SNAPSHOT_BYTES);
  let nodes: NodeSnapshot[];
  try {
    nodes = parseSnapshots(text, name);
  } catch (e) {
    if (e instanceof SnapshotError) throw new UserError(`invalid features: ${e.message}`);
    throw e;
  }
  // Zero nodes would pass vacuously: exit 0 for a fleet nobody checked.
  if (nodes.length === 0) throw new UserError(`invalid features: ${name} holds no node`);
  return nodes;
}

/** The node called `name`, or a message listing a few of the file's nodes. */
export function pickNode(nodes: NodeSnapshot[], name: string, file: string): NodeSnapshot {
  const hit = nodes.find((n) => n.name === name);
  if (hit !== undefined) return hit;
  const names = nodes.slice(0, 20).map((n) => n.name);
  throw new UserError(`--node ${name}: no such node in ${file} (nodes: ${names.join(", ")})`);
}

/**
 * `--images` values: a file of references (one a line, `#` comments; `-` for stdin) when
 * the value names an existing file, else a reference. References are checked here, so a
 * typo is reported with its place before anything is fetched.
 */
export async function readImageRefs(
  values: readonly string[],
  io: Io,
  flag = "--images",
  files = true,
): Promise<string[]> {
  const out: string[] = [];
  for (const v of values) {
    let isFile = files && v === "-";
    if (files && !isFile && !v.startsWith("oci-layout:")) {
      try {
        isFile = statSync(resolve(io.cwd, v)).isFile();
      } catch {
        isFile = false;
      }
    }
    try {
      if (!isFile) {
        out.push(...parseImageList(v, flag, true));
        continue;
      }
      const path = v === "-" ? v : resolve(io.cwd, v);
      const { text, name } = await readInput(path, io, "image list", MAX_IMAGE_LIST_BYTES);
      const refs = parseImageList(text, v === "-" ? name : v);
      if (refs.length === 0) throw new UserError(`${flag} ${v}: the file lists no image`);
      out.push(...refs);
    } catch (e) {
      if (e instanceof ImageListError) throw new UserError(e.message);
      throw e;
    }
  }
  return out;
}
