// One admission: the Pod's images → their specs → NodeFeatureRules ensured → the pod's node
// affinity ANDed with what each image needs, as a JSON Patch. Whatever the registry or the
// API server does, an answer leaves within the deadline.

import { affinityFor, mergeNodeAffinity, type NodeAffinity } from "../k8s/affinity.js";
import { nodeFeatureRuleFor, RuleRewriteError, type NodeFeatureRule } from "../k8s/rule.js";
import { LABEL_NS } from "../k8s/labels.js";
import type { Spec } from "../spec/model.js";
import type { RuleSource } from "../k8s/rule.js";
import { RegistryNotAllowed, type SpecSource } from "./specs.js";

/**
 * `enabled` on a namespace label or a pod label opts in (the webhook configuration's
 * selectors); `disabled` as a pod label or annotation opts the pod out.
 */
export const OPT_IN = `${LABEL_NS}/webhook`;
export const OPT_OUT = OPT_IN;
/** Pod annotation: only the compatibility sets with these tags (comma-separated). */
export const TAGS_ANNOTATION = `${LABEL_NS}/tags`;

export class ReviewError extends Error {}

/** Rule and affinity per cached answer and tag choice: an admission rebuilds neither. */
const derived = new WeakMap<
  object,
  Map<string, { rule: NodeFeatureRule; affinity: NodeAffinity; sets: number }>
>();

function deriveFor(a: { spec: Spec; source: RuleSource }, tags: string[] | undefined) {
  const key = tags?.join(",") ?? "";
  let byTags = derived.get(a);
  if (!byTags) derived.set(a, (byTags = new Map()));
  const have = byTags.get(key);
  if (have) return have;
  let got;
  try {
    got = nodeFeatureRuleFor(a.spec, a.source, { tags });
  } catch (e) {
    if (e instanceof RuleRewriteError)
      throw new Error(`cannot express the spec as a NodeFeatureRule: ${e.message}`, { cause: e });
    throw e;
  }
  const out = { rule: got.rule, affinity: affinityFor(a.spec, got.labels), sets: got.labels.size };
  byTags.set(key, out);
  return out;
}

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  operation?: string;
  namespace?: string;
  object?: unknown;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: "JSONPatch";
  patch?: string;
  warnings?: string[];
  status?: { code: number; message: string };
}

export type Outcome = "patched" | "unchanged" | "skipped" | "degraded" | "denied";

export interface MutateDeps {
  specs: SpecSource;
  /** Server-side applies the rule (the API server's errors reject). */
  applyRule: (rule: NodeFeatureRule) => Promise<void>;
  deadlineMs: number;
  failClosed: boolean;
  /** Applied rules: name → spec digest, so a known rule is not re-applied per admission. */
  applied?: Map<string, string>;
}

interface Container {
  name?: unknown;
  image?: unknown;
}
interface PodLike {
  metadata?: { annotations?: Record<string, unknown>; labels?: Record<string, unknown> };
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    affinity?: { nodeAffinity?: NodeAffinity };
  };
}

/** The request of an AdmissionReview v1, or a ReviewError saying what is wrong with it. */
export function parseReview(body: unknown): AdmissionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ReviewError("the body is not a JSON object");
  const r = body as Record<string, unknown>;
  if (r.apiVersion !== "admission.k8s.io/v1" || r.kind !== "AdmissionReview")
    throw new ReviewError(
      `expected apiVersion admission.k8s.io/v1, kind AdmissionReview (got ${String(r.apiVersion).slice(0, 60)}, ${String(r.kind).slice(0, 60)})`,
    );
  const req = r.request;
  if (typeof req !== "object" || req === null) throw new ReviewError("request: missing");
  const q = req as Record<string, unknown>;
  if (typeof q.uid !== "string" || q.uid === "") throw new ReviewError("request.uid: missing");
  return q as unknown as AdmissionRequest;
}

const isTrue = (v: unknown) => v === "enabled";
const isFalse = (v: unknown) => v === "disabled";

