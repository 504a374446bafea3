// End to end, as `npm start` runs it: the HubSpot, Zendesk and Salesforce sandboxes, the Worker
// under wrangler dev, the HubSpot install with Zendesk and Salesforce connected to the same tenant,
// all three first syncs → score → writeback; then headless Chromium signs in with the printed link, sees the at-risk list, opens an
// account with its reasons and trend chart, and opens the agent's view of a ticket from an at-risk
// and from a healthy customer with Ebb's sidebar in it (Zendesk's frame and ZAF SDK are the
// sandbox's stand-ins; the page, its signed load and the Worker are real); screenshots saved.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import {
  type Browser,
  type BrowserContext,
  type Page,
  chromium as playwright,
} from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDemo, startLocalDemo } from "../../cli/local-demo.ts";
import { freePort } from "../../cli/local-worker.ts";
import {
  HEALTH_FIELDS as SF_FIELDS,
  TASK_KEY_FIELD as SF_TASK_KEY,
} from "../../connectors/salesforce/map.ts";

const SHOTS = join(import.meta.dirname, "..", "..", "out", "e2e");

let demo: LocalDemo;
let browser: Browser;
/** The signed-in admin's cookies, from the first test's login link (single-use). */
let cookies: Awaited<ReturnType<BrowserContext["cookies"]>> = [];

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is now. */
async function axeProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const found = (await page.evaluate(
    "axe.run().then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target })) })))",
  )) as { id: string; impact: string; nodes: { target: string[] }[] }[];
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** How far the page is wider than its window (0: no sideways scrolling). */
const sideways = (page: Page) =>
  page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");

beforeAll(async () => {
  demo = await startLocalDemo({
    accounts: 60,
    seed: 20261122,
    port: await freePort(),
    stateName: "e2e-state",
    log: () => {},
  });
  browser = await playwright.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (await chromium.executablePath()),
    args: [
      ...chromium.args,
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
    headless: true,
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe("the admin, in a browser", () => {
  it("signs in with the demo's link, sees the at-risk list, opens an account with reasons and chart", async () => {
    // Writeback is visible in the sandbox before anyone looks.
    const written = [...demo.sandbox.state.objects.companies.values()].filter(
      (c) => c.properties.ebb_health_score != null,
    );
    expect(written).toHaveLength(60);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(demo.adminUrl);
    expect(new URL(page.url()).pathname).toBe("/admin");
    await expect
      .poll(() => page.locator("#connections .sync-status").first().textContent())
      .toBe("idle");
    const rows = page.locator("#at-risk .at-risk-row");
    expect(await rows.count()).toBeGreaterThan(0);
    const firstName = (await rows.first().locator("a").textContent()) ?? "";
    expect(await rows.first().locator("td").nth(3).textContent()).toMatch(/\d/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "admin-portfolio.png"), fullPage: true });

    await rows.first().locator("a").click();
    await page.waitForURL(/\/admin\/accounts\//);
    expect(await page.locator("h1").textContent()).toBe(firstName);
    expect(await page.locator("svg.chart path.series").getAttribute("d")).toMatch(
      /^M[\d.]+,[\d.]+L/,
    );
    const signals = page.locator("#signals .signal-row");
    expect(await signals.count()).toBe(7);
    expect(await signals.first().locator("td").nth(3).textContent()).not.toBe("");
    await page.screenshot({ path: join(SHOTS, "admin-account.png"), fullPage: true });
    // The page stays open: Chromium here runs as one process, which ends with its last page.
    cookies = await page.context().cookies();
  });

  it("writes health into every Zendesk organization, tagging the at-risk ones", () => {
    const orgs = [...demo.zendesk.state.organizations.values()].map((o) => o.data);
    expect(orgs).toHaveLength(60);
    for (const o of orgs) {
      expect(o.organization_fields.ebb_health_band).toBeTruthy();
      expect(o.tags.includes("ebb_at_risk")).toBe(
        o.organization_fields.ebb_health_band === "at_risk",
      );
    }
  });

  it("writes health fields into every Salesforce account; tasks go to the tenant's one task home", () => {
    const accounts = [...demo.salesforce.state.table("Account").values()];
    expect(accounts).toHaveLength(60);
    const tasks = [...demo.salesforce.state.table("Task").values()].filter(
      (t) => !t.IsDeleted && t[SF_TASK_KEY],
    );
    for (const a of accounts) {
      expect(a[SF_FIELDS.band]).toBeTruthy();
      if (a[SF_FIELDS.band] === "churned") continue;
      expect(a[SF_FIELDS.scoredAt]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // The card's trend: up to 90 days of scores.
      const series = String(a[SF_FIELDS.series]).split(" ");
      expect(series.length).toBeGreaterThan(1);
      expect(series.length).toBeLessThanOrEqual(90);
    }
    // HubSpot, connected first, is the tenant's task home: no CSM gets the same task twice.
    expect(tasks).toEqual([]);
    expect(
      [...demo.sandbox.state.objects.tasks.values()].filter((t) => t.properties.ebb_dedupe_key)
        .length,
    ).toBeGreaterThan(0);
    // The three vendors' records are one tenant's: 60 customers, not 180.
    expect(demo.status.accounts).toBe(60);
    expect(demo.status.syncs.map((y) => y.vendor).sort()).toEqual([
      "hubspot",
      "salesforce",
      "zendesk",
    ]);
  });

  it("shows an agent, in the Zendesk sidebar, an at-risk customer with reasons and advice, and a healthy one in one quiet line", async () => {
    expect(demo.sidebar.atRisk).toBeTruthy();
    expect(demo.sidebar.healthy).toBeTruthy();
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(demo.sidebar.atRisk ?? "");
    const app = page.frameLocator("#ebb-app");
    const headline = app.locator(".headline");
    await headline.waitFor({ timeout: 20_000 });
    expect(await headline.textContent()).toMatch(/^At risk: \d+\/100/);
    expect(await app.locator(".reasons li").count()).toBeGreaterThan(0);
    expect(await app.locator(".advice li").last().textContent()).toMatch(/^Loop in their CSM, .+@/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "zendesk-sidebar-at-risk.png") });

    await page.goto(demo.sidebar.healthy ?? "");
    await app.locator(".headline").waitFor({ timeout: 20_000 });
    expect(await app.locator(".headline").textContent()).toMatch(/^Healthy customer \(\d+\/100/);
    expect(await app.locator(".reasons li").count()).toBe(0);
    expect(await app.locator(".advice li").count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, "zendesk-sidebar-healthy.png") });

    // Without Zendesk's signed load the page is refused; with a forged session its data is too.
    const unsigned = await fetch(`${demo.worker.url}/zendesk/sidebar`, {
      method: "POST",
      body: new URLSearchParams({ token: "x.y.z" }),
    });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(
      `${demo.worker.url}/zendesk/sidebar?organizationId=1&subdomain=acme`,
      {
        headers: { authorization: "Bearer x.y.z" },
      },
    );
    expect(forged.status).toBe(401);
  });
});

