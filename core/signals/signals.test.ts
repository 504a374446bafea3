// Every signal, against the cases that must fire and the ones that must not: a quiet but loyal
// account, a seasonal dip seen before, a product-wide incident hitting every account, no data at all.
import { describe, expect, it } from "vitest";
import {
  at,
  cadence,
  calmAccount,
  day,
  engagement,
  IRRITATED,
  makeAccount,
  makeRecords,
  milestone,
  person,
  ticket,
  usage,
  withIncident,
} from "../../tests/builders.ts";
import type { SignalKey } from "../model.ts";
import { buildPortfolioContext } from "../portfolio.ts";
import type { AccountRecords } from "../timeline.ts";
import { evaluateSignal } from "./evaluate.ts";
import { SIGNALS } from "./index.ts";

const DAYS = 560;
const KEYS = SIGNALS.map((s) => s.key);
const others = (n = 9, days = DAYS) =>
  Array.from({ length: n }, (_, k) => calmAccount(`peer${k}`, days));
const withPeers = (target: AccountRecords, peers = others()) => [target, ...peers];
/** Below this a signal has not fired: it may colour the score, it cannot raise a task alone. */
const QUIET = 0.2;

function quietLoyal(id: string): AccountRecords {
  const r = makeRecords(makeAccount(id), {
    stakeholders: [
      person(id, `${id}-exec`, "executive"),
      person(id, `${id}-champ`, "champion"),
      person(id, `${id}-user`, "end_user"),
    ],
    usage: usage(id, 0, DAYS, () => 3),
    engagements: [
      ...cadence(id, 2, DAYS, 40, { stakeholderId: `${id}-champ` }),
      ...cadence(id, 20, DAYS, 120, {
        stakeholderId: `${id}-exec`,
        kind: "meeting",
        direction: "outbound",
        outcome: "completed",
      }),
    ],
    tickets: [],
  });
  for (let n = 10; n <= DAYS; n += 75)
    r.tickets.push(ticket(id, n, { requesterId: `${id}-user`, satisfaction: "good" }));
  return r;
}

function seasonal(id: string): AccountRecords {
  const r = calmAccount(id, DAYS);
  const dip = (n: number) => (n >= 150 && n < 185) || (n >= 514 && n < 549);
  r.usage = usage(id, 0, DAYS, (n) => (dip(n) ? 10 : 22));
  return r;
}

describe.each(KEYS)("%s must not fire", (key: SignalKey) => {
  it("for a quiet but loyal account", () => {
    const target = quietLoyal("quiet");
    const v = evaluateSignal(key, target, day(DAYS), withPeers(target));
    expect(v.risk).toBeLessThan(QUIET);
  });

  it("for a seasonal dip the account had a year before", () => {
    const target = seasonal("season");
    const v = evaluateSignal(key, target, day(540), withPeers(target));
    expect(v.risk).toBeLessThan(QUIET);
  });

  it("for a product-wide incident that hits every account at once", () => {
    // The target is in onboarding, so onboarding friction and implementation stall apply too.
    const target = calmAccount("onboarding", DAYS, { customerSince: day(350) }, 350);
    target.milestones = [
      milestone("onboarding", "Kickoff", 360, 358),
      milestone("onboarding", "Data import", 390, 392),
    ];
    const portfolio = withIncident(withPeers(target), 400);
    const v = evaluateSignal(key, target, day(405), portfolio);
    expect(v.risk).toBeLessThan(QUIET);
  });

  it("for an account with no data at all", () => {
    const target = makeRecords(makeAccount("empty"));
    const v = evaluateSignal(key, target, day(300), withPeers(target));
    expect(v.risk).toBe(0);
  });
});

describe("a product-wide incident", () => {
  it("is found once, for the portfolio", () => {
    const portfolio = withIncident(withPeers(calmAccount("a", DAYS)), 400);
    const ctx = buildPortfolioContext(portfolio);
    expect(ctx.incidents).toHaveLength(1);
    expect(ctx.incidents[0]).toMatchObject({ tags: ["sync"], accounts: 10, tickets: 20 });
  });
});

