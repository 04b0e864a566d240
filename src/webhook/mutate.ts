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

interface Derived {
  /** Names this rule and affinity in the patch cache's keys. */
  id: number;
  rule: NodeFeatureRule;
  affinity: NodeAffinity;
  sets: number;
}

/** Rule and affinity per cached answer and tag choice: an admission rebuilds neither. */
const derived = new WeakMap<object, Map<string, Derived>>();
let derivedIds = 0;

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
  const out = {
    id: ++derivedIds,
    rule: got.rule,
    affinity: affinityFor(a.spec, got.labels),
    sets: got.labels.size,
  };
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

export interface AppliedRule {
  specDigest: string;
  done: Promise<void>;
}

/** Rules remembered as applied; past this the oldest is forgotten (and re-applied if seen). */
const MAX_APPLIED = 4096;

/** Applies `rule` once per spec digest; a failed apply is forgotten so the next one retries. */
function ensureRule(deps: MutateDeps, rule: NodeFeatureRule, specDigest: string): Promise<void> {
  const applied = deps.applied;
  if (!applied) return deps.applyRule(rule);
  const name = rule.metadata.name;
  const have = applied.get(name);
  if (have?.specDigest === specDigest) return have.done;
  const entry: AppliedRule = { specDigest, done: deps.applyRule(rule) };
  applied.delete(name);
  applied.set(name, entry);
  if (applied.size > MAX_APPLIED) applied.delete(applied.keys().next().value ?? name);
  entry.done.catch(() => {
    if (applied.get(name) === entry) applied.delete(name);
  });
  return entry.done;
}

export type Outcome = "patched" | "unchanged" | "skipped" | "degraded" | "denied";

export interface MutateDeps {
  specs: SpecSource;
  /** Server-side applies the rule (the API server's errors reject). */
  applyRule: (rule: NodeFeatureRule) => Promise<void>;
  deadlineMs: number;
  failClosed: boolean;
  /**
   * Rules applied or being applied: name → spec digest and the apply, so a known rule is
   * not re-applied per admission and concurrent admissions of a new image share one apply.
   */
  applied?: Map<string, AppliedRule>;
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

/**
 * Base64 patches by what they are made of: the images' derived affinities (in order) and
 * the pod's own affinity. The replicas of one workload all get the same patch, so merging,
 * serialising and encoding happen once per workload, not per admission. Bounded: least
 * recently used first out, and a pod whose own affinity is long is not remembered.
 */
const patches = new Map<string, string>();
const MAX_PATCHES = 512;
const MAX_KEY_CHARS = 4096;

function patchFor(pod: PodLike, ours: Derived[]): string | undefined {
  const own = pod.spec?.affinity;
  const ownText =
    own === undefined
      ? "-"
      : own.nodeAffinity === undefined
        ? "0"
        : JSON.stringify(own.nodeAffinity);
  const key = `${ours.map((d) => d.id).join(",")}|${ownText}`;
  const have = patches.get(key);
  if (have !== undefined) {
    patches.delete(key);
    patches.set(key, have);
    return have;
  }
  let affinity = own?.nodeAffinity;
  for (const d of ours) affinity = mergeNodeAffinity(affinity, d.affinity);
  if (!affinity) return undefined;
  const patch = Buffer.from(JSON.stringify(affinityPatch(pod, affinity))).toString("base64");
  if (key.length <= MAX_KEY_CHARS) {
    patches.set(key, patch);
    if (patches.size > MAX_PATCHES) patches.delete(patches.keys().next().value ?? key);
  }
  return patch;
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
    const work = (async (): Promise<Derived | undefined> => {
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
      await ensureRule(deps, d.rule, a.source.specDigest);
      return d;
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
    return { image, derived: r.v };
  });
  const results = await Promise.all(perImage);
  const ours: Derived[] = [];
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
    if ("derived" in r && r.derived) ours.push(r.derived);
  }
  const response: AdmissionResponse = { ...base };
  if (warnings.length) response.warnings = warnings;
  const patch = ours.length > 0 ? patchFor(pod, ours) : undefined;
  if (patch !== undefined) {
    response.patchType = "JSONPatch";
    response.patch = patch;
  }
  const outcome: Outcome = degraded ? "degraded" : patch !== undefined ? "patched" : "unchanged";
  return { response, outcome, images: images.size };
}
