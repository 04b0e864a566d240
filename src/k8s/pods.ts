// The images a cluster runs: every container and init container of the selected Pods,
// paged. The digest actually running (status.*ContainerStatuses[].imageID) is preferred over
// the tag of the Pod's spec, so that a moved tag does not hide what runs.

import { InvalidReferenceError, parseReference } from "../oci/reference.js";
import type { Cluster } from "./client.js";
import { listPages, type ListOptions } from "./nodefeatures.js";

export interface PodSelection extends ListOptions {
  /** `-n`: this namespace only; otherwise every namespace (an audit is of the cluster). */
  namespace?: string | undefined;
  /** `-l`: a label selector on Pods. */
  selector?: string | undefined;
}

export interface PodImages {
  /** Image references, deduplicated, in the order first met. */
  images: string[];
  /** References no client could pull (`ns/pod: why`), left out of `images`. */
  skipped: string[];
  pods: number;
}

interface Container {
  name?: unknown;
  image?: unknown;
}
interface ContainerStatus {
  name?: unknown;
  imageID?: unknown;
}
interface Pod {
  metadata?: { name?: unknown; namespace?: unknown };
  spec?: { containers?: unknown; initContainers?: unknown };
  status?: { containerStatuses?: unknown; initContainerStatuses?: unknown };
}

const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** Every image of the selected Pods' containers and init containers (not ephemeral ones). */
export async function listPodImages(cluster: Cluster, sel: PodSelection = {}): Promise<PodImages> {
  const path =
    sel.namespace !== undefined
      ? `/api/v1/namespaces/${encodeURIComponent(sel.namespace)}/pods`
      : "/api/v1/pods";
  const scope =
    sel.namespace !== undefined ? ` in namespace "${sel.namespace}"` : " in all namespaces";
  const q: Record<string, string> = sel.selector ? { labelSelector: sel.selector } : {};
  const seen = new Set<string>();
  const skipped = new Set<string>();
  const pods = new Set<string>();
  const action = { verb: "list", resource: "pods", scope };
  for await (const page of listPages(cluster, path, q, action, sel)) {
    for (const pod of page.items as Pod[]) {
      const where = `${String(pod.metadata?.namespace ?? "")}/${String(pod.metadata?.name ?? "")}`;
      pods.add(where);
      for (const [spec, statuses] of [
        [pod.spec?.initContainers, pod.status?.initContainerStatuses],
        [pod.spec?.containers, pod.status?.containerStatuses],
      ] as const) {
        const ids = new Map<unknown, unknown>();
        for (const s of list<ContainerStatus>(statuses)) ids.set(s.name, s.imageID);
        for (const c of list<Container>(spec)) {
          if (typeof c.image !== "string") continue;
          const id = ids.get(c.name);
          const got = runningImage(c.image, typeof id === "string" ? id : "");
          if (got.ref !== undefined) seen.add(got.ref);
          else skipped.add(`${where}: ${got.problem}`);
        }
      }
    }
  }
  return { images: [...seen], skipped: [...skipped], pods: pods.size };
}

/**
 * The reference of what a container runs: `image` (the Pod's spec) pinned to the digest of
 * `imageID` when that names a repository digest. imageID forms seen from runtimes:
 * `docker-pullable://repo@sha256:…` (dockershim, cri-dockerd), `repo@sha256:…` (containerd,
 * CRI-O), `docker://sha256:…` or a bare `sha256:…` (an image ID, the config's digest: not a
 * manifest, so the tag is kept), "" (not started yet).
 */
export function runningImage(
  image: string,
  imageID: string,
): { ref: string; problem?: undefined } | { ref?: undefined; problem: string } {
  let spec;
  try {
    spec = parseReference(image);
  } catch (e) {
    if (e instanceof InvalidReferenceError) return { problem: e.message };
    throw e;
  }
  const id = imageID.replace(/^[a-z-]+:\/\//, "");
  const at = id.lastIndexOf("@");
  if (at <= 0 || spec.kind !== "registry") return { ref: image };
  let running;
  try {
    running = parseReference(id);
  } catch {
    return { ref: image }; // not a reference kompat can read: the Pod's own is the best guess
  }
  if (running.kind !== "registry" || running.digest === undefined) return { ref: image };
  // The same repository: keep the tag as written (it says what the image is), add the digest.
  if (running.registry === spec.registry && running.repository === spec.repository) {
    const base = spec.digest !== undefined ? image.slice(0, image.lastIndexOf("@")) : image;
    return { ref: `${base}@${running.digest}` };
  }
  // Pulled from elsewhere (a mirror, another name for it): what runs is that digest.
  return { ref: id };
}
