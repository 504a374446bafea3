// End to end, as `npm start` runs it: the HubSpot, Zendesk and Salesforce sandboxes, the Worker
// under wrangler dev, the HubSpot install with Zendesk and Salesforce connected to the same tenant,
// all three first syncs → score → writeback; then headless Chromium signs in with the printed link, sees the at-risk list, opens an
// account with its reasons and trend chart, and opens the agent's view of a ticket from an at-risk
// and from a healthy customer with Ebb's sidebar in it (Zendesk's frame and ZAF SDK are the
// sandbox's stand-ins; the page, its signed load and the Worker are real); screenshots saved.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";
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
