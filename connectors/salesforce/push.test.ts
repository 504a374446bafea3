// Writing back into Salesforce through jsforce: the packaged Account fields only where they changed,
// 200 records a call; Tasks upserted by Ebb's external id (a retried push makes no second task),
// completed when the episode closes; a failing record reported without stopping the rest; setup
// refuses an org without Ebb's package.
import { afterEach, describe, expect, it } from "vitest";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot, Task } from "../../core/model.ts";
import { salesforceContext } from "../../tests/support/salesforce.ts";
import type { AccountChange } from "../connector.ts";
import { HEALTH_FIELDS, NAMESPACE, TASK_KEY_FIELD } from "./map.ts";
import { ensureSalesforceSetup, pushSalesforce } from "./push.ts";
import { seedOrg } from "./sandbox/seed.ts";
import { type SalesforceSandbox, startSalesforceSandbox } from "./sandbox/server.ts";
import { customFields, OrgState } from "./sandbox/state.ts";

let sandbox: SalesforceSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const snapshot = (accountId: string, score: number): HealthSnapshot => ({
  accountId,
  day: "2024-06-01",
  score,
  band: score < 50 ? "at_risk" : "healthy",
  trend: score < 50 ? "decaying" : "plateau",
  coverage: 0.8,
  signals: [
    { key: "going_dark", risk: 0.7, weight: 1, evidence: "No reply from the champion in 41 days." },
  ],
});
const task = (key: string, action: "open" | "close" = "open"): Task => ({
  accountId: "a",
  playbook: "going-dark",
  title: "Ebb: re-engage the champion",
  body: "Why: no reply in 41 days.",
  dueAt: "2024-06-04",
  priority: "high",
  dedupeKey: key,
  action,
});
const writes = (s: SalesforceSandbox) =>
  s.state.calls.filter((c) => c.path.includes("/composite/sobjects"));

describe("Salesforce push", () => {
  it("writes health fields 200 accounts a call, only what changed, and nothing when nothing did", async () => {
    const p = generatePortfolio({ accounts: 250, seed: 5, days: 30 }).portfolio;
    const seeded = seedOrg(p);
    sandbox = await startSalesforceSandbox({ state: seeded.state });
    const ctx = salesforceContext(sandbox);
    const changes: AccountChange[] = p.accounts.map((a, i) => ({
      externalId: seeded.ids.get(`accounts:${a.id}`) as string,
      snapshot: snapshot(a.id, 30 + (i % 60)),
      series: [
        { day: "2024-05-31", score: 70 },
        { day: "2024-06-01", score: 30 + (i % 60) },
      ],
      tasks: [],
    }));
    const first = await pushSalesforce(ctx, changes);
    expect(first.failures).toEqual([]);
    expect(first.updatedRecords).toBe(250);
    expect(first.writeCalls).toBe(2);
    const row = seeded.state.table("Account").get(changes[0]?.externalId as string);
    expect(row).toMatchObject({
      [HEALTH_FIELDS.score]: 30,
      [HEALTH_FIELDS.band]: "at_risk",
      [HEALTH_FIELDS.coverage]: 80,
      [HEALTH_FIELDS.scoredAt]: "2024-06-01",
      [HEALTH_FIELDS.series]: "20240531:70 20240601:30",
    });
    expect(JSON.parse(String(row?.[HEALTH_FIELDS.reasons]))).toEqual([
      expect.objectContaining({
        key: "going_dark",
        evidence: "No reply from the champion in 41 days.",
      }),
    ]);
    // Told what it wrote, the same health writes nothing; one changed score writes one field.
    const told = changes.map((c) => ({ ...c, lastWritten: first.written[c.externalId] ?? {} }));
    const calls = writes(sandbox).length;
    const again = await pushSalesforce(ctx, told);
    expect(again.writeCalls).toBe(0);
    expect(writes(sandbox).length).toBe(calls);
    const one = told.map((c, i) =>
      i === 7 ? { ...c, snapshot: { ...c.snapshot, score: 99 } } : c,
    );
    const third = await pushSalesforce(ctx, one);
    expect(third.writeCalls).toBe(1);
    expect(third.updatedRecords).toBe(1);
  });

  it("upserts tasks by Ebb's key: a retried push makes no second task, and a close completes it", async () => {
    const p = generatePortfolio({ accounts: 3, seed: 5, days: 30 }).portfolio;
    const seeded = seedOrg(p);
    sandbox = await startSalesforceSandbox({ state: seeded.state });
    const ctx = salesforceContext(sandbox);
    const account = seeded.ids.get(`accounts:${p.accounts[0]?.id}`) as string;
    const owner = seeded.state.table("Account").get(account)?.OwnerId as string;
    const change: AccountChange = {
      externalId: account,
      snapshot: snapshot("a", 30),
      ownerId: owner,
      tasks: [task("a/going-dark/2024-06-01")],
    };
    const first = await pushSalesforce(ctx, [change]);
    expect(first.tasksCreated).toBe(1);
    const retried = await pushSalesforce(ctx, [change]);
    expect(retried.tasksCreated).toBe(0);
    const ours = () =>
      [...seeded.state.table("Task").values()].filter(
        (t) => t[TASK_KEY_FIELD] === "a/going-dark/2024-06-01",
      );
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatchObject({
      WhatId: account,
      AccountId: account,
      OwnerId: owner,
      Subject: "Ebb: re-engage the champion",
      ActivityDate: "2024-06-04",
      Description: "Why: no reply in 41 days.",
      Status: "Not Started",
      Priority: "High",
    });
    const closed = await pushSalesforce(ctx, [
      { ...change, tasks: [task("a/going-dark/2024-06-01", "close")] },
    ]);
    expect(closed.tasksCompleted).toBe(1);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatchObject({ Status: "Completed", IsClosed: true });
  });

  it("reports a record Salesforce refuses and writes the rest", async () => {
    const p = generatePortfolio({ accounts: 4, seed: 5, days: 30 }).portfolio;
    const seeded = seedOrg(p);
    sandbox = await startSalesforceSandbox({ state: seeded.state });
    const ids = p.accounts.map((a) => seeded.ids.get(`accounts:${a.id}`) as string);
    seeded.state.remove("Account", ids[1] as string, Date.now());
    const r = await pushSalesforce(
      salesforceContext(sandbox),
      ids.map((id) => ({ externalId: id, snapshot: snapshot(id, 40), tasks: [] })),
    );
    expect(r.updatedRecords).toBe(3);
    expect(r.failures).toEqual([
      { externalId: ids[1], message: expect.stringContaining("ENTITY_IS_DELETED") },
    ]);
    expect(r.written[ids[1] as string]).toBeUndefined();
    expect(r.written[ids[2] as string]).toBeDefined();
  });

  it("setup refuses an org without Ebb's package, naming what is missing", async () => {
    const bare = customFields();
    bare.Account = bare.Account?.filter((f) => !f.name.startsWith(`${NAMESPACE}__`)) ?? [];
    bare.Task = [];
    sandbox = await startSalesforceSandbox({ state: new OrgState(bare) });
    const err = await ensureSalesforceSetup(salesforceContext(sandbox)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "config" });
    expect(String((err as Error).message)).toContain(HEALTH_FIELDS.score);
    expect(String((err as Error).message)).toContain(TASK_KEY_FIELD);
    await sandbox.close();
    sandbox = await startSalesforceSandbox({ state: new OrgState() });
    await expect(ensureSalesforceSetup(salesforceContext(sandbox))).resolves.toBeDefined();
  });
});
