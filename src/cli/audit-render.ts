// audit's text output: a compact matrix (groups as columns with short ids, split into
// blocks that fit the terminal), the groups' nodes, a legend, then why cells are not green.

import type { Audit, AuditCell } from "../fleet/audit.js";
import { cellReasons } from "./fleet-render.js";
import type { Style } from "./render.js";

const SYMBOL = { compatible: "✓", incompatible: "✗", "no-spec": "–", error: "!" } as const;
const MAX_REF = 40;
const MAX_CELL = 8;

/** `registry.example/a/very/long/…/name:tag`: the middle elided, both ends kept. */
export function elide(s: string, max: number): string {
  if (s.length <= max) return s;
  const tail = Math.ceil((max - 1) / 2);
  return `${s.slice(0, max - 1 - tail)}…${s.slice(s.length - tail)}`;
}

export function cellSymbol(c: AuditCell): string {
  if (c.state !== "compatible" || c.bestSet === null) return SYMBOL[c.state];
  const text = `✓${c.bestSet.tag ?? `#${c.bestSet.set}`}`;
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

function paint(c: AuditCell, text: string, st: Style): string {
  if (c.state === "compatible") return st.ok(text);
  if (c.state === "incompatible" || c.state === "error") return st.bad(text);
  return st.dim(text);
}

/** Node names come from files: control characters shown, never sent to the terminal. */
function visible(s: string): string {
  return s.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

function nodeList(nodes: string[], max = 5): string {
  const shown = nodes.slice(0, max).map(visible).join(", ");
  return nodes.length > max ? `${shown}, … (+${nodes.length - max} more)` : shown;
}

export interface TextOptions {
  /** Only the matrix, groups and counts. */
  summary?: boolean;
  /** Terminal width (default 100). */
  width?: number;
}

export function renderAuditText(audit: Audit, st: Style, opts: TextOptions = {}): string {
  const out: string[] = [];
  const { images, groups } = audit;
  const nodeCount = groups.reduce((n, g) => n + g.nodes.length, 0);
  out.push(
    `${images.length} image${images.length === 1 ? "" : "s"} × ${groups.length} node group${groups.length === 1 ? "" : "s"} (${nodeCount} node${nodeCount === 1 ? "" : "s"})`,
    "",
  );
  const cellAt = (i: number, j: number) => audit.cells[i * groups.length + j] as AuditCell;
  const refs = images.map((img) => elide(img.ref, MAX_REF));
  const refWidth = Math.max(...refs.map((r) => r.length), 5);
  const widths = groups.map((g, j) =>
    Math.max(g.id.length, ...images.map((_, i) => cellSymbol(cellAt(i, j)).length)),
  );
  // Blocks of columns that fit the width: a wide fleet wraps instead of overflowing.
  const width = Math.max(opts.width ?? 100, refWidth + 10);
  const blocks: number[][] = [];
  let used = width;
  widths.forEach((w, j) => {
    if (used + w + 2 > width) {
      blocks.push([]);
      used = refWidth;
    }
    blocks[blocks.length - 1]?.push(j);
    used += w + 2;
  });
  for (const block of blocks) {
    const head = block.map((j) => (groups[j]?.id ?? "").padEnd(widths[j] ?? 0)).join("  ");
    out.push(`${" ".repeat(refWidth)}  ${st.bold(head)}`.trimEnd());
    refs.forEach((ref, i) => {
      const row = block.map((j) => {
        const c = cellAt(i, j);
        return paint(c, cellSymbol(c).padEnd(widths[j] ?? 0), st);
      });
      out.push(`${ref.padEnd(refWidth)}  ${row.join("  ")}`.trimEnd());
    });
    out.push("");
  }
  out.push("Node groups:");
  for (const g of groups) {
    const n = g.nodes.length;
    out.push(`  ${g.id.padEnd(4)} ${n} node${n === 1 ? "" : "s"}: ${nodeList(g.nodes)}`);
  }
  out.push(
    st.dim(
      "Legend: ✓tag compatible (the best set's tag, or #N its number), ✗ incompatible, – no spec attached, ! error",
    ),
    "",
  );
  if (!opts.summary) whyNot(audit, st, out);
  out.push(countLine(audit));
  return `${out.join("\n")}\n`;
}

function whyNot(audit: Audit, st: Style, out: string[]): void {
  const lines: string[] = [];
  audit.images.forEach((img, i) => {
    if (img.spec.state !== "spec") {
      const c = audit.cells[i * audit.groups.length];
      const sym = img.spec.state === "error" ? st.bad("!") : st.dim("–");
      lines.push(`${img.ref}: ${sym} ${c ? (cellReasons(audit, c)[0] ?? "") : img.spec.reason}`);
      return;
    }
    // Groups failing for the same reason share a line.
    const byReason = new Map<string, string[]>();
    for (let j = 0; j < audit.groups.length; j++) {
      const c = audit.cells[i * audit.groups.length + j] as AuditCell;
      if (c.state !== "incompatible") continue;
      const reasons = cellReasons(audit, c);
      const more =
        reasons.length > 1
          ? ` (and ${reasons.length - 1} more set${reasons.length > 2 ? "s" : ""})`
          : "";
      const key = `${reasons[0] ?? "incompatible"}${more}`;
      const ids = byReason.get(key) ?? [];
      ids.push(audit.groups[j]?.id ?? "");
      byReason.set(key, ids);
    }
    if (byReason.size === 0) return;
    lines.push(img.ref);
    for (const [reason, ids] of byReason)
      lines.push(`  ${st.bad("✗")} ${ids.join(", ")}: ${reason}`);
  });
  if (lines.length === 0) return;
  out.push("Why not:", ...lines.map((l) => `  ${l}`), "");
}

function countLine(audit: Audit): string {
  let fit = 0;
  let noSpec = 0;
  let failed = 0;
  audit.images.forEach((img, i) => {
    if (img.spec.state === "no-spec") noSpec++;
    else if (img.spec.state === "error") failed++;
    else {
      const row = audit.cells.slice(i * audit.groups.length, (i + 1) * audit.groups.length);
      if (row.every((c) => c.state === "compatible")) fit++;
    }
  });
  const withSpec = audit.images.length - noSpec - failed;
  const parts = [
    `${fit} of ${withSpec} image${withSpec === 1 ? "" : "s"} with a spec fit every node`,
  ];
  if (noSpec > 0) parts.push(`${noSpec} without a spec`);
  if (failed > 0) parts.push(`${failed} could not be checked`);
  return parts.join("; ");
}
