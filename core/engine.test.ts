// Scoring a portfolio: snapshots, bands, episodes and tasks, incidents, and incremental resume.
import { describe, expect, it } from "vitest";
import {
  bySnapshotKey,
  calmAccount,
  day,
  makeAccount,
  makeRecords,
  portfolioOf,
  ticket,
  usage,
  withIncident,
} from "../tests/builders.ts";
import { type AccountState, groupByAccount, rescoreAccounts, scorePortfolio } from "./engine.ts";
import { type HealthSnapshot, SignalKey, type Task } from "./model.ts";
import type { AccountRecords } from "./timeline.ts";

const DAYS = 400;

function peers(n = 9): AccountRecords[] {
  return Array.from({ length: n }, (_, k) => calmAccount(`peer${k}`, DAYS));
}

function decaying(id: string, from: number, to?: number): AccountRecords {
  const r = calmAccount(id, DAYS);
  r.usage = usage(id, 0, DAYS, (n) => (n >= from && (to === undefined || n < to) ? 3 : 20));
  return r;
}

function collect(p: ReturnType<typeof portfolioOf>, options = {}) {
  const snapshots: HealthSnapshot[] = [];
  const tasks: (Task & { day: string })[] = [];
  const summary = scorePortfolio(p, options, {
    snapshot: (s) => snapshots.push(s),
    task: (t) => tasks.push(t),
  });
  return { snapshots, tasks, summary };
}

