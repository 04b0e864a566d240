// kompat's library entry point.
export * from "./spec/model.js";
export type { Diagnostic, SpecPath } from "./spec/diagnostic.js";
export { formatDiagnostic, formatPath, hasErrors } from "./spec/diagnostic.js";
export { parseSpec, type ParsedSpec } from "./spec/index.js";
export { loadSpec, evaluate, verdict, checkSpec, compileSpec } from "./rules/index.js";
export type * from "./rules/report.js";
export type * from "./features/nodefeatures.js";
export { emptyFeatures } from "./features/nodefeatures.js";
export { parseSnapshots, SnapshotError, type NodeSnapshot } from "./features/snapshot.js";
export { HostRoot, type HostRootOptions } from "./features/hostroot.js";
export {
  auditImages,
  auditFits,
  cellReport,
  type Audit,
  type AuditCell,
  type AuditImage,
  type AuditOptions,
  type CellState,
  type FailedSet,
  type NodeGroup,
  type SetSummary,
} from "./fleet/audit.js";
export { selectImage, type Candidate, type Selection, type SelectOptions } from "./fleet/select.js";
export * from "./k8s/index.js";
// The registry and validate-node use cases (the CLI runs exactly these).
export {
  attachSpec,
  copyImage,
  fetchCompatSpec,
  findCompatArtifacts,
  resolveImage,
  type ArtifactSpec,
  type AttachedSpec,
  type AttachSpecOptions,
  type ClientOptions,
  type CompatArtifacts,
  type CompatSpecOptions,
  type CopiedImage,
  type CopyImageOptions,
  type FindArtifactsOptions,
  type FoundArtifacts,
  type ImageSpec,
  type ReadSpec,
  type ResolvedImage,
} from "./oci/usecases.js";
export { RegistryError, NotFoundError } from "./oci/errors.js";
export { RegistrySession } from "./oci/session.js";
export {
  checkTags,
  nodeReports,
  nodeVerdicts,
  snapshotsPlatform,
  ValidateInputError,
  type NodeVerdict,
  type ValidateOptions,
} from "./compat/validate.js";
export { summariseSpec, type SpecSummary } from "./compat/summary.js";
