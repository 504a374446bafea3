// Writeback to Zendesk: fields created once at install, health written through update_many (100 a
// call, the job polled to completion, a refused organization reported while the rest land), only
// what changed, and the at-risk tag added and removed without touching the organization's own tags.
import { afterEach, describe, expect, it } from "vitest";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot } from "../../core/model.ts";
import { zendeskContext } from "../../tests/support/zendesk.ts";
import type { AccountChange } from "../connector.ts";
import { AT_RISK_TAG, HEALTH_FIELDS } from "./map.ts";
import { ensureZendeskSetup, pushZendesk } from "./push.ts";
import { seedAccount } from "./sandbox/seed.ts";
import { startZendeskSandbox, type ZendeskSandbox } from "./sandbox/server.ts";

let sandbox: ZendeskSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const snapshot = (band: HealthSnapshot["band"], score: number): HealthSnapshot => ({
  accountId: "a",
  day: "2026-11-30",
  score,
  band,
  trend: band === "at_risk" ? "decaying" : "plateau",
  coverage: 0.8,
  signals: [
    {
      key: "support_experience",
      risk: band === "at_risk" ? 0.8 : 0,
      weight: 1,
      evidence: "3 of the last 5 tickets rated bad.",
    },
  ],
});

describe("Zendesk push", () => {
  it("creates its organization fields once, and writes 150 organizations in two update_many jobs", async () => {
    const seeded = seedAccount(generatePortfolio({ accounts: 150, seed: 5, days: 30 }).portfolio);
    sandbox = await startZendeskSandbox({ state: seeded.state, jobMs: 200 });
    const ctx = zendeskContext(sandbox);
    expect((await ensureZendeskSetup(ctx)).created).toHaveLength(Object.keys(HEALTH_FIELDS).length);
    expect((await ensureZendeskSetup(ctx)).created).toEqual([]);
    const orgs = [...seeded.state.organizations.keys()];
    const changes: AccountChange[] = orgs.map((id, k) => ({
      externalId: String(id),
      snapshot: snapshot(k % 10 === 0 ? "at_risk" : "healthy", k % 10 === 0 ? 31 : 82),
      tasks: [],
    }));
    // One organization was deleted in Zendesk since the last pull: Zendesk's job reports it.
    const gone = orgs[7] as number;
    const g = seeded.state.organizations.get(gone);
    if (g) g.data.deleted_at = "2026-11-30T00:00:00Z";
    const result = await pushZendesk(ctx, changes);
    const jobs = sandbox.state.calls.filter((c) => c.path.endsWith("update_many.json"));
    expect(jobs).toHaveLength(2);
    expect(
      sandbox.state.calls.filter((c) => c.path.startsWith("/api/v2/job_statuses/")).length,
    ).toBeGreaterThanOrEqual(2);
    expect(result.updatedRecords).toBe(149);
    expect(result.failures).toEqual([
      { externalId: String(gone), message: expect.stringContaining("not found") },
    ]);
    // Tags: read first (two calls of 100), then added only where at risk; none removed blindly.
    expect(
      sandbox.state.calls.filter((c) => c.path.endsWith("organizations/show_many.json")),
    ).toHaveLength(2);
    expect(sandbox.state.calls.filter((c) => c.path.endsWith("/tags.json"))).toHaveLength(15);
    const first = seeded.state.organizations.get(orgs[0] as number)?.data;
    expect(first?.organization_fields).toMatchObject({
      ebb_health_score: "31",
      ebb_health_band: "at_risk",
      ebb_scored_at: "2026-11-30",
    });
    expect(first?.tags).toEqual([AT_RISK_TAG]);
    expect(seeded.state.organizations.get(orgs[1] as number)?.data.tags).toEqual([]);

    // Nothing changed: nothing is written.
    const calls = sandbox.state.calls.length;
    const again = await pushZendesk(
      ctx,
      changes
        .map((c) => ({ ...c, lastWritten: result.written[c.externalId] ?? {} }))
        .filter((c) => c.externalId !== String(gone)),
    );
    expect(again.writeCalls).toBe(0);
    expect(sandbox.state.calls.length).toBe(calls);
  });

  it("adds and removes the at-risk tag, leaving the organization's own tags", async () => {
    const seeded = seedAccount(generatePortfolio({ accounts: 2, seed: 5, days: 30 }).portfolio);
    sandbox = await startZendeskSandbox({ state: seeded.state, jobMs: 0 });
    const ctx = zendeskContext(sandbox);
    await ensureZendeskSetup(ctx);
    const id = [...seeded.state.organizations.keys()][0] as number;
    const org = seeded.state.organizations.get(id)?.data;
    if (org) org.tags = ["vip", "emea"];
    const risky = await pushZendesk(ctx, [
      { externalId: String(id), snapshot: snapshot("at_risk", 30), tasks: [] },
    ]);
    expect(org?.tags).toEqual(["vip", "emea", AT_RISK_TAG]);
    const better = await pushZendesk(ctx, [
      {
        externalId: String(id),
        snapshot: snapshot("healthy", 80),
        tasks: [],
        lastWritten: risky.written[String(id)] ?? {},
      },
    ]);
    expect(better.failures).toEqual([]);
    expect(org?.tags).toEqual(["vip", "emea"]);
    // Only the score fields that changed went out.
    const bodies = sandbox.state.calls.filter((c) => c.path.endsWith("update_many.json"));
    expect(bodies).toHaveLength(2);
    expect(
      sandbox.state.calls.some((c) => c.method === "POST" && c.path.endsWith("/tags.json")),
    ).toBe(false);
  });

  it("removes an at-risk tag an earlier install left on a customer that is healthy now", async () => {
    const seeded = seedAccount(generatePortfolio({ accounts: 2, seed: 5, days: 30 }).portfolio);
    sandbox = await startZendeskSandbox({ state: seeded.state, jobMs: 0 });
    const ctx = zendeskContext(sandbox);
    await ensureZendeskSetup(ctx);
    const [a, b] = [...seeded.state.organizations.keys()] as [number, number];
    const stale = seeded.state.organizations.get(a)?.data;
    if (stale) stale.tags = ["vip", AT_RISK_TAG];
    const r = await pushZendesk(ctx, [
      { externalId: String(a), snapshot: snapshot("healthy", 80), tasks: [] },
      { externalId: String(b), snapshot: snapshot("healthy", 85), tasks: [] },
    ]);
    expect(r.failures).toEqual([]);
    expect(stale?.tags).toEqual(["vip"]);
    const tagCalls = sandbox.state.calls.filter((c) => c.path.endsWith("/tags.json"));
    expect(tagCalls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `DELETE /api/v2/organizations/${a}/tags.json`,
    ]);
    expect(r.written[String(b)]?.["tag:ebb_at_risk"]).toBe("0");
  });
});