describe("scoring a portfolio", () => {
  it("writes one snapshot per account per day, with all seven signals and their reasons", () => {
    const { snapshots, summary } = collect(portfolioOf(peers(3)));
    expect(summary.accountDays).toBe(3 * (DAYS + 1));
    expect(snapshots).toHaveLength(3 * (DAYS + 1));
    const s = snapshots.at(-1);
    expect(s?.signals.map((x) => x.key)).toEqual(SignalKey.options);
    expect(s?.band).toBe("healthy");
    for (const sig of s?.signals ?? []) expect(sig.evidence.length).toBeGreaterThan(0);
  });

  it("never calls an account healthy from silence: no records means insufficient_data", () => {
    const empty = makeRecords(makeAccount("empty"));
    const { snapshots } = collect(portfolioOf([empty, ...peers()]));
    const mine = snapshots.filter((s) => s.accountId === "empty");
    expect(mine.length).toBe(DAYS + 1);
    expect(new Set(mine.map((s) => s.band))).toEqual(new Set(["insufficient_data"]));
    expect(mine.at(-1)?.coverage).toBeLessThan(0.5);
  });

  it("opens one task when an account decays and closes it once it has recovered", () => {
    const { tasks } = collect(portfolioOf([decaying("sliding", 150, 210), ...peers()]));
    const mine = tasks.filter((t) => t.accountId === "sliding");
    expect(mine.map((t) => t.action)).toEqual(["open", "close"]);
    const [open, close] = mine;
    expect(open?.playbook).toBe("adoption-rescue");
    expect(open?.title).toMatch(/usage drop/);
    expect(open?.body).toMatch(
      /usage drop: Active users averaged [\d.]+ a day over the last 14 days, down \d+% from the usual 20/,
    );
    expect(open?.body).toMatch(/Owner: csm@example.com/);
    expect(close?.dedupeKey).toBe(open?.dedupeKey);
    expect(open?.day && open.day > day(150) && open.day < day(180)).toBe(true);
    expect(tasks.filter((t) => t.accountId !== "sliding")).toEqual([]);
  });

  it("raises one portfolio alert, and no task, for an incident that hits every account", () => {
    const all = peers(12);
    withIncident(all, 300);
    const { tasks, summary } = collect(portfolioOf(all));
    expect(summary.alerts).toHaveLength(1);
    expect(summary.alerts[0]?.title).toMatch(/12 accounts filed tickets tagged "sync"/);
    expect(tasks).toEqual([]);
  });

  it("scores day D+1 from day D's state: two runs joined equal one run", () => {
    const p = portfolioOf([decaying("sliding", 250), ...peers(3)]);
    const whole = collect(p).snapshots;
    const states = new Map<string, AccountState>();
    const first: HealthSnapshot[] = [];
    scorePortfolio(
      p,
      { to: day(280) },
      {
        snapshot: (s) => first.push(s),
        accountDone: (id, st) => states.set(id, structuredClone(st)),
      },
    );
    expect(states.size).toBe(4);
    const second: HealthSnapshot[] = [];
    // Resume each account from its stored state, as the tenant store will after a sync.
    const resumed = collect(p, { from: day(281) }).snapshots.length;
    expect(resumed).toBe(4 * (DAYS - 280));
    scorePortfolio(
      p,
      { from: day(281), resume: (id) => states.get(id) },
      { snapshot: (s) => second.push(s) },
    );
    expect([...first, ...second].sort(bySnapshotKey)).toEqual([...whole].sort(bySnapshotKey));
  });

  it("rescores only the planned accounts, each from its own state, and matches one whole run", () => {
    const p = portfolioOf([decaying("sliding", 250), ...peers(3)]);
    const whole = collect(p).snapshots;
    const states = new Map<string, AccountState>();
    const first: HealthSnapshot[] = [];
    const keep = {
      snapshot: (s: HealthSnapshot) => first.push(s),
      accountDone: (id: string, st: AccountState) => states.set(id, structuredClone(st)),
    };
    scorePortfolio(p, { to: day(280) }, keep);
    // One account was then scored further than the others (only it had changed).
    rescoreAccounts(
      p,
      [{ accountId: "sliding", state: states.get("sliding") }],
      { to: day(300) },
      keep,
    );
    const second: HealthSnapshot[] = [];
    const summary = rescoreAccounts(
      p,
      [...states].map(([accountId, state]) => ({ accountId, state })),
      { to: day(DAYS) },
      { snapshot: (s) => second.push(s) },
    );
    expect(summary.accountDays).toBe(DAYS - 300 + 3 * (DAYS - 280));
    expect([...first, ...second].sort(bySnapshotKey)).toEqual([...whole].sort(bySnapshotKey));
    // Accounts not planned are not scored at all.
    const none = rescoreAccounts(p, [], { to: day(DAYS) });
    expect(none.accountDays).toBe(0);
  });

  it("groups records by account whether they arrive account by account or interleaved", () => {
    const grouped = portfolioOf(peers(3));
    // The same records dealt out round-robin across accounts, with an unknown account's ticket in
    // the middle of a run and records of one account split into several runs.
    const deal = <T extends { accountId: string }>(rows: T[]): T[] => {
      const byAccount = new Map<string, T[]>();
      for (const r of rows) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
      const out: T[] = [];
      for (let k = 0; out.length < rows.length; k++)
        for (const list of byAccount.values()) {
          const row = list[k];
          if (row) out.push(row);
        }
      return out;
    };
    const interleaved = {
      ...grouped,
      tickets: deal(grouped.tickets),
      engagements: deal(grouped.engagements),
      usage: deal(grouped.usage),
    };
    const ghost = ticket("ghost", 10);
    interleaved.tickets.splice(4, 0, ghost);
    const a = groupByAccount(grouped);
    const b = groupByAccount(interleaved);
    expect(b.orphans).toEqual([{ kind: "tickets", id: ghost.id, accountId: "ghost" }]);
    expect(a.orphans).toEqual([]);
    expect(b.groups.map((g) => g.account.id)).toEqual(a.groups.map((g) => g.account.id));
    for (const [k, g] of a.groups.entries()) {
      const h = b.groups[k]!;
      expect(h.tickets.length).toBeGreaterThan(0);
      // Each account's records in the order they arrived in.
      expect(h.tickets).toEqual(g.tickets);
      expect(h.engagements).toEqual(g.engagements);
      expect(h.usage).toEqual(g.usage);
    }
  });

  it("reports records naming an unknown account and scores the rest", () => {
    const p = portfolioOf(peers(2));
    p.tickets.push(ticket("ghost", 10));
    const { summary } = collect(p);
    expect(summary.orphans).toEqual([
      { kind: "tickets", id: expect.stringMatching(/^ghost-t/), accountId: "ghost" },
    ]);
    expect(summary.accounts).toBe(2);
  });
});
