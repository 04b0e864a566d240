// `audit -o html`: one self-contained page. The matrix is rendered here (so it prints and
// reads without JavaScript); the script filters, sorts and opens each cell's full report.
// A Content-Security-Policy with hashes of the page's own style and script forbids every
// request, so the page cannot reach the network whatever a spec or node name contains.

import { createHash } from "node:crypto";
import { cellReport, type Audit, type AuditCell } from "../../fleet/audit.js";
import { cellReasons, failureText } from "../fleet-render.js";
import { renderReport, style } from "../render.js";
import { cellSymbol } from "../audit-render.js";
import { PAGE_CSS } from "./page-style.js";
import { PAGE_JS } from "./page-script.js";

const STATE_CODE = { compatible: "c", incompatible: "x", "no-spec": "n", error: "e" } as const;
const STATE_CLASS = {
  compatible: "ok",
  incompatible: "bad",
  "no-spec": "none",
  error: "err",
} as const;
const STATE_WORD = {
  compatible: "compatible",
  incompatible: "incompatible",
  "no-spec": "no spec attached",
  error: "error",
} as const;

/** Text for HTML: markup escaped, control characters made visible. */
export function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const hash = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function renderAuditHtml(audit: Audit, now: Date = new Date()): string {
  const { images, groups } = audit;
  const cellAt = (i: number, j: number) => audit.cells[i * groups.length + j] as AuditCell;
  const plain = style(false);
  // Each distinct report text once: cells of one image often say the same.
  const reports: string[] = [];
  const seen = new Map<string, number>();
  const reportIndex = (text: string) => {
    let k = seen.get(text);
    if (k === undefined) {
      k = reports.push(text) - 1;
      seen.set(text, k);
    }
    return k;
  };
  const cellReports = images.map((img, i) =>
    groups.map((_, j) => {
      const c = cellAt(i, j);
      const report = cellReport(audit, c);
      if (report !== undefined) return reportIndex(renderReport(report, plain));
      return reportIndex(`${STATE_WORD[c.state]}: ${cellReasons(audit, c).join("\n")}\n`);
    }),
  );
  const data = {
    images: images.map((img) => img.ref),
    groups: groups.map((g) => ({ id: g.id, nodes: g.nodes })),
    states: images.map((_, i) => groups.map((_, j) => STATE_CODE[cellAt(i, j).state]).join("")),
    reports,
    cellReports,
  };
  // `<` escaped: the JSON sits inside a script element.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const nodeCount = groups.reduce((n, g) => n + g.nodes.length, 0);
  const fitting = images.filter(
    (img, i) =>
      img.spec.state === "spec" && groups.every((_, j) => cellAt(i, j).state === "compatible"),
  ).length;
  const withSpec = images.filter((img) => img.spec.state === "spec").length;
  const csp = `default-src 'none'; style-src ${hash(PAGE_CSS)}; script-src ${hash(PAGE_JS)}; img-src data:; form-action 'none'; base-uri 'none'`;

  const head = groups
    .map((g, j) => {
      const names = g.nodes.slice(0, 30).join(", ") + (g.nodes.length > 30 ? ", …" : "");
      return `<th class="g" data-g="${j}" data-sort="${j}" title="${esc(`${plural(g.nodes.length, "node")}: ${names}`)}"><button type="button">${esc(g.id)}<small>${g.nodes.length}</small></button></th>`;
    })
    .join("");
  const body = images
    .map((img, i) => {
      const cells = groups
        .map((g, j) => {
          const c = cellAt(i, j);
          const why = cellReasons(audit, c)[0];
          const tip = `${img.ref} on ${g.id}: ${STATE_WORD[c.state]}${c.bestSet ? ` (best set ${c.bestSet.set}${c.bestSet.tag ? `, tag ${c.bestSet.tag}` : ""}, weight ${c.bestSet.weight})` : why ? ` — ${why}` : ""}`;
          return `<td class="c ${STATE_CLASS[c.state]}" data-g="${j}" tabindex="0" title="${esc(tip)}">${esc(cellSymbol(c))}</td>`;
        })
        .join("");
      return `<tr data-i="${i}"><th class="ref" scope="row" title="${esc(img.ref)}">${esc(img.ref)}</th><td class="fit"></td>${cells}</tr>`;
    })
    .join("\n");

  const groupRows = groups
    .map(
      (g) =>
        `<tr><td class="mono">${esc(g.id)}</td><td>${g.nodes.length}</td><td class="mono">${esc(g.nodes.join(", "))}</td></tr>`,
    )
    .join("\n");
  const imageRows = images
    .map((img) => {
      const s = img.spec;
      const where =
        s.state === "spec"
          ? `<td class="mono">${esc(s.subject)}</td><td class="mono">${esc(s.artifact)}</td>`
          : `<td colspan="2">${esc(`${STATE_WORD[s.state]}: ${s.reason}`)}</td>`;
      return `<tr><td class="mono">${esc(img.ref)}</td>${where}</tr>`;
    })
    .join("\n");

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kompat audit: ${esc(`${plural(images.length, "image")} × ${plural(groups.length, "node group")}`)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<h1>Image compatibility audit</h1>
<p class="summary"><b>${plural(images.length, "image")}</b> × <b>${plural(groups.length, "node group")}</b> (${plural(nodeCount, "node")}) · <b>${fitting} of ${withSpec}</b> images with a spec fit every node · generated ${esc(now.toISOString().replace(/\.\d+Z$/, "Z"))} by kompat</p>
<div class="controls">
<label>Images <input id="f-image" type="search" placeholder="filter by reference" autocomplete="off"></label>
<label>Node groups <input id="f-group" type="search" placeholder="group id or node name" autocomplete="off"></label>
<label><input id="f-problems" type="checkbox"> only images with problems</label>
<label>Columns by <select id="g-order"><option value="id">group id</option><option value="nodes">node count</option><option value="fit">fewest compatible first</option></select></label>
<span id="status" role="status"></span>
</div>
<div class="legend"><span><span class="c ok">✓tag</span> compatible: the best set's tag (or #N, its number)</span><span><span class="c bad">✗</span> incompatible</span><span><span class="c none">–</span> no spec attached</span><span><span class="c err">!</span> error</span><span>Click a cell for the full report; click a header to sort.</span></div>
<div class="matrix-wrap">
<table id="matrix">
<thead><tr><th class="ref" data-sort="ref"><button type="button">Image</button></th><th class="fit" data-sort="fit"><button type="button">Fits</button></th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</div>
${whyNot(audit)}
<h2>Node groups</h2>
<p class="muted">Nodes whose features are the same, as far as the images' specs read them, form one group.</p>
<table class="list"><thead><tr><th>Group</th><th>Nodes</th><th>Names</th></tr></thead><tbody>
${groupRows}
</tbody></table>
<h2>Images</h2>
<table class="list"><thead><tr><th>Reference</th><th>Subject</th><th>Compatibility artifact</th></tr></thead><tbody>
${imageRows}
</tbody></table>
<footer>kompat audit · NFD image compatibility v1alpha1</footer>
<dialog id="report" aria-labelledby="r-title">
<header><div><h2 id="r-title"></h2><p id="r-sub"></p></div><button id="r-close" type="button">Close</button></header>
<pre id="r-text"></pre>
</dialog>
<script type="application/json" id="audit-data">${json}</script>
<script>${PAGE_JS}</script>
</body>
</html>
`;
}

/** Per image, the groups it does not fit and why (groups with the same reason together). */
function whyNot(audit: Audit): string {
  const items: string[] = [];
  audit.images.forEach((img, i) => {
    if (img.spec.state !== "spec") return;
    const byReason = new Map<string, string[]>();
    audit.groups.forEach((g, j) => {
      const c = audit.cells[i * audit.groups.length + j] as AuditCell;
      if (c.state !== "incompatible") return;
      const reason = c.failed.map(failureText).join("; ");
      byReason.set(reason, [...(byReason.get(reason) ?? []), g.id]);
    });
    if (byReason.size === 0) return;
    const n = [...byReason.values()].reduce((k, ids) => k + ids.length, 0);
    const lis = [...byReason]
      .map(
        ([reason, ids]) =>
          `<li><b>${esc(ids.join(", "))}</b>: <span class="mono">${esc(reason)}</span></li>`,
      )
      .join("");
    items.push(
      `<details class="why"><summary><span class="mono">${esc(img.ref)}</span> — does not fit ${plural(n, "group")}</summary><ul>${lis}</ul></details>`,
    );
  });
  if (items.length === 0) return "";
  return `<h2>Why not</h2>\n${items.join("\n")}`;
}
