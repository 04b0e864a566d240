// kompat's cluster side: cluster input (NodeFeature objects), Kubernetes output
// (NodeFeatureRule, nodeAffinity, Jobs).
export { ClusterError } from "./errors.js";
export { Cluster, type ClusterOptions } from "./client.js";
export { loadKubeconfig, type KubeconfigOptions, type LoadedConfig } from "./kubeconfig.js";
export {
  listNodeFeatures,
  listNodeNames,
  mergeInto,
  NODE_NAME_LABEL,
  DEFAULT_NFD_NAMESPACE,
  type NodeFeatures,
  type ListNodeFeaturesOptions,
  type NodeSelection,
} from "./nodefeatures.js";
export { validateCluster, type NodeResult, type ValidateClusterOptions } from "./validate.js";
export {
  nodeFeatureRuleFor,
  nodeFeatureRuleName,
  RuleRewriteError,
  type NodeFeatureRule,
  type NodeFeatureRuleResult,
  type RuleSource,
} from "./rule.js";
export { LABEL_NS, setLabel, imageId, labelKeyProblem, nfdAllowsLabel } from "./labels.js";
export {
  affinityFor,
  mergeNodeAffinity,
  withAffinity,
  ManifestError,
  type NodeAffinity,
} from "./affinity.js";
export { validationJobFor, jobName, HOST_MOUNTS, type ValidationJobOptions } from "./job.js";
export { listPodImages, runningImage, type PodImages, type PodSelection } from "./pods.js";
export { clusterNodes, type ClusterNodesOptions } from "./cluster-nodes.js";
