// The best image for a node: each candidate's spec evaluated against the node's features;
// the candidate whose best matching set weighs most wins, ties to the earlier candidate.
// A multi-platform candidate counts once per index entry of the node's platform, each
// pinned by its own digest, with the entry's own spec or else the index's.

import type { Features } from "../features/nodefeatures.js";
import { resolveImage } from "../oci/usecases.js";
import { RegistryError } from "../oci/errors.js";
import { formatPlatform, matchPlatform, type Platform } from "../oci/platform.js";
import { evaluate, verdict } from "../rules/index.js";
import { specFeatures } from "../spec/features.js";
import { failures, setSummary, type FailedSet, type SetSummary } from "./audit.js";
import {
  imageSpec,
  mapBounded,
  withSession,
  type ImageSpecResult,
  type SpecFetchOptions,
} from "./image-spec.js";

export interface SelectOptions {
  /** Candidate references, in order of preference on a tie. */
  images: readonly string[];
  /** The node's features, or how to get them once the specs say which features matter. */
  node: Features | ((featureNames: Set<string>) => Promise<Features>);
  /** The node's platform: which entries of a multi-platform image are candidates. */
  platform: Platform;
  /** A candidate without a spec fits with weight 0. */
  allowUnspecified?: boolean;
  fetch: SpecFetchOptions;
  concurrency?: number;
}

export type CandidateState = "compatible" | "incompatible" | "no-spec" | "error";

export interface Candidate {
  /** The reference as given. */
  ref: string;
  /** `registry/repo@sha256:…` of the manifest this candidate is; null when unresolved. */
  pinned: string | null;
  /** The index entry's platform, for a multi-platform image. */
  platform?: string;
  state: CandidateState;
  /** Whether it may be selected (compatible, or no spec with allowUnspecified). */
  fits: boolean;
  /** The weight it competes with; null when it does not fit. */
  weight: number | null;
  bestSet: SetSummary | null;
  failed: FailedSet[];
  /** Where the spec came from, when there is one. */
  subject?: string;
  artifact?: string;
  /** No spec, or the error. */
  reason?: string;
}

export interface Selection {
  /** Index into `candidates` of the winner; null when none fits. */
  selected: number | null;
  candidates: Candidate[];
}

interface Option {
  ref: string;
  pinned: string | null;
  platform?: string;
  spec: ImageSpecResult | { state: "no-platform"; reason: string };
}

/** The candidates one reference stands for on a node of `platform`. */
async function optionsOf(
  ref: string,
  platform: Platform,
  fetch: SpecFetchOptions,
): Promise<Option[]> {
  let base: string;
  let digest: string;
  let entries: Array<{ digest: string; platform: string }> | undefined;
  try {
    const got = await resolveImage(ref, fetch);
    base = got.base;
    digest = got.descriptor.digest;
    if (got.manifest.kind === "index") {
      entries = got.manifest.index.manifests
        .filter((m) => matchPlatform(platform, m.platform))
        .map((m) => ({
          digest: m.digest,
          platform: formatPlatform({
            os: m.platform?.os ?? "",
            architecture: m.platform?.architecture ?? "",
            ...(m.platform?.variant ? { variant: m.platform.variant } : {}),
          }),
        }));
    }
  } catch (e) {
    if (e instanceof RegistryError)
      return [{ ref, pinned: null, spec: { state: "error", reason: e.message } }];
    throw e;
  }
  const { platform: _ignored, ...plain } = fetch;
  const indexRef = `${base}@${digest}`;
  if (entries === undefined)
    return [{ ref, pinned: indexRef, spec: await imageSpec(indexRef, plain) }];
  if (entries.length === 0) {
    const reason = `${ref} has no manifest for ${formatPlatform(platform)}`;
    return [{ ref, pinned: null, spec: { state: "no-platform", reason } }];
  }
  let ofIndex: Promise<ImageSpecResult> | undefined;
  const indexSpec = async (): Promise<ImageSpecResult> => {
    const s = await imageSpec(indexRef, plain);
    // The OCI layer falls back to this machine's entry when the index has no artifact:
    // that is another entry's spec, not the index's.
    if (s.state === "spec" && s.subject !== indexRef)
      return { state: "no-spec", reason: `no compatibility artifact is attached to ${indexRef}` };
    return s;
  };
  return mapBounded(entries, 4, async (e) => {
    const pinned = `${base}@${e.digest}`;
    let spec = await imageSpec(pinned, plain);
    if (spec.state === "no-spec") {
      const own = spec.reason;
      spec = await (ofIndex ??= indexSpec());
      if (spec.state === "no-spec") spec = { state: "no-spec", reason: own };
    }
    return { ref, pinned, platform: e.platform, spec };
  });
}

export async function selectImage(opts: SelectOptions): Promise<Selection> {
  const limit = Math.max(1, opts.concurrency ?? 8);
  const options = (
    await withSession(opts.fetch, (fetch) =>
      mapBounded(opts.images, limit, (ref) => optionsOf(ref, opts.platform, fetch)),
    )
  ).flat();
  const names = new Set<string>();
  for (const o of options)
    if (o.spec.state === "spec") for (const f of specFeatures(o.spec.spec)) names.add(f);
  const features = typeof opts.node === "function" ? await opts.node(names) : opts.node;
  const candidates = options.map((o) => judge(o, features, opts.allowUnspecified === true));
  let selected: number | null = null;
  candidates.forEach((c, i) => {
    if (!c.fits || c.weight === null) return;
    const best = selected === null ? undefined : candidates[selected];
    // Strictly heavier only: a tie goes to the earlier candidate.
    if (best === undefined || c.weight > (best.weight ?? 0)) selected = i;
  });
  return { selected, candidates };
}

function judge(o: Option, features: Features, allowUnspecified: boolean): Candidate {
  const base = {
    ref: o.ref,
    pinned: o.pinned,
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
  };
  const s = o.spec;
  if (s.state === "no-platform") {
    const no = { fits: false, weight: null, bestSet: null, failed: [] };
    return { ...base, state: "incompatible", ...no, reason: s.reason };
  }
  if (s.state !== "spec") {
    const fits = s.state === "no-spec" && allowUnspecified && o.pinned !== null;
    return {
      ...base,
      state: s.state,
      fits,
      weight: fits ? 0 : null,
      bestSet: null,
      failed: [],
      reason: s.reason,
    };
  }
  const where = { subject: s.subject, artifact: s.artifact };
  const v = verdict(s.spec, features);
  if (v.best !== null) {
    const bestSet = setSummary(s.spec, v.evaluated[v.best] as number);
    return {
      ...base,
      ...where,
      state: "compatible",
      fits: true,
      weight: bestSet.weight,
      bestSet,
      failed: [],
    };
  }
  const failed = failures(s.spec, evaluate(s.spec, features));
  return {
    ...base,
    ...where,
    state: "incompatible",
    fits: false,
    weight: null,
    bestSet: null,
    failed,
  };
}
