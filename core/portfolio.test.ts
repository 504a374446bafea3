import { describe, expect, it } from "vitest";
import { toDayString } from "./day.ts";
import { type AccountState, rescoreAccounts, scorePortfolio } from "./engine.ts";
import { contributionOf, factsOf, spanOfFacts } from "./facts.ts";
import { generatePortfolio } from "./generate/generate.ts";
import { groupByAccount } from "./grouping.ts";
import type { HealthSnapshot, Portfolio, Task } from "./model.ts";
import {
  buildPortfolioContext,
  contextFromAggregates,
  type IncidentTickets,
  type PortfolioContext,
} from "./portfolio.ts";

/**
 * The aggregates as a store keeps them: each record's contribution summed per day (in the records'
 * order, not account by account), accounts per tag and day, and each account's span.
 */
function aggregatesOf(p: Portfolio): PortfolioContext {
  const { groups } = groupByAccount(p);
  const known = new Set(p.accounts.map((a) => a.id));
  const perDay = new Map<number, { users: number; events: number; contacts: number }>();
  const tagAccounts = new Map<string, Set<string>>();
  const tickets: { day: number; account: string; tags: readonly string[] }[] = [];
  let trouble = 0;
  const source = {
    tickets: { first: Infinity, last: -Infinity },
    engagements: { first: Infinity, last: -Infinity },
    usage: { first: Infinity, last: -Infinity },
  };
  const dated = [
    ...p.tickets.map((record) => ({ kind: "tickets" as const, record })),
    ...p.engagements.map((record) => ({ kind: "engagements" as const, record })),
    ...p.usage.map((record) => ({ kind: "usage" as const, record })),
  ];
  for (const r of dated) {
    if (!known.has(r.record.accountId)) continue;
    const c = contributionOf(r);
    const d = perDay.get(c.day) ?? { users: 0, events: 0, contacts: 0 };
    d.users += c.users ?? 0;
    d.events += c.events ?? 0;
    d.contacts += c.contact;
    perDay.set(c.day, d);
    const s = source[r.kind];
    s.first = Math.min(s.first, c.day);
    s.last = Math.max(s.last, c.day);
    if (r.kind === "tickets") {
      trouble += c.trouble;
      tickets.push({ day: c.day, account: r.record.accountId, tags: c.tags });
      for (const tag of c.tags) {
        const k = `${tag}|${c.day}`;
        const set = tagAccounts.get(k) ?? new Set();
        set.add(r.record.accountId);
        tagAccounts.set(k, set);
      }
    }
  }
  const firstDay = Math.min(source.tickets.first, source.engagements.first, source.usage.first);
  const lastDay = Math.max(source.tickets.last, source.engagements.last, source.usage.last);
  const length = lastDay - firstDay + 1;
  const daily = {
    users: new Float64Array(length),
    events: new Float64Array(length),
    contacts: new Float64Array(length),
    spanSteps: new Float64Array(length),
    aliveSteps: new Float64Array(length + 1),
    tagAccounts: new Map<string, Float64Array>(),
  };
  for (const [day, d] of perDay) {
    daily.users[day - firstDay] = d.users;
    daily.events[day - firstDay] = d.events;
    daily.contacts[day - firstDay] = d.contacts;
  }
  for (const [k, set] of tagAccounts) {
    const [tag, day] = k.split("|") as [string, string];
    const a = daily.tagAccounts.get(tag) ?? new Float64Array(length);
    a[Number(day) - firstDay] = set.size;
    daily.tagAccounts.set(tag, a);
  }
  let accountDays = 0;
  for (const g of groups) {
    const f = factsOf(g);
    if (!Number.isFinite(f.first)) continue;
    const span = spanOfFacts(f);
    accountDays += span.last - span.first + 1;
    daily.spanSteps[span.first - firstDay]! += 1;
    if (span.last + 1 - firstDay < length) daily.spanSteps[span.last + 1 - firstDay]! -= 1;
    if (Number.isFinite(f.usageFirst)) {
      daily.aliveSteps[f.usageFirst - firstDay]! += 1;
      daily.aliveSteps[f.usageLast + 1 - firstDay]! -= 1;
    }
  }
  const counter: IncidentTickets = {
    count(tags, from, to) {
      const hit = tickets.filter(
        (t) => t.day >= from && t.day <= to && t.tags.some((x) => tags.includes(x)),
      );
      return { tickets: hit.length, accounts: new Set(hit.map((t) => t.account)).size };
    },
  };
  return contextFromAggregates(
    { firstDay, lastDay, tickets: tickets.length, trouble, accountDays, source },
    daily,
    counter,
  );
}

