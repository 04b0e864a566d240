// audit -o html in a real browser: Debian's chromium, headless, driven by playwright-core
// (the system browser; nothing is downloaded). Every request the page would make is
// routed and refused, and counted: the page must make none.

import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { renderAuditHtml } from "../../src/cli/html/audit-page.js";
import { tempDir } from "../oci/util.js";
import { demoAudit } from "./demo.js";

const CHROMIUM = process.env.KOMPAT_TEST_CHROMIUM ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium as root)`;

type Browser = import("playwright-core").BrowserContext;
type Page = import("playwright-core").Page;

describe("audit -o html", () => {
  it("is one self-contained page: a policy that forbids every request, no external reference", async () => {
    const html = renderAuditHtml(await demoAudit(6, 3));
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+';/,
    );
    assert.doesNotMatch(html, /\b(src|href)=/);
    assert.doesNotMatch(html, /@import|url\(/);
  });

  it("escapes what images and nodes are called", async () => {
    const audit = await demoAudit(4, 2);
    const g = audit.groups[0];
    if (g) g.nodes[0] = '<img src=x onerror="alert(1)">\u001b[31m';
    const html = renderAuditHtml(audit);
    assert.doesNotMatch(html, /<img src=x/);
    assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;\ufffd\[31m/);
    // The same name inside the JSON data cannot close its script element.
    assert.doesNotMatch(html.split('id="audit-data">')[1]?.split("</script>")[0] ?? "", /</);
  });
});

describe("audit -o html in chromium", { skip }, () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const dir = tempDir("kompat-html-");

  before(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1400, height: 900 },
    });
    const file = join(dir, "audit.html");
    const own = `file://${file}`;
    // The page itself is let through; anything else it asks for is counted and refused.
    await browser.route("**/*", async (route) => {
      const url = route.request().url();
      if (url === own) return route.continue();
      requests.push(url);
      return route.abort();
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    // 50 images × 20 node groups, the size the page is made for.
    const html = renderAuditHtml(await demoAudit(50, 20));
    writeFileSync(file, html);
    await page.goto(own);
  });
  after(async () => {
    await browser?.close();
  });

  const visibleRows = () =>
    page.$$eval("#matrix tbody tr", (trs) =>
      trs.filter((tr) => !tr.hidden).map((tr) => tr.querySelector("th")?.textContent ?? ""),
    );
  const visibleGroups = () =>
    page.$$eval("#matrix thead th.g", (ths) =>
      ths
        .filter((th) => !th.hidden)
        .map((th) => th.querySelector("button")?.firstChild?.textContent ?? ""),
    );

  it("renders the matrix with a legend", async () => {
    assert.equal((await visibleRows()).length, 50);
    assert.equal((await visibleGroups()).length, 20);
    assert.equal(await page.locator("#matrix tbody td.c").count(), 1000);
    assert.match(
      (await page.textContent(".legend")) ?? "",
      /incompatible.*no spec attached.*error/,
    );
    assert.equal(await page.textContent("#status"), "50 of 50 images, 20 of 20 node groups shown");
    assert.ok((await page.locator("td.c.ok").count()) > 0);
    assert.ok((await page.locator("td.c.bad").count()) > 0);
    // `KOMPAT_DOCS_SCREENSHOT=docs/audit-report.png` refreshes the README's picture.
    const docs = process.env.KOMPAT_DOCS_SCREENSHOT;
    if (docs) await page.screenshot({ path: docs, clip: { x: 0, y: 0, width: 1400, height: 640 } });
  });

  it("sorts images by reference, both ways, and by one group's state", async () => {
    await page.click('#matrix thead th[data-sort="ref"] button');
    const up = await visibleRows();
    assert.deepEqual(up, [...up].sort());
    await page.click('#matrix thead th[data-sort="ref"] button');
    const down = await visibleRows();
    assert.deepEqual(down, [...up].reverse());
    assert.equal(
      await page.getAttribute('#matrix thead th[data-sort="ref"]', "aria-sort"),
      "descending",
    );
    // By G3's column: errors, then incompatible, then no spec, then compatible.
    await page.click('#matrix thead th[data-sort="2"] button');
    const col = await page.$$eval("#matrix tbody tr", (trs) =>
      trs.map((tr) => tr.querySelector('td.c[data-g="2"]')?.className.replace("c ", "") ?? ""),
    );
    const rank = { err: 0, bad: 1, none: 2, ok: 3 } as Record<string, number>;
    const ranks = col.map((c) => rank[c] ?? -1);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
  });

  it("filters images by reference and node groups by id or node name", async () => {
    await page.fill("#f-image", "trainer");
    const rows = await visibleRows();
    assert.ok(rows.length > 0 && rows.length < 50);
    for (const r of rows) assert.match(r, /trainer/);
    await page.fill("#f-group", "gpu-t4");
    assert.deepEqual(await visibleGroups(), ["G3", "G10", "G17"]);
    await page.fill("#f-group", "G5");
    assert.deepEqual(await visibleGroups(), ["G5"]);
    assert.match(
      (await page.textContent("#status")) ?? "",
      /of 50 images, 1 of 20 node groups shown/,
    );
    await page.check("#f-problems");
    for (const r of await visibleRows()) assert.match(r, /trainer/);
    await page.fill("#f-image", "");
    await page.fill("#f-group", "");
    await page.uncheck("#f-problems");
    assert.equal((await visibleRows()).length, 50);
  });

  it("orders the group columns", async () => {
    await page.selectOption("#g-order", "nodes");
    const counts = await page.$$eval("#matrix thead th.g small", (els) =>
      els.map((e) => Number(e.textContent)),
    );
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
    );
    await page.selectOption("#g-order", "id");
    assert.equal((await visibleGroups())[0], "G1");
  });

  it("a click on a cell shows that group's full report for that image", async () => {
    const cell = page.locator(
      '#matrix tbody tr:has(th:text-is("registry.example.com/ml/trainer:cuda12")) td.c[data-g="2"]',
    );
    await cell.click();
    assert.equal(await page.isVisible("dialog#report"), true);
    assert.equal(
      await page.textContent("#r-title"),
      "registry.example.com/ml/trainer:cuda12 on G3",
    );
    assert.match((await page.textContent("#r-sub")) ?? "", /^incompatible · \d+ nodes: gpu-t4-01/);
    const text = (await page.textContent("#r-text")) ?? "";
    assert.match(
      text,
      /Compatibility set 1 "CUDA 12: NVIDIA GPU, driver 550\+" \(tag cuda12, weight 90\): incompatible/,
    );
    assert.match(text, /✗ kernel\.version\s+major\s+Ge \[6\]\s+host: "5"/);
    assert.match(text, /Verdict: incompatible/);
    await page.screenshot({ path: join(dir, "report.png") });
    await page.click("#r-close");
    assert.equal(await page.isVisible("dialog#report"), false);
  });

  it("no console errors, no request left the page; a screenshot is saved", async () => {
    const shot = join(dir, "audit.png");
    await page.screenshot({ path: shot });
    assert.ok(statSync(shot).size > 10_000);
    await page.emulateMedia({ media: "print" });
    await page.pdf?.({ path: join(dir, "audit.pdf") }).catch(() => undefined);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests, []);
  });
});
