// The audit page's stylesheet: system fonts only, colour plus a symbol per state (readable
// without colour), a sticky header row and image column for wide fleets, and a print layout.

export const PAGE_CSS = `
:root { --ok: #1b7a3a; --ok-bg: #dcf3e2; --bad: #a11d1d; --bad-bg: #fbe0e0;
  --none: #5b6270; --none-bg: #eceef2; --err: #7a4a00; --err-bg: #fde9b8;
  --line: #d6d9e0; --fg: #1d2330; --muted: #5b6270; --accent: #2456c7; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; padding: 1.25rem 1.5rem 3rem; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
.summary { margin: 0 0 1rem; color: var(--muted); }
.summary b { color: var(--fg); }
.controls { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: center; margin: 0 0 .75rem;
  padding: .6rem .8rem; background: #f6f7f9; border: 1px solid var(--line); border-radius: 8px; }
.controls label { display: inline-flex; gap: .4rem; align-items: center; color: var(--muted); }
.controls input[type=search] { width: 16rem; padding: .3rem .5rem; border: 1px solid #b9bfcc; border-radius: 5px; font: inherit; }
.controls select { font: inherit; padding: .2rem; }
#status { margin-left: auto; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1rem; margin: 0 0 .75rem; color: var(--muted); }
.legend span.c { display: inline-block; min-width: 2.2rem; text-align: center; border-radius: 4px; padding: 0 .3rem; }
.matrix-wrap { overflow: auto; max-height: 78vh; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: separate; border-spacing: 0; }
#matrix th, #matrix td { border-bottom: 1px solid var(--line); border-right: 1px solid var(--line); }
#matrix thead th { position: sticky; top: 0; z-index: 2; background: #f6f7f9; font-weight: 600; vertical-align: bottom; }
#matrix thead th.ref { z-index: 3; left: 0; }
#matrix tbody th.ref { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left; font-weight: 500;
  max-width: 26rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: .25rem .6rem;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
#matrix tbody tr:hover th.ref, #matrix tbody tr:hover td.fit { background: #eef3ff; }
th button { all: unset; cursor: pointer; display: block; padding: .35rem .5rem; text-align: center; }
th.ref button { text-align: left; }
th button:focus-visible, td.c:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
th[aria-sort=ascending] button::after { content: " ▲"; font-size: .7em; }
th[aria-sort=descending] button::after { content: " ▼"; font-size: .7em; }
th small { display: block; font-weight: 400; color: var(--muted); font-size: 11px; }
td.fit { text-align: right; padding: .25rem .5rem; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
td.c { min-width: 3.4rem; text-align: center; padding: .25rem .35rem; cursor: pointer; white-space: nowrap; font-size: 12.5px; }
.c.ok { background: var(--ok-bg); color: var(--ok); }
.c.bad { background: var(--bad-bg); color: var(--bad); font-weight: 600; }
.c.none { background: var(--none-bg); color: var(--none); }
.c.err { background: var(--err-bg); color: var(--err); font-weight: 600; }
td.c:hover { filter: brightness(.93); }
.list { width: 100%; max-width: 80rem; }
.list th, .list td { text-align: left; vertical-align: top; padding: .3rem .6rem; border-bottom: 1px solid var(--line); }
.list th { background: #f6f7f9; font-weight: 600; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.muted { color: var(--muted); }
details.why { margin: .25rem 0; }
details.why summary { cursor: pointer; }
details.why ul { margin: .25rem 0 .5rem 1.25rem; padding: 0; }
details.why li { margin: .15rem 0; }
dialog { width: min(72rem, 94vw); max-height: 88vh; padding: 0; border: 1px solid var(--line); border-radius: 10px;
  box-shadow: 0 10px 40px rgba(0,0,0,.25); }
dialog::backdrop { background: rgba(20, 24, 33, .45); }
dialog header { display: flex; gap: 1rem; align-items: flex-start; justify-content: space-between; padding: .9rem 1.1rem .6rem;
  border-bottom: 1px solid var(--line); position: sticky; top: 0; background: #fff; }
dialog h2 { margin: 0; font-size: 1rem; word-break: break-all; }
dialog p { margin: .2rem 0 0; color: var(--muted); font-size: 12.5px; }
dialog pre { margin: 0; padding: .9rem 1.1rem 1.2rem; overflow: auto; font-size: 12.5px; line-height: 1.5; white-space: pre-wrap; }
dialog button { font: inherit; padding: .3rem .8rem; border: 1px solid #b9bfcc; border-radius: 5px; background: #f6f7f9; cursor: pointer; }
footer { margin-top: 2rem; color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  body { padding: 0; font-size: 9pt; }
  .controls, dialog, #status { display: none !important; }
  .matrix-wrap { overflow: visible; max-height: none; border: 0; }
  #matrix thead th, #matrix tbody th.ref { position: static; }
  #matrix thead { display: table-header-group; }
  #matrix tr { break-inside: avoid; }
  td.c { min-width: 0; padding: 1px 3px; font-size: 8pt; }
  #matrix tbody th.ref { max-width: 18rem; font-size: 8pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
}
`;
