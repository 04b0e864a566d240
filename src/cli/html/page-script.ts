// The audit page's behaviour, plain browser JavaScript kept as text: filter images and node
// groups, sort images (by reference, by how many groups they fit, by one group's state),
// order the group columns, and open a cell's full report in a dialog. The page's data is
// the JSON in <script id="audit-data">.

export const PAGE_JS = `
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("audit-data").textContent);
  const table = document.getElementById("matrix");
  const tbody = table.tBodies[0];
  const headRow = table.tHead.rows[0];
  const rows = Array.from(tbody.rows);
  const fImage = document.getElementById("f-image");
  const fGroup = document.getElementById("f-group");
  const fProblems = document.getElementById("f-problems");
  const gOrder = document.getElementById("g-order");
  const status = document.getElementById("status");
  const dialog = document.getElementById("report");
  const RANK = { e: 0, x: 1, n: 2, c: 3 };
  const NAMES = { c: "compatible", x: "incompatible", n: "no spec attached", e: "error" };
  let visibleGroups = data.groups.map(() => true);

  const fits = (i) => data.states[i].split("").filter((s, j) => s === "c" && visibleGroups[j]).length;

  function applyFilters() {
    const qi = fImage.value.trim().toLowerCase();
    const qg = fGroup.value.trim().toLowerCase();
    visibleGroups = data.groups.map((g) => !qg || g.id.toLowerCase() === qg ||
      g.nodes.some((n) => n.toLowerCase().includes(qg)));
    for (const el of table.querySelectorAll("[data-g]")) el.hidden = !visibleGroups[Number(el.dataset.g)];
    let shown = 0;
    for (const tr of rows) {
      const i = Number(tr.dataset.i);
      const st = data.states[i];
      const problem = visibleGroups.some((v, j) => v && st[j] !== "c");
      const show = (!qi || data.images[i].toLowerCase().includes(qi)) && (!fProblems.checked || problem);
      tr.hidden = !show;
      if (show) shown++;
      const fit = tr.querySelector("td.fit");
      fit.textContent = fits(i) + "/" + visibleGroups.filter(Boolean).length;
    }
    status.textContent = shown + " of " + rows.length + " images, " +
      visibleGroups.filter(Boolean).length + " of " + data.groups.length + " node groups shown";
  }

  let sortKey = "";
  let sortDir = 1;
  function sortRows(key) {
    sortDir = sortKey === key ? -sortDir : 1;
    sortKey = key;
    const value = (i) => key === "ref" ? data.images[i]
      : key === "fit" ? fits(i) : RANK[data.states[i][Number(key)]];
    rows.sort((a, b) => {
      const x = value(Number(a.dataset.i));
      const y = value(Number(b.dataset.i));
      const c = x < y ? -1 : x > y ? 1 : 0;
      return c * sortDir || Number(a.dataset.i) - Number(b.dataset.i);
    });
    for (const tr of rows) tbody.appendChild(tr);
    for (const th of headRow.cells) {
      if (th.dataset.sort === key) th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
  }

  function orderGroups() {
    const how = gOrder.value;
    const fitsOf = (j) => data.states.filter((s) => s[j] === "c").length;
    const order = data.groups.map((_, j) => j);
    if (how === "nodes") order.sort((a, b) => data.groups[b].nodes.length - data.groups[a].nodes.length || a - b);
    if (how === "fit") order.sort((a, b) => fitsOf(a) - fitsOf(b) || a - b);
    for (const tr of [headRow, ...rows]) {
      const cells = {};
      for (const el of tr.querySelectorAll("[data-g]")) cells[el.dataset.g] = el;
      for (const j of order) tr.appendChild(cells[j]);
    }
  }

  function openReport(td) {
    const i = Number(td.parentElement.dataset.i);
    const j = Number(td.dataset.g);
    const g = data.groups[j];
    const n = g.nodes.length;
    document.getElementById("r-title").textContent = data.images[i] + " on " + g.id;
    const names = g.nodes.slice(0, 12).join(", ") + (n > 12 ? ", … (+" + (n - 12) + " more)" : "");
    document.getElementById("r-sub").textContent = NAMES[data.states[i][j]] + " · " + n +
      " node" + (n === 1 ? "" : "s") + ": " + names;
    document.getElementById("r-text").textContent = data.reports[data.cellReports[i][j]];
    dialog.showModal();
  }

  headRow.addEventListener("click", (ev) => {
    const th = ev.target.closest("th[data-sort]");
    if (th) sortRows(th.dataset.sort);
  });
  tbody.addEventListener("click", (ev) => {
    const td = ev.target.closest("td.c");
    if (td) openReport(td);
  });
  tbody.addEventListener("keydown", (ev) => {
    const td = ev.target.closest("td.c");
    if (td && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); openReport(td); }
  });
  document.getElementById("r-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (ev) => { if (ev.target === dialog) dialog.close(); });
  for (const el of [fImage, fGroup]) el.addEventListener("input", applyFilters);
  fProblems.addEventListener("change", applyFilters);
  gOrder.addEventListener("change", orderGroups);
  // Printed, the reasons are shown in full.
  window.addEventListener("beforeprint", () => {
    for (const d of document.querySelectorAll("details.why")) d.open = true;
  });
  applyFilters();
})();
`;
