// The rule engine's public API: evaluate a spec against a node's features, check a spec,
// load a spec from text with every diagnostic located.

import type { Features } from "../features/nodefeatures.js";
import type { Spec } from "../spec/model.js";
import { compileSpec, TermPool, type CompiledSpec } from "./compile.js";
import { SharedTerms } from "./evaluation.js";
import type { EvaluateOptions, Report } from "./report.js";
import type { Verdict } from "./verdict.js";

export { compileSpec, type CompiledSpec } from "./compile.js";
export type { Verdict } from "./verdict.js";
export { checkSpec } from "./check.js";
export { loadSpec } from "./load.js";
export { parseVersion, compareVersions, nfdVersionProblem, type Version } from "./version.js";
export { compileRegexp } from "./regexp.js";
export type * from "./report.js";
export { HOST_VALUES_CAP } from "./report.js";

// Callers evaluating one spec against many nodes pass the same object: compile it once.
// (A spec mutated after its first evaluation must be recompiled with compileSpec.)
const compiled = new WeakMap<Spec, CompiledSpec>();

function compiledOf(spec: Spec): CompiledSpec {
  let c = compiled.get(spec);
  if (c === undefined) {
    c = compileSpec(spec);
    compiled.set(spec, c);
  }
  return c;
}

/** Evaluates `spec` against one node's features. Never throws on host data. */
export function evaluate(spec: Spec, features: Features, opts?: EvaluateOptions): Report {
  return compiledOf(spec).evaluate(features, opts);
}

/** Whether `spec` fits one node, and which sets match, without a report. Never throws on host data. */
export function verdict(spec: Spec, features: Features, opts?: EvaluateOptions): Verdict {
  return compiledOf(spec).verdict(features, opts);
}

/**
 * Many specs against the same few hosts (an audit: images × node groups). The specs'
 * identical terms are compiled once and evaluated once per host; the answers are
 * evaluate's and verdict's, budget included. A host is known by its object: pass the same
 * one each time.
 */
export class SpecBatch {
  private readonly pool = new TermPool();
  private readonly specs = new WeakMap<Spec, CompiledSpec>();
  private readonly hosts = new WeakMap<Features, SharedTerms>();

  private compiled(spec: Spec): CompiledSpec {
    let c = this.specs.get(spec);
    if (c === undefined) this.specs.set(spec, (c = compileSpec(spec, this.pool)));
    return c;
  }

  private host(features: Features): SharedTerms {
    let h = this.hosts.get(features);
    if (h === undefined) this.hosts.set(features, (h = new SharedTerms()));
    return h;
  }

  evaluate(spec: Spec, features: Features, opts?: EvaluateOptions): Report {
    return this.compiled(spec).evaluate(features, opts, this.host(features));
  }

  verdict(spec: Spec, features: Features, opts?: EvaluateOptions): Verdict {
    return this.compiled(spec).verdict(features, opts, this.host(features));
  }
}
