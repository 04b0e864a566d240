// The work one spec may cost on one node. A spec is untrusted: without a bound, 1,000 rules
// whose templates each run near the per-template step limit take seconds per node, minutes
// at the spec size limit. Every evaluation of a spec against a node gets one budget; template
// steps and regexp work are charged to it, and once it is spent every rule that needs more
// such work fails, with BUDGET_REASON. Rules that need none still evaluate normally.

import type { StepBudget } from "../lib/gotemplate/index.js";

/**
 * Steps per spec and node. A template step is one node, command, loop iteration or unit of
 * function work (about 40 ns); a regexp test costs (value length + 1) × (pattern length + 1)
 * per pattern. Real specs use well under 1% of it.
 */
export const EVALUATION_BUDGET = 10_000_000;

export const BUDGET_REASON =
  `evaluation budget spent: this spec needs more than ${EVALUATION_BUDGET.toLocaleString("en-US")} ` +
  "steps of template and regexp work on this node";

export class EvaluationBudget implements StepBudget {
  remaining: number;

  constructor(steps = EVALUATION_BUDGET) {
    this.remaining = steps;
  }

  get spent(): boolean {
    return this.remaining < 0;
  }

  /** Charges `steps`; false once the budget is spent. */
  charge(steps: number): boolean {
    this.remaining -= steps;
    return this.remaining >= 0;
  }
}
