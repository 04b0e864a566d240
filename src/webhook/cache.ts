// The webhook's memory of images: a bounded LRU of answers with an age, one registry fetch
// shared by every admission asking for the same image, and stale answers kept for when the
// registry is down (an outage must not unschedule workloads that were fine a minute ago).

export interface CacheEntry<V> {
  value: V;
  /** Date.now() when fetched. */
  at: number;
  /** How long the answer stays fresh (Infinity: never fetched again). */
  ttlMs: number;
}

export type Lookup<V> =
  | { kind: "fresh"; value: V }
  | { kind: "stale"; value: V; reason: string }
  | { kind: "fetched"; value: V };

export class SingleFlightCache<V> {
  private readonly entries = new Map<string, CacheEntry<V>>();
  private readonly flights = new Map<string, Promise<CacheEntry<V>>>();
  hits = 0;
  misses = 0;
  staleServed = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  peek(key: string): CacheEntry<V> | undefined {
    return this.entries.get(key);
  }

  private remember(key: string, e: CacheEntry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /**
   * The value for `key`: fresh from memory, else from `fetch` (one fetch in flight per key;
   * later callers join it). A failed fetch falls back to a stale entry when there is one;
   * otherwise it rejects. The fetch keeps running when a caller stops waiting (its
   * deadline), so the answer is in memory for the next admission.
   */
  async get(key: string, fetch: () => Promise<{ value: V; ttlMs: number }>): Promise<Lookup<V>> {
    const have = this.entries.get(key);
    if (have && this.now() - have.at < have.ttlMs) {
      this.hits++;
      this.remember(key, have);
      return { kind: "fresh", value: have.value };
    }
    this.misses++;
    let flight = this.flights.get(key);
    // Someone is already refreshing an expired answer: use it meanwhile (only the caller
    // that started the refresh waits for the registry).
    if (flight && have) return { kind: "fresh", value: have.value };
    if (!flight) {
      flight = (async () => {
        try {
          const got = await fetch();
          const e = { value: got.value, at: this.now(), ttlMs: got.ttlMs };
          this.remember(key, e);
          return e;
        } finally {
          this.flights.delete(key);
        }
      })();
      this.flights.set(key, flight);
      // A caller that gave up must not leave an unhandled rejection behind.
      flight.catch(() => undefined);
    }
    try {
      const e = await flight;
      return { kind: "fetched", value: e.value };
    } catch (err) {
      const stale = this.entries.get(key);
      if (stale) {
        this.staleServed++;
        return {
          kind: "stale",
          value: stale.value,
          reason: err instanceof Error ? err.message : String(err),
        };
      }
      throw err;
    }
  }
}
