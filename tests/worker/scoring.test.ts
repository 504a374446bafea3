// Scoring in the tenant store, a slice of accounts per invocation, from aggregates kept as records
// arrive: the same results as scoring the whole portfolio at once, a late record rescoring only
// the days it touches, and a crash mid-way resuming where it stopped.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TenantStore } from "../../app/tenant/tenant-store.ts";
import type { RecordBatch } from "../../connectors/connector.ts";
import { addDays } from "../../core/day.ts";
import { scorePortfolio } from "../../core/engine.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import {
  emptyPortfolio,
  type HealthSnapshot,
  type Portfolio,
  RECORD_KINDS,
  type Task,
} from "../../core/model.ts";
import { scoreNow } from "./support/helpers.ts";

const ACCOUNTS = 24;
const portfolio = generatePortfolio({
  accounts: ACCOUNTS,
  seed: 77,
  start: "2024-01-01",
  days: 730,
}).portfolio;
const lastDay = [...portfolio.usage.map((u) => u.day)].sort().at(-1) as string;

type Stub = DurableObjectStub<TenantStore>;
let tenants = 0;
const newStore = (): Stub =>
  env.TENANTS.get(env.TENANTS.idFromName(`scoring-test-${Date.now()}-${tenants++}`));

/** Load a portfolio through the store's own page path, in pages of at most 2,000 records. */
async function load(store: Stub, p: Portfolio): Promise<void> {
  const now = Date.now();
  await store.beginSync("conn", "hubspot", "run", "holder", now);
  const rows: { kind: (typeof RECORD_KINDS)[number]; r: unknown }[] = [];
  for (const kind of RECORD_KINDS) for (const r of p[kind]) rows.push({ kind, r });
  for (let k = 0; k < rows.length; k += 2000) {
    const page: RecordBatch = { ...emptyPortfolio(), deleted: [] };
    for (const { kind, r } of rows.slice(k, k + 2000)) (page[kind] as unknown[]).push(r);
    const last = k + 2000 >= rows.length;
    const res = await store.applyPage(
      "conn",
      "hubspot",
      "run",
      "holder",
      page,
      last ? { cursor: { done: true } } : null,
      now,
    );
    expect(res.stored).toBe(true);
  }
  await store.endSync("conn", "hubspot", "run", "holder", {}, now);
}

/** Everything scoring wrote, as stored. */
const dump = (store: Stub) =>
  runInDurableObject(store, (_, state) => {
    const q = (s: string) => JSON.stringify(state.storage.sql.exec(s).toArray());
    return {
      snapshots: q(
        "SELECT account_id, day, score, band, trend, coverage FROM snapshots ORDER BY account_id, day",
      ),
      latest: q("SELECT account_id, snapshot FROM latest_snapshots ORDER BY account_id"),
      tasks: q(
        "SELECT dedupe_key, action, account_id, day, data FROM tasks ORDER BY dedupe_key, action",
      ),
      states: q("SELECT account_id, state FROM account_state ORDER BY account_id"),
      alerts: q("SELECT day, title, body FROM alerts ORDER BY day, title"),
    };
  });

const snapshotsOf = async (store: Stub, accountId: string) =>
  runInDurableObject(store, (_, state) =>
    state.storage.sql
      .exec<{ day: string; score: number; band: string; trend: string; coverage: number }>(
        "SELECT day, score, band, trend, coverage FROM snapshots WHERE account_id = ? ORDER BY day",
        accountId,
      )
      .toArray(),
  );

