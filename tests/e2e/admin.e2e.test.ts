// End to end, as `npm start` runs it: sandbox, Worker under wrangler dev, install, first sync →
// score → writeback; then headless Chromium signs in with the printed link, sees the at-risk list,
// opens an account, sees its reasons and trend chart, and saves a screenshot.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDemo, startLocalDemo } from "../../cli/local-demo.ts";
import { freePort } from "../../cli/local-worker.ts";

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
});
