// Full discovery of this host (all sources), in-process.

import { discover } from "../src/features/discover.js";
import { HostRoot } from "../src/features/hostroot.js";
import { fmt, line, median } from "./util.js";

export async function benchDiscovery(): Promise<void> {
  const host = new HostRoot();
  for (let i = 0; i < 3; i++) await discover({ host, env: process.env });
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    await discover({ host, env: process.env });
    times.push(performance.now() - t0);
  }
  line(
    "discovery, all sources, this host (median of 30)",
    `${fmt(median(times))} ms (min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))})`,
  );
}
