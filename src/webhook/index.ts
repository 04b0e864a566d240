// The admission webhook: pods get the node affinity their images' specs need.
export { SingleFlightCache, type CacheEntry, type Lookup } from "./cache.js";
export {
  SpecSource,
  RegistryNotAllowed,
  type SpecSourceOptions,
  type ImageAnswer,
} from "./specs.js";
export {
  mutate,
  parseReview,
  ReviewError,
  OPT_IN,
  OPT_OUT,
  TAGS_ANNOTATION,
  type AdmissionRequest,
  type AdmissionResponse,
  type MutateDeps,
  type Outcome,
} from "./mutate.js";
export { startWebhook, type WebhookOptions, type RunningWebhook } from "./server.js";
export { webhookManifests, type ManifestOptions } from "./manifests.js";
export { Metrics } from "./metrics.js";
