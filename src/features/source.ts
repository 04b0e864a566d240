// One discovery source (one NFD source: cpu, kernel, memory, …). Each lives in its own file
// and returns the features it found; discover.ts runs them and merges the results.

import type { Features } from "./nodefeatures.js";
import type { HostRoot } from "./hostroot.js";
import type { SourceName } from "../spec/catalogue.js";

export interface SourceContext {
  host: HostRoot;
  /** OCI-style architecture of the host: `amd64`, `arm64`, `ppc64le`, `s390x`, … */
  arch: string;
  env: Record<string, string | undefined>;
  /** A problem worth telling with `-v`: a file that could not be read or parsed. */
  warn(message: string): void;
  /**
   * Whether a feature (`kernel.config`) is asked for. validate-node asks only for the
   * features its spec names, so a source skips the files the others need.
   */
  wants(feature: string): boolean;
}

export interface FeatureSource {
  /** The source's entry in NFD's catalogue (spec/catalogue.ts): what it provides. */
  readonly name: SourceName;
  discover(ctx: SourceContext): Promise<Features>;
}
