// Salesforce beside HubSpot in one tenant: an admin of the HubSpot install connects their org
// (consent with PKCE → callback: the sandbox checks the verifier), the first sync pulls accounts,
// contacts, cases, activities and renewals through jsforce into the same accounts (joined by
// domain), scoring runs, and the health goes back into the Account fields, follow-ups as Tasks on
// the account; the gate keeps Ebb within its share of the org's daily allocation.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { depsOf } from "../../app/deps.ts";
import { CONNECTORS } from "../../connectors/registry.ts";
import { HEALTH_FIELDS, TASK_KEY_FIELD } from "../../connectors/salesforce/map.ts";
import { workerTestPortfolio } from "../support/worker-portfolio.ts";
import { install, signIn, stateCookieOf, until, worker } from "./support/helpers.ts";

interface Status {
  accounts: number;
  pendingWriteback: number;
  syncs: {
    vendor: string;
    connection_id: string;
    last_success_at: number | null;
    records: number;
  }[];
  lastScore: { accounts: number; at: number } | null;
  scoring: { planned: number; done: number } | null;
}
const salesforce = async <T>(path: string) =>
  (await (await fetch(`${inject("salesforceUrl")}${path}`)).json()) as T;

describe("Salesforce in the Worker", () => {
  it("connects with PKCE, joins the HubSpot accounts, scores, writes health fields and tasks", async () => {
    const { loginPath } = await install();
    const cookie = await signIn(loginPath);
    const status = async () =>
      (await (await worker("/admin/api/status", { headers: { cookie } })).json()) as Status;
    await until("HubSpot's first sync and writeback", async () => {
      const x = await status();
      return x.syncs[0]?.last_success_at && x.pendingWriteback === 0 && x.lastScore && !x.scoring
        ? x
        : undefined;
    });
    const page = await (await worker("/admin", { headers: { cookie } })).text();
    expect(page).toContain("Connect Salesforce");
    const { csrf, tenantId } = (await (
      await worker("/admin/api/session", { headers: { cookie } })
    ).json()) as { csrf: string; tenantId: string };
    const started = await worker("/admin/connect", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, vendor: "salesforce" }),
    });
    expect(started.status).toBe(200);
    const href =
      /href="([^"]+)" id="continue"/.exec(await started.text())?.[1]?.replaceAll("&amp;", "&") ??
      "";
    const consent = new URL(href);
    expect(consent.pathname).toBe("/services/oauth2/authorize");
    expect(consent.searchParams.get("code_challenge_method")).toBe("S256");
    expect(consent.searchParams.get("code_challenge")?.length).toBe(43);
    const approved = await fetch(consent, { redirect: "manual" });
    const back = new URL(approved.headers.get("location") ?? "");
    const callback = await worker(`${back.pathname}${back.search}`, {
      headers: { cookie: stateCookieOf(started) },
    });
    expect(callback.status).toBe(302);

    const done = await until(
      "Salesforce's first sync, scoring and writeback",
      async () => {
        const x = await status();
        const { accounts } = await salesforce<{ accounts: Record<string, unknown>[] }>(
          "/__sandbox/accounts",
        );
        return accounts.every((a) => a[HEALTH_FIELDS.band]) &&
          x.syncs.length === 2 &&
          x.syncs.every((y) => y.last_success_at) &&
          x.pendingWriteback === 0 &&
          x.lastScore &&
          !x.scoring
          ? x
          : undefined;
      },
      120_000,
    );
    // Every Salesforce account joined its HubSpot company: still 12 customers.
    expect(done.accounts).toBe(workerTestPortfolio().accounts.length);
    const { accounts } = await salesforce<{ accounts: Record<string, unknown>[] }>(
      "/__sandbox/accounts",
    );
    for (const a of accounts) {
      // A customer that churned (a lost renewal) says so instead of a score.
      if (a[HEALTH_FIELDS.band] === "churned") {
        expect(a[HEALTH_FIELDS.score]).toBeNull();
        continue;
      }
      expect(a[HEALTH_FIELDS.score]).toEqual(expect.any(Number));
      expect(String(a[HEALTH_FIELDS.series])).toMatch(/^(\d{8}:\d+ ?)+$/);
    }
    expect(accounts.some((a) => a[HEALTH_FIELDS.band] === "churned")).toBe(true);
    // Follow-ups for accounts at risk now are Tasks on the account, owned by its owner.
    const atRisk = accounts.filter((a) => a[HEALTH_FIELDS.band] === "at_risk");
    if (atRisk.length > 0) {
      const withTasks = await Promise.all(
        atRisk.map((a) =>
          salesforce<{ tasks: Record<string, unknown>[] }>(`/__sandbox/accounts/${a.Id}`),
        ),
      );
      const ours = withTasks.flatMap((w) => w.tasks.filter((t) => t[TASK_KEY_FIELD]));
      for (const t of ours) expect(t.OwnerId).toEqual(expect.stringMatching(/^005/));
    }
    // Outcomes came from renewal opportunities: the tenant's store holds the generator's.
    const outcomes = await runInDurableObject(depsOf(env, CONNECTORS).tenant(tenantId), (_, s) =>
      s.storage.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM records WHERE kind = 'outcomes' AND vendor = 'salesforce'",
        )
        .one(),
    );
    expect(outcomes.n).toBeGreaterThan(0);
    // The gate counted Ebb's calls against its 10% of the org's allocation.
    const conn = done.syncs.find((y) => y.vendor === "salesforce");
    const usage = await depsOf(env, CONNECTORS)
      .gate(conn?.connection_id ?? "")
      .allowanceUsage();
    expect(usage).toMatchObject({ max: 100_000, allowed: 10_000 });
    expect(usage?.calls).toBeGreaterThan(5);
  }, 240_000);
});