function deadline<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<"timeout">((ok) => {
    timer = setTimeout(() => ok("timeout"), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

/** The JSON Pointer of the pod's node affinity, and the patch that sets it. */
function affinityPatch(pod: PodLike, affinity: NodeAffinity): unknown[] {
  if (pod.spec?.affinity === undefined)
    return [{ op: "add", path: "/spec/affinity", value: { nodeAffinity: affinity } }];
  const op = pod.spec.affinity.nodeAffinity === undefined ? "add" : "replace";
  return [{ op, path: "/spec/affinity/nodeAffinity", value: affinity }];
}

export interface MutateResult {
  response: AdmissionResponse;
  outcome: Outcome;
  images: number;
}

/**
 * `namespaceOptedIn`: the namespace carries the opt-in label (the webhook configuration's
 * namespaceSelector already filters; a pod annotation alone is enough otherwise).
 */
export async function mutate(
  req: AdmissionRequest,
  deps: MutateDeps,
  namespaceOptedIn = true,
): Promise<MutateResult> {
  const base = { uid: req.uid, allowed: true };
  if (req.operation !== undefined && req.operation !== "CREATE")
    return { response: base, outcome: "skipped", images: 0 };
  if (req.kind?.kind !== undefined && req.kind.kind !== "Pod")
    return { response: base, outcome: "skipped", images: 0 };
  const pod = req.object as PodLike | undefined;
  if (typeof pod !== "object" || pod === null || typeof pod.spec !== "object")
    throw new ReviewError("request.object: not a Pod (no spec)");
  const ann = pod.metadata?.annotations ?? {};
  const lab = pod.metadata?.labels ?? {};
  if (isFalse(ann[OPT_OUT]) || isFalse(lab[OPT_IN]))
    return { response: base, outcome: "skipped", images: 0 };
  if (!namespaceOptedIn && !isTrue(ann[OPT_IN]) && !isTrue(lab[OPT_IN]))
    return { response: base, outcome: "skipped", images: 0 };
  const tagsText = ann[TAGS_ANNOTATION];
  const tags =
    typeof tagsText === "string"
      ? tagsText
          .split(",")
          .map((t) => t.trim())
          .filter((t) => t !== "")
      : undefined;

  const images = new Set<string>();
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])])
    if (typeof c?.image === "string" && c.image !== "") images.add(c.image);

  const warnings: string[] = [];
  let degraded = false;
  const started = Date.now();
  const perImage = [...images].map(async (image) => {
    const left = deps.deadlineMs - (Date.now() - started);
    const work = (async (): Promise<NodeAffinity | undefined> => {
      const got = await deps.specs.lookup(image);
      if (got.kind === "stale")
        warnings.push(`kompat: ${image}: registry unreachable (${got.reason}); cached spec used`);
      const a = got.value;
      if (a.kind === "none") return undefined;
      if (a.kind === "invalid") throw new Error(a.reason);
      const d = deriveFor(a, tags);
      if (d.sets === 0)
        throw new Error(
          `--tags ${tags?.join(",") ?? ""} (annotation) selects no compatibility set`,
        );
      const name = d.rule.metadata.name;
      if (deps.applied?.get(name) !== a.source.specDigest) {
        await deps.applyRule(d.rule);
        deps.applied?.set(name, a.source.specDigest);
      }
      return d.affinity;
    })();
    const r = await deadline(
      work.then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
      Math.max(0, left),
    );
    if (r === "timeout")
      return { image, problem: `no answer within the ${deps.deadlineMs}ms deadline` };
    if (!r.ok) {
      if (r.e instanceof RegistryNotAllowed) return { image, skip: msg(r.e) };
      return { image, problem: msg(r.e) };
    }
    return { image, affinity: r.v };
  });
  const results = await Promise.all(perImage);
  let affinity = pod.spec.affinity?.nodeAffinity;
  let changed = false;
  for (const r of results) {
    if ("skip" in r) continue;
    if ("problem" in r && r.problem !== undefined) {
      degraded = true;
      if (deps.failClosed)
        return {
          response: {
            uid: req.uid,
            allowed: false,
            status: { code: 403, message: `kompat: ${r.image}: ${r.problem} (--fail-closed)` },
          },
          outcome: "denied",
          images: images.size,
        };
      warnings.push(`kompat: ${r.image}: ${r.problem}; admitted without its node affinity`);
      continue;
    }
    if ("affinity" in r && r.affinity) {
      affinity = mergeNodeAffinity(affinity, r.affinity);
      changed = true;
    }
  }
  const response: AdmissionResponse = { ...base };
  if (warnings.length) response.warnings = warnings;
  if (changed && affinity) {
    response.patchType = "JSONPatch";
    response.patch = Buffer.from(JSON.stringify(affinityPatch(pod, affinity))).toString("base64");
  }
  const outcome: Outcome = degraded ? "degraded" : changed ? "patched" : "unchanged";
  return { response, outcome, images: images.size };
}