describe("every admin page, in a browser as an admin uses it", () => {
  let context: BrowserContext;
  let page: Page;
  const visited: string[] = [];

  beforeAll(async () => {
    // CSP stays on for the pages; only the test's own axe script is let in.
    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
    await context.addCookies(cookies);
    page = await context.newPage();
  });
  // The browser's own close (the file's afterAll) ends this context: Chromium here is one process.

  const open = async (path: string) => {
    await page.goto(new URL(path, demo.worker.url).toString());
    visited.push(path);
  };

  it("filters and sorts the accounts list", async () => {
    expect(cookies.length).toBeGreaterThan(0);
    await open("/admin/accounts");
    const rows = page.locator("main table tbody tr");
    const all = await rows.count();
    expect(all).toBeGreaterThan(10);
    await page.selectOption("select[name=band]", "at_risk");
    await page.click("form.filters button[type=submit], main form button:has-text('Filter')");
    await page.waitForURL(/band=at_risk/);
    const atRisk = await rows.count();
    expect(atRisk).toBeGreaterThan(0);
    expect(atRisk).toBeLessThan(all);
    // Sorted by name, then by score lowest first, then highest first: the header says which.
    await page.click("th a:has-text('Account')");
    await page.waitForURL(/sort=name/);
    await page.click("th a:has-text('Score')");
    await page.waitForURL(/sort=score/);
    expect(await page.getAttribute("th[aria-sort]", "aria-sort")).toBe("ascending");
    const scoreAt = async () =>
      (await page.locator("main table tbody tr td:nth-child(3)").allTextContents()).map((t) =>
        Number.parseInt(t, 10),
      );
    const asc = await scoreAt();
    expect(asc.every(Number.isFinite)).toBe(true);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.click("th a:has-text('Score')");
    await page.waitForURL(/dir=desc/);
    expect(await page.getAttribute("th[aria-sort]", "aria-sort")).toBe("descending");
    const desc = await scoreAt();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await page.screenshot({ path: join(SHOTS, "admin-accounts.png"), fullPage: true });
  });

  it("opens an account and reads its timeline, contacts and vendor links", async () => {
    await page.click("main table tbody tr td a");
    await page.waitForURL(/\/admin\/accounts\/[^/?]+$/);
    visited.push(new URL(page.url()).pathname);
    const entries = page.locator("#timeline .timeline-entry");
    expect(await entries.count()).toBeGreaterThan(0);
    expect(await entries.first().locator("time").getAttribute("datetime")).toMatch(
      /^\d{4}-\d{2}-\d{2}$/,
    );
    // Each person once, though HubSpot, Zendesk and Salesforce each know them.
    const names = await page.locator("#contacts .contact-row td:first-child").allTextContents();
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    expect(await page.locator(".links a[href^='https://app.hubspot.com/']").count()).toBe(1);
    // Each day's value on hover.
    expect(await page.locator("svg.chart rect.point title").first().textContent()).toMatch(
      /^\d{4}-\d{2}-\d{2}: \d+/,
    );
    await page.screenshot({ path: join(SHOTS, "admin-account-timeline.png"), fullPage: true });
    await page.click("a:has-text('Preview what each vendor shows')");
    await page.waitForURL(/\/admin\/previews\//);
    visited.push(new URL(page.url()).pathname);
    for (const v of ["hubspot", "zendesk", "salesforce"])
      expect(await page.locator(`#preview-${v}`).count(), v).toBe(1);
    expect(await page.locator("#preview-hubspot .headline").textContent()).toMatch(/\d+\/100/);
    expect(await page.locator("#preview-zendesk .headline").textContent()).not.toBe("");
    expect(await page.locator("#preview-salesforce dl.fields dt").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "admin-previews.png"), fullPage: true });
  });

  it("changes a weight, sees the preview's figures change before saving, saves and undoes", async () => {
    await open("/admin/settings");
    expect(await page.locator("#preview-figures").count()).toBe(0);
    // Going dark counts for nothing in any stage: fewer tasks, different figures.
    for (const stage of ["onboarding", "adoption", "mature", "renewal"])
      await page.fill(`input[name='w.${stage}.going_dark']`, "0");
    await page.click("#preview-button");
    await page.waitForSelector("#preview-figures");
    const cells = async () => ({
      current: await page.locator("#preview-figures tbody tr td:nth-of-type(1)").allTextContents(),
      draft: await page.locator("#preview-figures tbody tr td.draft-figure").allTextContents(),
    });
    const figures = await cells();
    expect(figures.draft).toHaveLength(5);
    expect(figures.draft).not.toEqual(figures.current);
    // The draft stays in the form; nothing is saved yet.
    expect(await page.inputValue("input[name='w.mature.going_dark']")).toBe("0");
    expect(await page.locator("#history .change").count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, "admin-settings-preview.png"), fullPage: true });
    await page.click("#save-button");
    await page.waitForSelector("#saved");
    expect(await page.locator("#saved").textContent()).toContain("going_dark: 0.6 → 0");
    expect(await page.locator("#history .change").count()).toBe(1);
    await page.click("#history button.undo");
    await page.waitForSelector("#saved");
    expect(await page.locator("#saved").textContent()).toContain("going_dark: 0 → 0.6");
    expect(await page.locator("#history .change").count()).toBe(2);
    expect(await page.inputValue("input[name='w.mature.going_dark']")).toBe("0.6");
    visited.push("/admin/settings");
  });

  it("sees what was written in the writeback log, and the trust page", async () => {
    await open("/admin/writeback");
    const rows = page.locator("#log .log-row");
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator("#log .log-fields").count()).toBeGreaterThan(0);
    expect(await page.locator("#log a[href^='https://']").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "admin-writeback.png"), fullPage: true });
    await open("/admin/trust");
    // The demo's portfolio has churned customers: the figures, not the too-few message.
    expect(await page.locator("#preview-figures").count()).toBe(1);
    expect(await page.locator("#too-few").count()).toBe(0);
    expect(await page.locator("#data-age .age-row").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "admin-trust.png"), fullPage: true });
    await open("/admin/usage");
  });

  it("watches sync progress move after Sync now, without a reload", async () => {
    await open("/admin");
    await page.evaluate("window.notReloaded = true");
    // Each connection's "this run": the first sync's pages and records, until the new run moves them.
    const thisRun = () => page.locator("#sync-live .sync-run").allInnerTexts();
    const before = await thisRun();
    expect(before).toHaveLength(3);
    await page.click("button:has-text('Sync now')");
    await expect
      .poll(() => page.locator("#sync-started").textContent(), { timeout: 10_000 })
      .toMatch(/^Sync started at .+ for 3 connections\.$/);
    await expect.poll(thisRun, { timeout: 60_000, interval: 500 }).not.toEqual(before);
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    await page.screenshot({ path: join(SHOTS, "admin-sync-progress.png"), fullPage: true });
  });

  it("every page passes axe (no serious or critical violation) and none scrolls sideways at 390 px", async () => {
    const pages = [...new Set(["/admin", "/admin/accounts", ...visited])];
    expect(pages.length).toBeGreaterThanOrEqual(8);
    const problems: string[] = [];
    for (const path of pages) {
      for (const width of [1200, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(new URL(path, demo.worker.url).toString());
        const wide = await sideways(page);
        if (wide > 0) problems.push(`${path} at ${width} px: ${wide} px too wide`);
        for (const p of await axeProblems(page)) problems.push(`${path} at ${width} px: ${p}`);
      }
      if (path === "/admin/accounts")
        await page.screenshot({ path: join(SHOTS, "admin-accounts-390.png"), fullPage: true });
    }
    expect(problems).toEqual([]);
  });
});