const recordsOf = (store: Stub) =>
  runInDurableObject(
    store,
    (_, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM records").one().n,
  );

describe("scoring in slices", () => {
  it("holds one slice of accounts' records per invocation, and writes byte for byte what whole-portfolio scoring writes", async () => {
    const sliced = newStore();
    const whole = newStore();
    await load(sliced, portfolio);
    await load(whole, portfolio);
    const total = await recordsOf(sliced);
    const run = await scoreNow(sliced, lastDay, ["hubspot"], 3);
    await scoreNow(whole, lastDay, ["hubspot"], 10_000);

    // Eight slices of three accounts, each loading its own accounts' records only.
    expect(run.steps.map((s) => s.accounts)).toEqual(new Array(ACCOUNTS / 3).fill(3));
    expect(run.steps.reduce((n, s) => n + s.records, 0)).toBe(total);
    expect(Math.max(...run.steps.map((s) => s.records))).toBeLessThan(total / 4);

    const a = await dump(sliced);
    const b = await dump(whole);
    expect(a.snapshots.length).toBeGreaterThan(1000);
    expect(a).toEqual(b);

    // And both are what the core writes for the whole portfolio in memory.
    const latest = new Map<string, HealthSnapshot>();
    const days = new Map<string, HealthSnapshot[]>();
    const tasks: (Task & { day: string })[] = [];
    const summary = scorePortfolio(
      portfolio,
      { to: lastDay },
      {
        snapshot: (s) => {
          latest.set(s.accountId, s);
          const list = days.get(s.accountId) ?? [];
          list.push(s);
          days.set(s.accountId, list);
        },
        task: (t) => tasks.push(t),
      },
    );
    // Its portfolio alerts too, sized from the store's aggregates: those of the kept 400 days.
    const kept400 = addDays(lastDay, -400);
    const coreAlerts = summary.alerts
      .filter((x) => x.kind === "incident" && x.incident.to >= kept400)
      .map(({ day, title, body }) => ({ day, title, body }))
      .sort((x, y) => (x.day + x.title).localeCompare(y.day + y.title));
    expect(coreAlerts.length).toBeGreaterThan(0);
    expect(JSON.parse(a.alerts)).toEqual(coreAlerts);
    const stored = JSON.parse(a.latest) as { account_id: string; snapshot: string }[];
    expect(stored.length).toBe(latest.size);
    for (const row of stored) expect(row.snapshot).toBe(JSON.stringify(latest.get(row.account_id)));
    const storedTasks = JSON.parse(a.tasks) as { dedupe_key: string; action: string }[];
    expect(storedTasks.map((t) => `${t.dedupe_key}/${t.action}`).sort()).toEqual(
      tasks.map((t) => `${t.dedupeKey}/${t.action}`).sort(),
    );
    const id = portfolio.accounts[0]!.id;
    const series = days.get(id)!;
    const kept = series.filter((s) => s.day >= addDays(series.at(-1)!.day, -400));
    expect(await snapshotsOf(sliced, id)).toEqual(
      kept.map(({ day, score, band, trend, coverage }) => ({ day, score, band, trend, coverage })),
    );
  });

  it("rescores a record dated 20 days ago on those days only, from a checkpoint, and no other account", async () => {
    const store = newStore();
    await load(store, portfolio);
    await scoreNow(store, lastDay, ["hubspot"], 8);
    const before = await dump(store);
    // A live account (scored through the last day) gets a bad, escalated ticket 20 days late.
    const target = (JSON.parse(before.states) as { account_id: string; state: string }[]).find(
      (r) => (JSON.parse(r.state) as { day: string }).day === lastDay,
    )!.account_id;
    const late = addDays(lastDay, -20);
    const old = await snapshotsOf(store, target);
    const page: RecordBatch = {
      ...emptyPortfolio(),
      deleted: [],
      tickets: [
        {
          id: "late-ticket",
          accountId: target,
          createdAt: `${late}T09:30:00Z`,
          status: "open",
          priority: "urgent",
          tags: ["billing"],
          subject: "Still broken, this is unacceptable",
          text: "We are furious: the export has failed for days and nobody answers.",
          satisfaction: "bad",
          escalated: true,
          reopens: 3,
        },
      ],
    };
    const now = Date.now();
    expect((await store.beginSync("conn", "hubspot", "run-2", "holder-2", now)).ok).toBe(true);
    const stored = await store.applyPage(
      "conn",
      "hubspot",
      "run-2",
      "holder-2",
      page,
      { cursor: { done: true } },
      now,
    );
    expect(stored.stored).toBe(true);
    const run = await scoreNow(store, lastDay, ["hubspot"], 8);
    // Only that account is planned; it resumes from the checkpoint before the ticket's day.
    expect(run.steps).toEqual([{ accounts: 1, records: expect.any(Number) }]);
    // From the checkpoint (at most 6 days before the ticket's day) to the last day: 21 to 27 days.
    const last = await runInDurableObject(store, (_, state) =>
      state.storage.sql
        .exec<{ account_days: number }>(
          "SELECT account_days FROM score_runs ORDER BY id DESC LIMIT 1",
        )
        .one(),
    );
    expect(last.account_days).toBeGreaterThanOrEqual(21);
    expect(last.account_days).toBeLessThanOrEqual(27);
    const after = await snapshotsOf(store, target);
    expect(after.map((s) => s.day)).toEqual(old.map((s) => s.day));
    const changed = after.filter((s, i) => JSON.stringify(s) !== JSON.stringify(old[i]));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((s) => s.day >= late)).toBe(true);
    expect(after.filter((s) => s.day < late)).toEqual(old.filter((s) => s.day < late));
    // Every other account's scores stay as they were.
    const others = (rows: string) =>
      (JSON.parse(rows) as { account_id: string }[]).filter((r) => r.account_id !== target);
    const now2 = await dump(store);
    expect(others(now2.snapshots)).toEqual(others(before.snapshots));
    expect(others(now2.latest)).toEqual(others(before.latest));
  });

  it("sizes an incident's alert again when a late ticket lands in its days, and keeps one alert for it", async () => {
    const store = newStore();
    await load(store, portfolio);
    await scoreNow(store, lastDay, ["hubspot"], 8);
    const summary = scorePortfolio(portfolio, { to: lastDay, explain: false });
    const first = summary.alerts.find(
      (x) => x.kind === "incident" && x.incident.to >= addDays(lastDay, -400),
    );
    if (first?.kind !== "incident") throw new Error("no incident in the kept days");
    const incident = first.incident;
    const alerts = async () =>
      JSON.parse((await dump(store)).alerts) as { day: string; title: string; body: string }[];
    const before = (await alerts()).filter((x) => x.day === incident.from);
    expect(before).toHaveLength(1);
    expect(before[0]?.body).toContain(
      `${incident.tickets} tickets from ${incident.accounts} accounts`,
    );
    // One more ticket on the incident's first day and tag, from an account that filed none then.
    const quiet = portfolio.accounts.find(
      (a) =>
        !portfolio.tickets.some(
          (t) => t.accountId === a.id && t.createdAt.slice(0, 10) === incident.from,
        ),
    )!;
    const now = Date.now();
    expect((await store.beginSync("conn", "hubspot", "run-3", "holder-3", now)).ok).toBe(true);
    await store.applyPage(
      "conn",
      "hubspot",
      "run-3",
      "holder-3",
      {
        ...emptyPortfolio(),
        deleted: [],
        tickets: [
          {
            id: "late-incident-ticket",
            accountId: quiet.id,
            createdAt: `${incident.from}T12:00:00Z`,
            status: "solved",
            tags: [incident.tags[0]!],
          },
        ],
      },
      { cursor: { done: true } },
      now,
    );
    await scoreNow(store, lastDay, ["hubspot"], 8);
    const after = (await alerts()).filter((x) => x.day === incident.from);
    expect(after).toHaveLength(1);
    expect(after[0]?.body).toContain(
      `${incident.tickets + 1} tickets from ${incident.accounts + 1} accounts`,
    );
  });

  it("resumes after a crash in the middle of a slice at that slice: no account scored twice for a day, none skipped", async () => {
    const clean = newStore();
    const store = newStore();
    await load(clean, portfolio);
    await load(store, portfolio);
    await scoreNow(clean, lastDay, ["hubspot"], 4);
    await store.startScoring(lastDay, ["hubspot"], [], 4);
    const left = () =>
      runInDurableObject(
        store,
        (_, state) =>
          state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM score_plan").one().n,
      );
    await store.scoreStep();
    await store.scoreStep();
    expect(await left()).toBe(ACCOUNTS - 8);
    // The third slice dies while storing its second account's days: nothing of it is kept.
    const crashed = await runInDurableObject(store, (instance, state) => {
      const sql = state.storage.sql;
      const exec = sql.exec;
      let snapshots = 0;
      sql.exec = ((query: string, ...args: unknown[]) => {
        if (query.includes("INTO snapshots") && ++snapshots === 500)
          throw new Error("isolate died mid-slice");
        return exec.call(sql, query, ...args);
      }) as typeof sql.exec;
      try {
        (instance as TenantStore).scoreStep();
        return "no crash";
      } catch (e) {
        return (e as Error).message;
      } finally {
        sql.exec = exec;
      }
    });
    expect(crashed).toBe("isolate died mid-slice");
    expect(await left()).toBe(ACCOUNTS - 8);
    // The next invocation scores that slice, and the rest.
    let steps = 0;
    for (;;) {
      const s = await store.scoreStep();
      if (s.accounts > 0) steps++;
      if (!s.more) break;
    }
    expect(steps).toBe((ACCOUNTS - 8) / 4);
    expect(await dump(store)).toEqual(await dump(clean));
    const runs = (s: Stub) =>
      runInDurableObject(s, (_, state) =>
        state.storage.sql
          .exec<{ accounts: number; account_days: number }>(
            "SELECT accounts, account_days FROM score_runs ORDER BY id",
          )
          .toArray(),
      );
    expect(await runs(store)).toEqual(await runs(clean));
    expect((await runs(store))[0]?.accounts).toBe(ACCOUNTS);
  });
});
