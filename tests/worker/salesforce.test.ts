// Each test has storage of its own (the pool isolates it); the sandbox org is shared, so they run
// in this one file, in order. A team that lives in Salesforce: Ebb installed from Salesforce alone
// (the org id names the tenant), tasks written into it once, the admin showing the share of the
// org's daily allocation Ebb used, and the next sync pausing (not failing) once that share is spent.
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
  connections: { id: string; status: string; last_error: string | null }[];
}
const salesforce = async <T>(path: string) =>
  (await (await fetch(`${inject("salesforceUrl")}${path}`)).json()) as T;
const base = () => inject("salesforceUrl");

/**
 * A customer's bad fortnight in support, entered in Salesforce's own UI (not through the API): 24
 * critical, escalated, badly rated cases about one broken export, stamped five minutes ago.
 */
async function badFortnight(accountId: string): Promise<void> {
  const now = Date.now();
  await fetch(`${base()}/__sandbox/insert`, {
    method: "POST",
    body: JSON.stringify({
      object: "Case",
      atMs: now - 5 * 60_000,
      records: Array.from({ length: 24 }, (_, k) => ({
        AccountId: accountId,
        Subject: "Export broken again, data missing",
        Description: "This is unacceptable. We are losing data every day and nobody answers.",
        Status: k % 3 === 0 ? "Closed" : "Escalated",
        Priority: "Critical",
        IsEscalated: true,
        CSAT__c: 1,
        Reopen_Count__c: 2,
        First_Response_Minutes__c: 900,
        Tags__c: "export;bug",
        CreatedDateMs: now - (14 - Math.floor(k / 2)) * 86_400_000,
      })),
    }),
  });
}

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
    // HubSpot, connected first, is the task home: Salesforce gets fields, not a second task.
    const ours = await Promise.all(
      accounts.map((a) =>
        salesforce<{ tasks: Record<string, unknown>[] }>(`/__sandbox/accounts/${a.Id}`),
      ),
    );
    expect(ours.flatMap((w) => w.tasks.filter((t) => t[TASK_KEY_FIELD]))).toEqual([]);
    const dash = await (await worker("/admin", { headers: { cookie } })).text();
    expect(dash).toContain("Follow-up tasks go into");
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

    // The admin sends tasks to Salesforce and counts its cases; a customer's bad fortnight in
    // support, entered there, then raises a task in Salesforce and none in HubSpot.
    const form = (path: string, vendor: string) =>
      worker(path, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, vendor }),
      });
    expect((await form("/admin/task-home", "zendesk")).status).toBe(400);
    expect((await form("/admin/task-home", "salesforce")).status).toBe(303);
    expect((await form("/admin/ticket-source", "salesforce")).status).toBe(303);
    const victim = accounts.find((a) => a[HEALTH_FIELDS.band] === "healthy");
    await badFortnight(String(victim?.Id));
    // The ticket source's change queued Salesforce's sync (its cases are read again).
    const written = await until(
      "the task in Salesforce",
      async () => {
        const { tasks } = await salesforce<{ tasks: Record<string, unknown>[] }>(
          `/__sandbox/accounts/${victim?.Id}`,
        );
        const x = await status();
        return tasks.some((t) => t[TASK_KEY_FIELD]) && !x.scoring && x.pendingWriteback === 0
          ? tasks
          : undefined;
      },
      120_000,
    );
    // The same task is not in HubSpot (other tests' tenants share that portal: by key, not count).
    const key = written.find((t) => t[TASK_KEY_FIELD])?.[TASK_KEY_FIELD];
    const { results } = (await (
      await fetch(`${inject("hubspotUrl")}/__sandbox/objects/tasks`)
    ).json()) as { results: { properties: Record<string, string> }[] };
    expect(results.filter((t) => t.properties.ebb_dedupe_key === key)).toEqual([]);
  }, 240_000);

  it("installs from Salesforce, writes tasks into it once, shows and keeps to its API share", async () => {
    // Another org (the sandbox's data under a new id): the first test's org belongs to its tenant.
    const org = async (orgId: string, reset = false) =>
      fetch(`${base()}/__sandbox/org`, { method: "POST", body: JSON.stringify({ orgId, reset }) });
    await org("00DEb0000000002EAA", true);
    const { loginPath } = await install("/install/salesforce");
    const cookie = await signIn(loginPath);
    const status = async () =>
      (await (await worker("/admin/api/status", { headers: { cookie } })).json()) as Status;
    const first = await until(
      "the first sync, scoring and writeback",
      async () => {
        const x = await status();
        return x.syncs[0]?.last_success_at && x.lastScore && !x.scoring && x.pendingWriteback === 0
          ? x
          : undefined;
      },
      120_000,
    );
    expect(first.syncs.map((y) => y.vendor)).toEqual(["salesforce"]);
    console.log(
      "DEBUG",
      JSON.stringify({
        a: first.accounts,
        b: (first as never as { bands: unknown }).bands,
        r: (first as never as { atRisk: unknown[] }).atRisk.length,
      }),
    );
    const { accounts } = await salesforce<{ accounts: Record<string, unknown>[] }>(
      "/__sandbox/accounts",
    );
    expect(accounts.every((a) => a[HEALTH_FIELDS.band])).toBe(true);
    const tasksNow = async () =>
      (
        await Promise.all(
          accounts.map((a) =>
            salesforce<{ tasks: Record<string, unknown>[] }>(`/__sandbox/accounts/${a.Id}`),
          ),
        )
      ).flatMap((w) => w.tasks.filter((t) => t[TASK_KEY_FIELD]));
    const { csrf } = (await (
      await worker("/admin/api/session", { headers: { cookie } })
    ).json()) as {
      csrf: string;
    };
    const sync = () =>
      worker("/admin/sync", {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf }),
      });
    // Without product usage (HubSpot's), this org's customers look calm: then one of them has a
    // bad fortnight in support, entered in Salesforce, and the next sync finds it.
    const victim = accounts.find((a) => a[HEALTH_FIELDS.band] === "healthy");
    await badFortnight(String(victim?.Id));
    const before0 = first.syncs[0]?.last_success_at ?? 0;
    await sync();
    await until("the sync that reads the new cases", async () => {
      const x = await status();
      const y = x.syncs[0];
      return y?.last_success_at &&
        y.last_success_at > before0 &&
        !x.scoring &&
        x.pendingWriteback === 0
        ? x
        : undefined;
    });
    const tasks = await tasksNow();
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.some((t) => t.WhatId === victim?.Id)).toBe(true);
    const owner = new Map(accounts.map((a) => [a.Id, a.OwnerId]));
    for (const t of tasks) {
      expect(t.OwnerId).toBe(owner.get(t.WhatId));
      expect(String(t.Subject).length).toBeGreaterThan(0);
      expect(t.ActivityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // The admin shows Ebb's share of the org's allocation.
    const page = await (await worker("/admin", { headers: { cookie } })).text();
    expect(page).toMatch(
      /API calls in the last 24 h: \d+ of Ebb&#39;s 10,000 \(10% of the org&#39;s 100,000/,
    );

    // Another sync with nothing new, and its writeback: no second task.
    const before = (await status()).syncs[0]?.last_success_at ?? 0;
    await sync();
    await until("the second sync", async () => {
      const x = await status();
      const y = x.syncs[0];
      return y?.last_success_at &&
        y.last_success_at > before &&
        !x.scoring &&
        x.pendingWriteback === 0
        ? x
        : undefined;
    });
    expect((await tasksNow()).length).toBe(tasks.length);

    // The org's allocation shrinks to 50 a day: Ebb's 5 are spent, so the next sync pauses.
    await fetch(`${base()}/__sandbox/allocation`, {
      method: "POST",
      body: JSON.stringify({ max: 50 }),
    });
    // One answer tells the gate the new size (the sandbox reports it on every answer).
    await sync();
    const paused = await until("the sync to pause", async () => {
      const x = await status();
      return x.connections[0]?.last_error?.startsWith("Paused until") ? x : undefined;
    });
    expect(paused.connections[0]?.status).toBe("active");
    expect(paused.connections[0]?.last_error).toContain("10% share of the daily API allocation");
    expect(paused.accounts).toBe(first.accounts);
    await fetch(`${base()}/__sandbox/allocation`, {
      method: "POST",
      body: JSON.stringify({ max: 100_000 }),
    });
    await org("00DEb0000000001EAA");
  }, 240_000);
});
