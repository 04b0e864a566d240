// Human-readable report: per set its verdict, per rule every expression with what the host
// had, so a user sees why without reading the spec again.

import type {
  ExpressionReport,
  HostObservation,
  Report,
  RuleReport,
  SetReport,
} from "../rules/report.js";
import type { Verdict } from "../rules/verdict.js";
import type { Spec } from "../spec/model.js";

export interface Style {
  ok: (s: string) => string;
  bad: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

const ansi = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
export function style(color: boolean): Style {
  if (!color) {
    const id = (s: string) => s;
    return { ok: id, bad: id, dim: id, bold: id };
  }
  return { ok: ansi("32"), bad: ansi("31"), dim: ansi("2"), bold: ansi("1") };
}

type SetInfo = Pick<SetReport, "index" | "description" | "tag" | "weight">;

function describeSet(set: SetInfo): string {
  const parts = [`set ${set.index + 1}`];
  if (set.description) parts.push(JSON.stringify(set.description));
  const meta = [set.tag ? `tag ${set.tag}` : "", set.weight ? `weight ${set.weight}` : ""];
  const m = meta.filter(Boolean).join(", ");
  return m ? `${parts.join(" ")} (${m})` : parts.join(" ");
}

export function renderReport(report: Report, st: Style): string {
  const out: string[] = [];
  for (const set of report.sets) {
    const verdict = set.isMatch ? st.ok("compatible") : st.bad("incompatible");
    out.push(`${st.bold(`Compatibility ${describeSet(set)}`)}: ${verdict}`);
    for (const rule of set.rules ?? []) renderRule(rule, st, out);
    if (!set.rules || set.rules.length === 0) out.push(st.dim("  (no rules)"));
    out.push("");
  }
  out.push(verdictLine(report, st));
  return `${out.join("\n")}\n`;
}

export function verdictLine(report: Report, st: Style): string {
  if (report.sets.length === 0)
    return `Verdict: ${st.bad("incompatible")}: no compatibility set was evaluated`;
  const best = report.best === null ? undefined : report.sets[report.best];
  if (!best) {
    const n = report.sets.length;
    return `Verdict: ${st.bad("incompatible")}: none of ${n} compatibility set${n === 1 ? "" : "s"} matched`;
  }
  return `Verdict: ${st.ok("compatible")}: best ${describeSet(best)}`;
}

/** The verdict line of a node, from the verdict alone (validate-node --summary). */
export function summaryLine(v: Verdict, spec: Spec, st: Style): string {
  if (v.evaluated.length === 0)
    return `${st.bad("incompatible")}: no compatibility set was evaluated`;
  const index = v.best === null ? undefined : v.evaluated[v.best];
  const set = index === undefined ? undefined : spec.compatibilities[index];
  if (index === undefined || set === undefined) {
    const n = v.evaluated.length;
    return `${st.bad("incompatible")}: none of ${n} compatibility set${n === 1 ? "" : "s"} matched`;
  }
  return `${st.ok("compatible")}: best ${describeSet({ ...set, index })}`;
}

function mark(ok: boolean, st: Style): string {
  return ok ? st.ok("✓") : st.bad("✗");
}

function renderRule(rule: RuleReport, st: Style, out: string[]): void {
  out.push(`  ${mark(rule.isMatch, st)} rule ${JSON.stringify(rule.name)}`);
  if (rule.error) out.push(`      ${st.bad("error:")} ${rule.error}`);
  if (rule.matchedExpressions) table(rule.matchedExpressions, st, out, "      ");
  const any = rule.matchedAny ?? [];
  any.forEach((elem, i) => {
    out.push(`      ${mark(elem.isMatch, st)} matchAny ${i + 1} of ${any.length}`);
    table(elem.matchedExpressions ?? [], st, out, "          ");
  });
  if (!rule.matchedExpressions && any.length === 0)
    out.push(st.dim("      (no matchers: always matches)"));
  if (rule.isMatch && rule.vars && Object.keys(rule.vars).length > 0) {
    const vars = Object.entries(rule.vars).map(([k, v]) => `${k}=${v}`);
    out.push(st.dim(`      publishes ${vars.join(", ")}`));
  }
}

export function expressionText(e: ExpressionReport["expression"]): string {
  const vals = e.value && e.value.length > 0 ? ` [${e.value.join(", ")}]` : "";
  const type = e.type ? ` (${e.type})` : "";
  return `${e.op === "" ? '""' : e.op}${vals}${type}`;
}

function hostText(h: HostObservation | undefined): string {
  if (!h) return "";
  switch (h.state) {
    case "value":
      return JSON.stringify(h.value ?? "");
    case "flag":
      return "present";
    case "missing-element":
      return "element missing";
    case "missing-feature":
      return "feature missing";
    case "error":
      return `error: ${h.error ?? "unknown"}`;
    case "instances": {
      const n = h.instances ?? 0;
      const vals = (h.values ?? []).map((v) => JSON.stringify(v)).join(", ");
      return `${n} instance${n === 1 ? "" : "s"}${vals ? `: ${vals}` : ", element missing in all"}`;
    }
    case "names": {
      const vals = (h.values ?? []).join(", ");
      return vals ? `names: ${vals}` : `no matching name among ${h.instances ?? 0}`;
    }
  }
}

function table(rows: ExpressionReport[], st: Style, out: string[], indent: string): void {
  const cells = rows.map((r) => [
    r.feature,
    r.matcherType === "matchName" ? "(name)" : r.name,
    expressionText(r.expression),
    hostText(r.host),
  ]);
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => (row[c] ?? "").length)));
  rows.forEach((r, i) => {
    const row = cells[i] ?? [];
    const padded = [0, 1, 2].map((c) => (row[c] ?? "").padEnd(widths[c] ?? 0));
    out.push(`${indent}${mark(r.isMatch, st)} ${padded.join("  ")}  ${st.dim("host:")} ${row[3]}`);
  });
}
