// Records are read into compact facts a batch of accounts at a time, and the portfolio context is
// built account by account: neither the order of accounts nor the order of their records, nor where
// the batches fall, may change a single number.
import { describe, expect, it } from "vitest";
import {
  bySnapshotKey,
  calmAccount,
  IRRITATED,
  portfolioOf,
  ticket,
  usage,
} from "../tests/builders.ts";
import { scorePortfolio } from "./engine.ts";
import { FACTS_BATCH, FactsPool, T_NEGATIVE } from "./facts.ts";
import type { HealthSnapshot } from "./model.ts";
import { buildPortfolioContext } from "./portfolio.ts";
import type { AccountRecords } from "./timeline.ts";

function reversed(r: AccountRecords): AccountRecords {
  return {
    ...r,
    tickets: [...r.tickets].reverse(),
    engagements: [...r.engagements].reverse(),
    usage: [...r.usage].reverse(),
  };
}

/** Accounts that start years apart, so day counts must grow both ways as accounts arrive. */
function spreadOut(): AccountRecords[] {
  return [
    calmAccount("late", 900, {}, 700),
    calmAccount("early", 200),
    calmAccount("middle", 500, {}, 300),
    calmAccount("late2", 900, {}, 650),
  ].map((r, k) => {
    // A spike on one topic, so the incident and rate comparisons have something to count.
    for (let n = 0; n < 4; n++)
      r.tickets.push(ticket(r.account.id, 820 + (k % 2), { tags: ["sync"] }));
    return r;
  });
}

function view(groups: AccountRecords[]) {
  const ctx = buildPortfolioContext(groups);
  const days = Array.from({ length: 95 }, (_, k) => ctx.firstDay + k * 10);
  return {
    firstDay: ctx.firstDay,
    lastDay: ctx.lastDay,
    rates: [ctx.ticketsPer30, ctx.troublePer30, ctx.troublePerTicket],
    usage: days.map((d) => ctx.usageRatio(d)),
    contact: days.map((d) => ctx.contactRatio(d)),
    fresh: days.map((d) => ctx.sourceFresh("usage", d)),
    incidents: ctx.incidents,
    spans: groups.map((g) => ctx.spanOf(g.account.id)),
  };
}

describe("the portfolio context", () => {
  it("is the same whatever order the accounts and their records come in", () => {
    const forward = view(spreadOut());
    const backward = view(spreadOut().reverse().map(reversed));
    expect(backward.spans.reverse()).toEqual(forward.spans);
    expect({ ...backward, spans: [] }).toEqual({ ...forward, spans: [] });
    // The accounts span from day 0 to day 900 of the builders' calendar.
    expect(forward.lastDay - forward.firstDay).toBe(900);
    expect(forward.usage.some((r) => r !== 1)).toBe(true);
  });
});

describe("scoring more accounts than one facts batch", () => {
  it("gives every account the same snapshots whichever batch it falls in", () => {
    const n = FACTS_BATCH + 40;
    const accounts = Array.from({ length: n }, (_, k) => {
      const r = calmAccount(`a${k}`, 150);
      // Every seventh account's usage collapses, so the snapshots differ between accounts.
      if (k % 7 === 0) r.usage = usage(r.account.id, 0, 150, (d) => (d > 110 ? 2 : 20));
      return r;
    });
    const score = (groups: AccountRecords[]) => {
      const out: HealthSnapshot[] = [];
      scorePortfolio(portfolioOf(groups), { from: "2024-05-01" }, { snapshot: (s) => out.push(s) });
      return out.sort(bySnapshotKey);
    };
    const forward = score(accounts);
    const backward = score([...accounts].reverse());
    // 2024-05-01 to the last day (day 150): 30 days per account.
    expect(forward.length).toBe(n * 30);
    expect(backward).toEqual(forward);
    expect(new Set(forward.map((s) => s.band)).size).toBeGreaterThan(1);
  });
});

describe("ticket readings", () => {
  const upsetRows = (pool: FactsPool, g: AccountRecords) => {
    const [f] = pool.fill([g]);
    const flags = f!.columns.ticketFlags.subarray(f!.ticketFrom, f!.ticketFrom + g.tickets.length);
    return [...flags].map((x) => (x & T_NEGATIVE ? 1 : 0));
  };

  it("are the same when a pool reads an account again, and follow a changed ticket list", () => {
    const g = calmAccount("moody", 300);
    g.tickets.push(ticket("moody", 200, IRRITATED), ticket("moody", 210));
    const pool = new FactsPool();
    const first = upsetRows(pool, g);
    expect(first.filter((x) => x === 1)).toHaveLength(1);
    // Read again (as scoring does after the context): the same readings.
    expect(upsetRows(pool, g)).toEqual(first);
    // Tickets added since (the list no longer matches what was read): read afresh.
    g.tickets.unshift(ticket("moody", 220, IRRITATED));
    expect(upsetRows(pool, g)).toEqual([1, ...first]);
  });
});
