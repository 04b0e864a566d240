// Prometheus text exposition of what the webhook did: admissions by outcome, registry
// fetches, cache hits, admission latency as a histogram.

import type { Outcome } from "./mutate.js";
import type { SpecSource } from "./specs.js";

const BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly admissions = new Map<Outcome | "bad_request", number>();
  private readonly counts = BUCKETS_S.map(() => 0);
  private sum = 0;
  private total = 0;

  admitted(outcome: Outcome | "bad_request", seconds: number): void {
    this.admissions.set(outcome, (this.admissions.get(outcome) ?? 0) + 1);
    BUCKETS_S.forEach((b, i) => {
      if (seconds <= b) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
    this.sum += seconds;
    this.total++;
  }

  render(specs: SpecSource): string {
    const out: string[] = [
      "# HELP kompat_webhook_admissions_total Admission reviews answered, by outcome.",
      "# TYPE kompat_webhook_admissions_total counter",
    ];
    for (const o of ["patched", "unchanged", "skipped", "degraded", "denied", "bad_request"])
      out.push(
        `kompat_webhook_admissions_total{outcome="${o}"} ${this.admissions.get(o as Outcome) ?? 0}`,
      );
    const c = specs.cache;
    out.push(
      "# HELP kompat_webhook_registry_fetches_total Spec fetches sent to registries.",
      "# TYPE kompat_webhook_registry_fetches_total counter",
      `kompat_webhook_registry_fetches_total ${specs.fetches}`,
      "# HELP kompat_webhook_registry_fetch_errors_total Spec fetches that failed (not counting 'no artifact').",
      "# TYPE kompat_webhook_registry_fetch_errors_total counter",
      `kompat_webhook_registry_fetch_errors_total ${specs.fetchErrors}`,
      "# HELP kompat_webhook_cache_hits_total Image lookups answered fresh from memory.",
      "# TYPE kompat_webhook_cache_hits_total counter",
      `kompat_webhook_cache_hits_total ${c.hits}`,
      "# HELP kompat_webhook_cache_misses_total Image lookups that needed the registry.",
      "# TYPE kompat_webhook_cache_misses_total counter",
      `kompat_webhook_cache_misses_total ${c.misses}`,
      "# HELP kompat_webhook_cache_stale_total Lookups answered from a stale entry (registry failing).",
      "# TYPE kompat_webhook_cache_stale_total counter",
      `kompat_webhook_cache_stale_total ${c.staleServed}`,
      "# HELP kompat_webhook_cache_entries Images in memory.",
      "# TYPE kompat_webhook_cache_entries gauge",
      `kompat_webhook_cache_entries ${c.size}`,
      "# HELP kompat_webhook_admission_duration_seconds Time to answer an admission review.",
      "# TYPE kompat_webhook_admission_duration_seconds histogram",
    );
    BUCKETS_S.forEach((b, i) =>
      out.push(`kompat_webhook_admission_duration_seconds_bucket{le="${b}"} ${this.counts[i]}`),
    );
    out.push(
      `kompat_webhook_admission_duration_seconds_bucket{le="+Inf"} ${this.total}`,
      `kompat_webhook_admission_duration_seconds_sum ${this.sum}`,
      `kompat_webhook_admission_duration_seconds_count ${this.total}`,
    );
    return `${out.join("\n")}\n`;
  }
}
