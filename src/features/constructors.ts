// Small constructors for feature sets, always with null-prototype maps (keys are host data).

import {
  newMap,
  type AttributeElements,
  type AttributeFeature,
  type FlagFeature,
  type InstanceFeature,
} from "./nodefeatures.js";
import { brief, HostFileError } from "./hostio.js";
import type { HostRoot } from "./hostroot.js";
import { fsReason } from "../lib/fserror.js";

export function flagFeature(names: Iterable<string>): FlagFeature {
  const elements = newMap<Record<string, never>>();
  for (const n of names) elements[n] = {};
  return { elements };
}

export function attributeFeature(values?: Iterable<[string, string]>): AttributeFeature {
  const elements = newMap<string>();
  if (values) for (const [k, v] of values) elements[k] = v;
  return { elements };
}

export function instanceFeature(list: AttributeElements[]): InstanceFeature {
  return { elements: list.map((attributes) => ({ attributes })) };
}

/** Attributes of one instance, starting with `name` as NFD's sources do. */
export function attributes(first?: [string, string]): AttributeElements {
  const a = newMap<string>();
  if (first) a[first[0]] = first[1];
  return a;
}

/** Why a host file operation failed, in words (the path named where it was looked for). */
export function reason(e: unknown): string {
  return e instanceof HostFileError ? e.why : fsReason(e);
}

/**
 * `cannot read <path>: <why>`, naming the path where it was looked for on this machine
 * (`/host-sys/…` under --host-prefix, the tree's under --host-root), long data shortened.
 */
export function cannotRead(
  host: Pick<HostRoot, "local">,
  hostPath: string,
  e: unknown,
  verb = "read",
): string {
  if (e instanceof HostFileError) return `cannot ${verb} ${brief(e.path, 160)}: ${e.why}`;
  return `cannot ${verb} ${brief(host.local(hostPath), 160)}: ${reason(e)}`;
}

/**
 * The entries of a directory a source walks, or undefined after telling `-v` why it could
 * not be listed (NFD aborts the whole run there; kompat leaves that feature empty).
 */
export async function listOrWarn(
  ctx: { host: Pick<HostRoot, "readDir" | "local">; warn(m: string): void },
  dir: string,
  what: string,
): Promise<string[] | undefined> {
  try {
    return await ctx.host.readDir(dir);
  } catch (e) {
    ctx.warn(`${what}: ${cannotRead(ctx.host, dir, e, "list")}`);
    return undefined;
  }
}