describe("signals fire on the warning sign they watch", () => {
  it("onboarding friction: irritated, escalated tickets in the first weeks", () => {
    const id = "new";
    const target = calmAccount(id, 430, { customerSince: day(400) }, 400);
    for (const n of [402, 405, 409, 414, 420])
      target.tickets.push(
        ticket(id, n, {
          ...IRRITATED,
          escalated: n < 410,
          satisfaction: "bad",
          requesterId: `${id}-user`,
        }),
      );
    const v = evaluateSignal(
      "onboarding_friction",
      target,
      day(430),
      withPeers(target, others(9, 430)),
    );
    expect(v.risk).toBeGreaterThan(0.5);
    expect(v.evidence).toMatch(/5 irritated or confused tickets, 3 escalations, 5 bad ratings/);
    expect(v.evidenceIds).toHaveLength(5);
  });

  it("implementation stall: milestones weeks overdue", () => {
    const id = "stalled";
    const target = calmAccount(id, 470, { customerSince: day(400) }, 400);
    target.milestones = [
      milestone(id, "Kickoff", 405, 405),
      milestone(id, "Data import", 420),
      milestone(id, "Go-live", 440),
    ];
    const v = evaluateSignal(
      "implementation_stall",
      target,
      day(470),
      withPeers(target, others(9, 470)),
    );
    expect(v.risk).toBeGreaterThan(0.5);
    expect(v.evidence).toMatch(/"Data import" is 50 days overdue/);
    expect(v.evidenceIds).toEqual([`${id}-Data import`, `${id}-Go-live`]);
  });

  it("support experience: bad ratings, reopens and escalations against a calm history", () => {
    const id = "sour";
    const target = calmAccount(id, DAYS);
    for (const n of [505, 512, 520, 528, 535, 545]) {
      target.tickets.push(
        ticket(id, n, {
          ...IRRITATED,
          satisfaction: "bad",
          reopens: 1,
          escalated: n > 530,
          requesterId: `${id}-user`,
        }),
      );
    }
    const v = evaluateSignal("support_experience", target, day(DAYS), withPeers(target));
    expect(v.risk).toBeGreaterThan(0.5);
    expect(v.evidence).toMatch(
      /6 bad ratings, 2 escalations, 6 reopens, 6 irritated tickets in the last 60 days/,
    );
  });

  it("ticket flood: a burst of tickets on one feature", () => {
    const id = "flood";
    const target = calmAccount(id, DAYS);
    const burst = [548, 549, 551, 552, 554, 556, 558, 559].map((n) =>
      ticket(id, n, { tags: ["export"], requesterId: `${id}-user` }),
    );
    target.tickets.push(...burst);
    const v = evaluateSignal("ticket_flood", target, day(DAYS), withPeers(target));
    expect(v.risk).toBeGreaterThan(0.5);
    expect(v.evidence).toMatch(/8 tickets tagged "export" in the last 14 days/);
    expect(v.evidenceIds).toEqual(burst.map((t) => t.id));
  });

  it("going dark: a chatty customer falls silent and outreach goes unanswered", () => {
    const id = "dark";
    const target = calmAccount(id, 500);
    target.usage = usage(id, 0, DAYS, () => 20);
    for (const n of [510, 517, 524, 531, 538, 545, 552])
      target.engagements.push(engagement(id, n, { direction: "outbound", outcome: "unanswered" }));
    const v = evaluateSignal("going_dark", target, day(DAYS), withPeers(target));
    expect(v.risk).toBeGreaterThan(0.5);
    expect(v.evidence).toMatch(
      /Last heard from 6\d days ago; usual gap is 7 days. 0 contacts in 45 days/,
    );
    expect(v.evidenceIds?.length).toBeGreaterThanOrEqual(3);
  });

  it("usage drop: active users 60% below the account's own level for eight weeks", () => {
    const id = "drop";
    const target = calmAccount(id, DAYS);
    target.usage = usage(id, 0, DAYS, (n) => (n > DAYS - 56 ? 8 : 20));
    const v = evaluateSignal("usage_drop", target, day(DAYS), withPeers(target));
    expect(v.risk).toBeGreaterThan(0.5);
    expect(v.evidence).toMatch(
      /Active users averaged 8 a day over the last 14 days, down 60% from the usual 20/,
    );
  });

  it("usage drop: the same fall in the last three weeks only weighs as a mild decline, and says so", () => {
    const id = "dip";
    const target = calmAccount(id, DAYS);
    target.usage = usage(id, 0, DAYS, (n) => (n > DAYS - 20 ? 8 : 20));
    const v = evaluateSignal("usage_drop", target, day(DAYS), withPeers(target));
    expect(v.risk).toBeGreaterThan(0.2);
    expect(v.risk).toBeLessThanOrEqual(0.3);
    expect(v.evidence).toMatch(/fallen only in the last few weeks/);
  });

  it("usage drop: a near-total stop counts at once", () => {
    const id = "stop";
    const target = calmAccount(id, DAYS);
    target.usage = usage(id, 0, DAYS, (n) => (n > DAYS - 14 ? 1 : 20));
    const v = evaluateSignal("usage_drop", target, day(DAYS), withPeers(target));
    expect(v.risk).toBeGreaterThan(0.9);
  });

  it("stakeholder coverage: the only champion left three weeks ago", () => {
    const id = "orphaned";
    const target = calmAccount(id, DAYS);
    const champ = target.stakeholders.find((s) => s.persona === "champion");
    if (!champ) throw new Error("builder lost the champion");
    champ.active = false;
    champ.leftAt = at(DAYS - 21);
    target.engagements = target.engagements.filter(
      (e) => e.stakeholderId !== champ.id || e.at < champ.leftAt!,
    );
    const v = evaluateSignal("stakeholder_coverage", target, day(DAYS), withPeers(target));
    expect(v.risk).toBeGreaterThan(0.5);
    expect(v.evidence).toMatch(/Champion Person orphaned-champ left 21 days ago/);
    expect(v.evidenceIds).toContain(champ.id);
  });
});

