// Server-side apply of kompat's NodeFeatureRule, field manager "kompat": a new spec for the
// same image replaces the rules kompat owns in place.

import { ClusterError } from "./errors.js";
import type { Cluster } from "./client.js";
import { NFD_GROUP, NFD_VERSION } from "./nodefeatures.js";
import type { NodeFeatureRule } from "./rule.js";

export const FIELD_MANAGER = "kompat";

export async function applyNodeFeatureRule(
  cluster: Cluster,
  rule: NodeFeatureRule,
): Promise<unknown> {
  const name = rule.metadata.name;
  const q = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: "true" });
  const got = await cluster.request(
    `/apis/${NFD_GROUP}/${NFD_VERSION}/nodefeaturerules/${encodeURIComponent(name)}?${q}`,
    { verb: "patch", resource: `nodefeaturerules.${NFD_GROUP}`, scope: ` ("${name}")` },
    {
      method: "PATCH",
      body: JSON.stringify(rule),
      contentType: "application/apply-patch+yaml",
      allow: [404],
    },
  );
  if (got.status === 404)
    throw new ClusterError(
      `patch nodefeaturerules.${NFD_GROUP}: the NodeFeatureRule API (${NFD_GROUP}/${NFD_VERSION}) is not installed on ${cluster.where}; install Node Feature Discovery first`,
      404,
    );
  return JSON.parse(got.body) as unknown;
}
