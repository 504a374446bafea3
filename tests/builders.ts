// Small builders for core tests: records on day offsets from a fixed start, no mocks.
import { addDays, toDayNumber, toTimeString } from "../core/day.ts";
import type {
  Account,
  Engagement,
  HealthSnapshot,
  Milestone,
  Portfolio,
  Stakeholder,
  Ticket,
  UsageSample,
} from "../core/model.ts";
import { type AccountRecords, emptyRecords } from "../core/timeline.ts";

export const START = "2024-01-01";
/** The day `n` days after START. */
export const day = (n: number): string => addDays(START, n);
/** A time on day `n`, at 10:00 UTC. */
export const at = (n: number): string => toTimeString(toDayNumber(START) + n, 600);

export function makeAccount(id: string, extra: Partial<Account> = {}): Account {
  return { id, name: `Account ${id}`, ownerEmail: "csm@example.com", ...extra };
}

export function makeRecords(
  account: Account,
  extra: Partial<Omit<AccountRecords, "account">> = {},
): AccountRecords {
  return { ...emptyRecords(account), ...extra };
}

/** Daily usage rows on days [from, to] with `users(n)` active users (and 20 events each). */
export function usage(
  accountId: string,
  from: number,
  to: number,
  users: (n: number) => number,
): UsageSample[] {
  const rows: UsageSample[] = [];
  for (let n = from; n <= to; n++) {
    const u = Math.round(users(n));
    if (u > 0) rows.push({ accountId, day: day(n), activeUsers: u, events: u * 20 });
  }
  return rows;
}

let seq = 0;
export function ticket(accountId: string, n: number, extra: Partial<Ticket> = {}): Ticket {
  seq++;
  return {
    id: `${accountId}-t${seq}`,
    accountId,
    createdAt: at(n),
    solvedAt: at(n + 1),
    resolutionMinutes: 600,
    status: "solved",
    tags: ["question"],
    subject: "How do I add a user?",
    text: "Could you point me to the docs? Thanks!",
    ...extra,
  };
}

export const IRRITATED = {
  subject: "Still can't get exports working",
  text: "This is frustrating. Exports are still broken after the last fix and the team is stuck.",
};

export function engagement(
  accountId: string,
  n: number,
  extra: Partial<Engagement> = {},
): Engagement {
  seq++;
  return {
    id: `${accountId}-e${seq}`,
    accountId,
    kind: "email",
    direction: "inbound",
    at: at(n),
    ...extra,
  };
}

/** Inbound contact every `every` days over [from, to]. */
export function cadence(
  accountId: string,
  from: number,
  to: number,
  every: number,
  extra: Partial<Engagement> = {},
): Engagement[] {
  const out: Engagement[] = [];
  for (let n = from; n <= to; n += every) out.push(engagement(accountId, n, extra));
  return out;
}

export function person(
  accountId: string,
  id: string,
  persona: Stakeholder["persona"],
  extra: Partial<Stakeholder> = {},
): Stakeholder {
  return { id, accountId, name: `Person ${id}`, persona, active: true, ...extra };
}

export function milestone(accountId: string, name: string, due: number, done?: number): Milestone {
  return {
    id: `${accountId}-${name}`,
    accountId,
    name,
    dueAt: day(due),
    ...(done === undefined ? {} : { doneAt: day(done) }),
  };
}

/**
 * A calm account: steady usage, a how-to ticket a month, an inbound email a week from its champion,
 * three personas on record. The baseline the tests then perturb.
 */
export function calmAccount(
  id: string,
  days: number,
  extra: Partial<Account> = {},
  from = 0,
): AccountRecords {
  const stakeholders = [
    person(id, `${id}-exec`, "executive"),
    person(id, `${id}-champ`, "champion"),
    person(id, `${id}-user`, "end_user"),
  ];
  // Each account on its own rhythm: peers filing on the very same days would look like an incident.
  const offset = [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 997, 7) % 29;
  const tickets: Ticket[] = [];
  for (let n = from + 1 + offset; n <= days; n += 30)
    tickets.push(
      ticket(id, n, { requesterId: `${id}-user`, tags: ["reporting"], satisfaction: "good" }),
    );
  const engagements = [
    ...cadence(id, from + 1, days, 7, { stakeholderId: `${id}-champ` }),
    ...cadence(id, from + 5, days, 30, {
      stakeholderId: `${id}-exec`,
      kind: "meeting",
      direction: "outbound",
      outcome: "completed",
    }),
  ];
  return makeRecords(makeAccount(id, extra), {
    stakeholders,
    tickets,
    engagements,
    usage: usage(id, from, days, (n) => 20 + ((n * 7) % 5)),
  });
}

/** Every account files two irritated, escalated, badly rated tickets tagged "sync" on days n and n+1. */
export function withIncident(portfolio: AccountRecords[], n: number): AccountRecords[] {
  for (const r of portfolio) {
    for (const d of [n, n + 1]) {
      r.tickets.push(
        ticket(r.account.id, d, {
          ...IRRITATED,
          tags: ["sync"],
          escalated: true,
          satisfaction: "bad",
          requesterId: r.stakeholders[1]?.id,
        }),
      );
    }
  }
  return portfolio;
}

/** Account groups flattened into a portfolio, with churn outcomes on the given day offsets. */
export function portfolioOf(
  groups: AccountRecords[],
  churned: Record<string, number> = {},
): Portfolio {
  return {
    accounts: groups.map((g) => g.account),
    stakeholders: groups.flatMap((g) => g.stakeholders),
    tickets: groups.flatMap((g) => g.tickets),
    engagements: groups.flatMap((g) => g.engagements),
    usage: groups.flatMap((g) => g.usage),
    milestones: groups.flatMap((g) => g.milestones),
    outcomes: Object.entries(churned).map(([accountId, at]) => ({
      accountId,
      kind: "churned" as const,
      at: day(at),
    })),
  };
}

/** Snapshots in (account, day) order, for comparing two scorings. */
export function bySnapshotKey(a: HealthSnapshot, b: HealthSnapshot): number {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  return a.day < b.day ? -1 : a.day > b.day ? 1 : 0;
}
