// A full pull of a generated portfolio through the sandbox, with the official SDK, scores exactly
// like the generator's own files.
import { afterEach, describe, expect, it } from "vitest";
import { scorePortfolio } from "../../core/engine.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot, Portfolio } from "../../core/model.ts";
import {
  applyPages,
  sandboxContext,
  toPortfolio,
  translator,
} from "../../tests/support/hubspot.ts";
import { type HubSpotCursor, pullHubSpot } from "./pull.ts";
import { seedPortal } from "./sandbox/seed.ts";
import { type HubSpotSandbox, startHubSpotSandbox } from "./sandbox/server.ts";
import { DEFAULT_SETTINGS } from "./settings.ts";

let sandbox: HubSpotSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function score(p: Portfolio): HealthSnapshot[] {
  const out: HealthSnapshot[] = [];
  scorePortfolio(p, {}, { snapshot: (s) => out.push(s) });
  return out.sort((a, b) =>
    a.accountId === b.accountId ? (a.day < b.day ? -1 : 1) : a.accountId < b.accountId ? -1 : 1,
  );
}

describe("HubSpot pull", () => {
  it("gives exactly the snapshots the generator's own files give", async () => {
    const { portfolio } = generatePortfolio({ accounts: 12, seed: 31, days: 200 });
    const seeded = seedPortal(portfolio);
    sandbox = await startHubSpotSandbox({ state: seeded.state });
    const ctx = sandboxContext(sandbox);
    const store = new Map<string, Map<string, unknown>>();
    let pages = 0;
    let cursor: HubSpotCursor | undefined;
    for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, undefined)) {
      applyPages(store, page);
      cursor = page.cursor;
      pages++;
    }
    const pulled = toPortfolio(store);
    expect(pulled.accounts).toHaveLength(12);
    expect(pulled.tickets).toHaveLength(portfolio.tickets.length);
    expect(pulled.engagements).toHaveLength(portfolio.engagements.length);
    expect(pulled.usage).toHaveLength(portfolio.usage.length);
    expect(pulled.milestones).toHaveLength(portfolio.milestones.length);
    const translate = translator(seeded.ids);
    const milestoneIds = new Set(portfolio.milestones.map((m) => m.id));
    const expected = score(portfolio).map((s) => translate(s, milestoneIds));
    const actual = score(pulled);
    expect(actual.length).toBe(expected.length);
    expect(actual.sort(byKey)).toEqual(expected.sort(byKey));
    expect(pages).toBeGreaterThan(8);
    expect(cursor?.since).toBeGreaterThan(0);
    expect(sandbox.limitHits).toBe(0);
  });
});

function byKey(a: HealthSnapshot, b: HealthSnapshot): number {
  return a.accountId === b.accountId
    ? a.day < b.day
      ? -1
      : 1
    : a.accountId < b.accountId
      ? -1
      : 1;
}
