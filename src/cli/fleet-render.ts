// Text pieces shared by the fleet commands' outputs (audit text/JSON/HTML, select): a set,
// a failure, a cell's reasons, as one line each.

import type { Audit, AuditCell, FailedSet, SetSummary } from "../fleet/audit.js";
import { describeSet, expressionText, hostText } from "./render.js";

export function setText(s: SetSummary): string {
  return describeSet({ ...s, index: s.set - 1 });
}

/** `set 1 "GPU" (tag gpu, weight 90): rule "driver": kernel.loadedmodule nvidia Exists (host: element missing)` */
export function failureText(f: FailedSet): string {
  const head = setText(f);
  if (f.rule === undefined) return `${head}: did not match`;
  const parts = [`${head}: rule ${JSON.stringify(f.rule)}`];
  if (f.matchAny !== undefined)
    parts.push(`none of ${f.matchAny} matchAny elements matched, the first`);
  if (f.error !== undefined) parts.push(`error: ${f.error}`);
  const e = f.expression;
  if (e !== undefined) {
    const name = e.matcherType === "matchName" ? "(name)" : e.name;
    parts.push(`${e.feature} ${name} ${expressionText(e.expression)} (host: ${hostText(e.host)})`);
  }
  return parts.join(": ");
}

/** What a cell says in words: the best set, every failing set, or why there is no verdict. */
export function cellReasons(audit: Audit, cell: AuditCell): string[] {
  const img = audit.images[cell.image];
  if (img !== undefined && img.spec.state !== "spec") return [img.spec.reason];
  return cell.failed.map(failureText);
}

/** The JSON/YAML shape of an audit (docs/fleets.md, "-o json / -o yaml"). */
export function auditData(audit: Audit): object {
  return {
    images: audit.images.map((img) =>
      img.spec.state === "spec"
        ? { ref: img.ref, subject: img.spec.subject, artifact: img.spec.artifact }
        : {
            ref: img.ref,
            subject: null,
            artifact: null,
            state: img.spec.state,
            reason: img.spec.reason,
          },
    ),
    groups: audit.groups.map((g) => ({ id: g.id, nodes: g.nodes })),
    cells: audit.cells.map((c) => ({
      image: audit.images[c.image]?.ref,
      group: audit.groups[c.group]?.id,
      state: c.state,
      bestSet: c.bestSet,
      reasons: cellReasons(audit, c),
    })),
  };
}
