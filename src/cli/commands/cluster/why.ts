// Why nodes are incompatible, grouped: each failing expression (set, rule, feature,
// element, op) is one line with the number of nodes it failed on and what those nodes had,
// so 300 nodes missing the same module read as one line. Bounded: a few host values per line.

import type { ExpressionReport, Report } from "../../../rules/report.js";
import { describeSet, expressionText, hostText, type Style } from "../../render.js";

const HOST_VALUES_SHOWN = 4;

interface Group {
  text: string;
  nodes: number;
  hosts: Map<string, number>;
  otherHosts: number;
}

export class WhyIncompatible {
  private readonly groups = new Map<string, Group>();
  private nodes = 0;

  /** Adds the failures of one incompatible node's report. */
  add(report: Report): void {
    this.nodes++;
    const seen = new Set<string>();
    for (const set of report.sets) {
      if (set.isMatch) continue;
      const where = describeSet(set);
      for (const rule of set.rules ?? []) {
        if (rule.isMatch) continue;
        const prefix = `${where} rule ${JSON.stringify(rule.name)}`;
        if (rule.error) this.count(seen, `${prefix}: error`, rule.error);
        for (const e of rule.matchedExpressions ?? []) if (!e.isMatch) this.expr(seen, prefix, e);
        const any = rule.matchedAny ?? [];
        any.forEach((elem, i) => {
          for (const e of elem.matchedExpressions ?? [])
            if (!e.isMatch) this.expr(seen, `${prefix} matchAny ${i + 1} of ${any.length}`, e);
        });
      }
    }
  }

  private expr(seen: Set<string>, prefix: string, e: ExpressionReport): void {
    const name = e.matcherType === "matchName" ? "(name)" : e.name;
    this.count(
      seen,
      `${prefix}: ${e.feature} ${name} ${expressionText(e.expression)}`,
      hostText(e.host),
    );
  }

  private count(seen: Set<string>, text: string, host: string): void {
    if (seen.has(text)) return; // once per node
    seen.add(text);
    let g = this.groups.get(text);
    if (g === undefined) {
      g = { text, nodes: 0, hosts: new Map(), otherHosts: 0 };
      this.groups.set(text, g);
    }
    g.nodes++;
    if (g.hosts.has(host) || g.hosts.size < HOST_VALUES_SHOWN)
      g.hosts.set(host, (g.hosts.get(host) ?? 0) + 1);
    else g.otherHosts++;
  }

  render(st: Style): string {
    if (this.groups.size === 0) return "";
    const n = this.nodes;
    const out = [st.bold(`Why ${n} node${n === 1 ? " is" : "s are"} incompatible:`)];
    const groups = [...this.groups.values()].sort(
      (a, b) => b.nodes - a.nodes || (a.text < b.text ? -1 : 1),
    );
    const width = String(groups[0]?.nodes ?? 0).length;
    for (const g of groups) {
      const hosts = [...g.hosts].map(([h, c]) => (g.nodes > 1 ? `${h} (${c})` : h));
      if (g.otherHosts > 0) hosts.push(`${g.otherHosts} other`);
      const count = `${String(g.nodes).padStart(width)} node${g.nodes === 1 ? " " : "s"}`;
      out.push(`  ${st.bad("✗")} ${count}  ${g.text}  ${st.dim("host:")} ${hosts.join(", ")}`);
    }
    return `${out.join("\n")}\n`;
  }
}