describe("the usage signal's comparisons", () => {
  it("discounts a dip the whole portfolio shares (a holiday)", () => {
    const dipAll = (r: AccountRecords) => {
      r.usage = usage(r.account.id, 0, DAYS, (n) => (n > DAYS - 14 ? 9 : 20));
      return r;
    };
    const target = dipAll(calmAccount("t", DAYS));
    const alone = evaluateSignal("usage_drop", target, day(DAYS), withPeers(target));
    const together = evaluateSignal("usage_drop", target, day(DAYS), [
      target,
      ...others().map(dipAll),
    ]);
    // A fortnight's dip weighs as a mild decline alone, and nothing when every account shares it.
    expect(alone.risk).toBeGreaterThanOrEqual(0.25);
    expect(together.risk).toBeLessThan(QUIET);
    expect(together.evidence).toMatch(/whole portfolio/);
  });

  it("flags a first-ever seasonal dip that a later year explains", () => {
    const target = seasonal("season");
    const first = evaluateSignal("usage_drop", target, day(176), withPeers(target));
    const second = evaluateSignal("usage_drop", target, day(540), withPeers(target));
    expect(first.risk).toBeGreaterThan(second.risk);
    expect(second.evidence).toMatch(/seasonal/);
  });

  it("reports no data when the usage source has gone stale", () => {
    const target = calmAccount("stale", 300);
    const v = evaluateSignal("usage_drop", target, day(330), [target]);
    expect(v.status).toBe("no_data");
  });
});
