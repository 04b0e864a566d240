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
