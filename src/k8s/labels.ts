// The label scheme kompat's NodeFeatureRules use, checked against nfd-master's default
// label-namespace policy and Kubernetes' label syntax.
//
//   kompat.feature.node.kubernetes.io/<id>-set<N>: "true"
//
// <id>: the first 12 hex digits of the image's subject digest (of the spec's sha256 for a
// --spec file); N: the set's number in the spec, from 1 as in the reports. One label per
// compatibility set, on exactly the nodes where that set matches.

/** A third-party sub-namespace of feature.node.kubernetes.io, which nfd-master allows. */
export const LABEL_NS = "kompat.feature.node.kubernetes.io";
export const LABEL_VALUE = "true";

/** `sha256:abc…` → the 12 hex digits that name an image in labels. */
export function imageId(digest: string): string {
  const hex = digest.replace(/^sha256:/, "");
  if (!/^[0-9a-f]{12,}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
  return hex.slice(0, 12);
}

export function setLabel(id: string, set: number): string {
  return `${LABEL_NS}/${id}-set${set + 1}`;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why a label key is not valid Kubernetes label syntax, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : "";
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (name.length === 0 || name.length > 63) return `name "${name}" must be 1 to 63 characters`;
  if (!NAME.test(name))
    return `name "${name}" must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  if (slash >= 0) {
    if (prefix.length > 253) return "prefix longer than 253 characters";
    if (!prefix.split(".").every((l) => l.length <= 63 && DNS_LABEL.test(l)))
      return `prefix "${prefix}" is not a DNS subdomain`;
  }
  return undefined;
}

/**
 * Whether nfd-master's default policy lets a rule set this label: kubernetes.io and
 * k8s.io (and their sub-domains) are denied, except feature.node.kubernetes.io,
 * profile.node.kubernetes.io and their sub-namespaces; other namespaces are allowed.
 */
export function nfdAllowsLabel(key: string): boolean {
  const slash = key.lastIndexOf("/");
  // Without a namespace nfd-master prefixes feature.node.kubernetes.io/.
  if (slash < 0) return true;
  const ns = key.slice(0, slash);
  const under = (d: string) => ns === d || ns.endsWith(`.${d}`);
  if (under("feature.node.kubernetes.io") || under("profile.node.kubernetes.io")) return true;
  return !(under("kubernetes.io") || under("k8s.io"));
}
