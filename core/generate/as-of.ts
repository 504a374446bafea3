// A portfolio as it was known on a day: what had happened before it, with later facts (solves,
// departures, finished milestones, outcomes) not yet known. A demo cuts a generated portfolio
// mid-story this way, so some accounts are decaying "now" rather than all having churned already.
import type { Portfolio } from "../model.ts";

export function portfolioAsOf(p: Portfolio, day: string): Portfolio {
  const before = (time: string) => time.slice(0, 10) < day;
  return {
    accounts: p.accounts.map((a) => ({ ...a })),
    stakeholders: p.stakeholders.map((s) => {
      if (!s.leftAt || before(s.leftAt)) return s;
      const { leftAt: _later, ...rest } = s;
      return { ...rest, active: true };
    }),
    tickets: p.tickets
      .filter((t) => before(t.createdAt))
      .map((t) => {
        if (!t.solvedAt || before(t.solvedAt)) return t;
        const { solvedAt: _s, resolutionMinutes: _r, satisfaction: _c, ...rest } = t;
        return { ...rest, status: "open" as const };
      }),
    engagements: p.engagements.filter((e) => before(e.at)),
    usage: p.usage.filter((u) => u.day < day),
    milestones: p.milestones.map((m) => {
      if (!m.doneAt || m.doneAt < day) return m;
      const { doneAt: _later, ...rest } = m;
      return rest;
    }),
    outcomes: p.outcomes.filter((o) => o.at < day),
  };
}