describe("portfolio context from aggregates", () => {
  const { portfolio } = generatePortfolio({ accounts: 60, seed: 5, days: 500 });

  it("is the context built account by account: rates, daily ratios, freshness and incidents", () => {
    const whole = buildPortfolioContext(groupByAccount(portfolio).groups);
    const agg = aggregatesOf(portfolio);
    expect(agg.firstDay).toBe(whole.firstDay);
    expect(agg.lastDay).toBe(whole.lastDay);
    expect(agg.troublePer30).toBe(whole.troublePer30);
    expect(agg.ticketsPer30).toBe(whole.ticketsPer30);
    expect(agg.troublePerTicket).toBe(whole.troublePerTicket);
    expect(agg.incidents).toEqual(whole.incidents);
    expect(whole.incidents.length).toBeGreaterThan(0);
    for (let d = whole.firstDay - 5; d <= whole.lastDay + 5; d++) {
      expect(agg.usageRatio(d)).toBe(whole.usageRatio(d));
      expect(agg.contactRatio(d)).toBe(whole.contactRatio(d));
      for (const kind of ["tickets", "engagements", "usage"] as const)
        expect(agg.sourceFresh(kind, d)).toBe(whole.sourceFresh(kind, d));
    }
  });

  it("scores accounts a few at a time, with that context, exactly as the whole portfolio", () => {
    const collect = () => {
      const snaps: HealthSnapshot[] = [];
      const tasks: (Task & { day: string })[] = [];
      return {
        snaps,
        tasks,
        sink: {
          snapshot: (s: HealthSnapshot) => snaps.push(s),
          task: (t: Task & { day: string }) => tasks.push(t),
        },
      };
    };
    const whole = collect();
    scorePortfolio(portfolio, {}, whole.sink);
    const ctx = aggregatesOf(portfolio);
    const sliced = collect();
    const ids = portfolio.accounts.map((a) => a.id);
    const to = toDayString(ctx.lastDay);
    for (let k = 0; k < ids.length; k += 7) {
      const slice = new Set(ids.slice(k, k + 7));
      const part: Portfolio = {
        ...portfolio,
        accounts: portfolio.accounts.filter((a) => slice.has(a.id)),
        stakeholders: portfolio.stakeholders.filter((r) => slice.has(r.accountId)),
        tickets: portfolio.tickets.filter((r) => slice.has(r.accountId)),
        engagements: portfolio.engagements.filter((r) => slice.has(r.accountId)),
        usage: portfolio.usage.filter((r) => slice.has(r.accountId)),
        milestones: portfolio.milestones.filter((r) => slice.has(r.accountId)),
        outcomes: portfolio.outcomes.filter((r) => slice.has(r.accountId)),
      };
      rescoreAccounts(
        part,
        [...slice].map((accountId) => ({ accountId })),
        { to },
        sliced.sink,
        ctx,
      );
    }
    expect(sliced.snaps.length).toBe(whole.snaps.length);
    expect(JSON.stringify(sliced.snaps)).toBe(JSON.stringify(whole.snaps));
    expect(JSON.stringify(sliced.tasks)).toBe(JSON.stringify(whole.tasks));
  });

  it("offers a checkpoint after every seventh day that scoring resumes from exactly", () => {
    const checkpoints: AccountState[] = [];
    const whole: HealthSnapshot[] = [];
    const one = portfolio.accounts[3]!.id;
    scorePortfolio(
      portfolio,
      {},
      {
        snapshot: (s) => s.accountId === one && whole.push(s),
        checkpoint: (id, st) => id === one && checkpoints.push(st),
      },
    );
    expect(checkpoints.length).toBeGreaterThan(10);
    const mid = checkpoints[Math.floor(checkpoints.length / 2)]!;
    const resumed: HealthSnapshot[] = [];
    rescoreAccounts(
      portfolio,
      [{ accountId: one, state: mid }],
      { to: whole.at(-1)!.day },
      {
        snapshot: (s) => resumed.push(s),
      },
    );
    expect(resumed[0]!.day > mid.day).toBe(true);
    expect(JSON.stringify(resumed)).toBe(JSON.stringify(whole.filter((s) => s.day > mid.day)));
  });
});
