// Telling the scheduler: the nodeAffinity that selects the labels kompat's NodeFeatureRule
// sets, and that affinity merged into the pod templates of workload manifests.

import { isMap, parseAllDocuments, type Document } from "yaml";
import type { Spec } from "../spec/model.js";
import { LABEL_VALUE } from "./labels.js";

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{
    weight: number;
    preference: NodeSelectorTerm;
  }>;
}

// Copies made by hand: structuredClone cost the webhook a sixth of its CPU per admission.
const copyRequirement = (r: NodeSelectorRequirement): NodeSelectorRequirement =>
  r.values ? { ...r, values: [...r.values] } : { ...r };
const copyTerm = (t: NodeSelectorTerm): NodeSelectorTerm => {
  const out: NodeSelectorTerm = { ...t };
  if (t.matchExpressions) out.matchExpressions = t.matchExpressions.map(copyRequirement);
  if (t.matchFields) out.matchFields = t.matchFields.map(copyRequirement);
  return out;
};

/**
 * Required: the node carries the label of at least one of the sets (one term per set: the
 * terms are ORed). Preferred: one term per set with the set's weight (Kubernetes wants
 * 1..100: a set without a weight counts 1).
 */
export function affinityFor(spec: Spec, labels: Map<number, string>): NodeAffinity {
  const terms: NodeSelectorTerm[] = [];
  const preferred: Array<{ weight: number; preference: NodeSelectorTerm }> = [];
  for (const [n, key] of [...labels].sort((a, b) => a[0] - b[0])) {
    const term = { matchExpressions: [{ key, operator: "In", values: [LABEL_VALUE] }] };
    terms.push(term);
    const w = spec.compatibilities[n - 1]?.weight ?? 0;
    preferred.push({ weight: Math.min(100, Math.max(1, w)), preference: copyTerm(term) });
  }
  return {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
    preferredDuringSchedulingIgnoredDuringExecution: preferred,
  };
}

/** Where each kind keeps its pod spec. */
const POD_SPEC: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export class ManifestError extends Error {}

/**
 * `required` ANDed into an existing node affinity: every existing term (ORed with the
 * others) gains each of ours in turn; terms this affinity set before (the same label keys)
 * are replaced, so applying it twice changes nothing.
 */
export function mergeNodeAffinity(
  existing: NodeAffinity | undefined,
  ours: NodeAffinity,
): NodeAffinity {
  const keys = new Set(
    (ours.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).flatMap((t) =>
      (t.matchExpressions ?? []).map((e) => e.key),
    ),
  );
  const strip = (t: NodeSelectorTerm): NodeSelectorTerm => {
    const out: NodeSelectorTerm = { ...t };
    if (t.matchExpressions)
      out.matchExpressions = t.matchExpressions.filter((e) => !keys.has(e.key));
    if (out.matchExpressions?.length === 0) delete out.matchExpressions;
    return out;
  };
  const oldTerms = (
    existing?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
  ).map(strip);
  const unique = new Map<string, NodeSelectorTerm>();
  for (const t of oldTerms)
    if (t.matchExpressions || t.matchFields) unique.set(JSON.stringify(t), t);
  const newTerms = ours.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const required: NodeSelectorTerm[] = [];
  if (unique.size === 0) required.push(...newTerms.map(copyTerm));
  for (const old of unique.values()) {
    for (const t of newTerms) {
      const merged = copyTerm(old);
      merged.matchExpressions = [
        ...(merged.matchExpressions ?? []),
        ...(t.matchExpressions ?? []).map(copyRequirement),
      ];
      required.push(merged);
    }
  }
  const preferred = (existing?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter(
    (p) => !(p.preference?.matchExpressions ?? []).some((e) => keys.has(e.key)),
  );
  preferred.push(
    ...(ours.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({
      ...p,
      preference: copyTerm(p.preference),
    })),
  );
  const out: NodeAffinity = { ...(existing ?? {}) };
  out.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: required };
  if (preferred.length > 0) out.preferredDuringSchedulingIgnoredDuringExecution = preferred;
  return out;
}

export interface WithAffinityResult {
  text: string;
  /** `Kind/name` of every object whose pod template got the affinity. */
  patched: string[];
}

/**
 * The manifests of `text` (multi-document YAML or JSON) with `affinity` merged into every
 * pod template; other objects, comments and order are kept as the YAML library allows.
 */
export function withAffinity(
  text: string,
  affinity: NodeAffinity,
  file = "<manifests>",
): WithAffinityResult {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) throw new ManifestError(`${file}: not YAML`);
  const patched: string[] = [];
  docs.forEach((doc, i) => {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new ManifestError(
        `${file}${pos ? `:${pos.line}:${pos.col}` : ""}: ${err.message.split("\n")[0]}`,
      );
    }
    if (!isMap(doc.contents)) return;
    const kind = doc.get("kind");
    const path = typeof kind === "string" ? POD_SPEC[kind] : undefined;
    if (!path) return;
    const podSpec = doc.getIn(path);
    if (!isMap(podSpec))
      throw new ManifestError(
        `${file}: document ${i + 1} (${kind}) has no ${path.join(".")} to put the affinity in`,
      );
    patchDoc(doc, [...path, "affinity", "nodeAffinity"], affinity);
    const name = doc.getIn(["metadata", "name"]);
    patched.push(`${kind}/${typeof name === "string" ? name : "?"}`);
  });
  const out = docs.map((d, i) => {
    const s = d.toString({ lineWidth: 0 });
    return i > 0 && !s.startsWith("---") ? `---\n${s}` : s;
  });
  return { text: out.join(""), patched };
}

function patchDoc(doc: Document.Parsed, path: string[], ours: NodeAffinity): void {
  const cur = doc.getIn(path);
  const existing =
    cur === undefined
      ? undefined
      : ((doc.getIn(path, true) as { toJSON(): unknown }).toJSON() as NodeAffinity);
  doc.setIn(path, doc.createNode(mergeNodeAffinity(existing, ours)));
}
