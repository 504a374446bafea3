// The portfolio's aggregates as the tenant store keeps them (schema step 7): per-day sums, accounts
// per ticket tag and day, totals, and each account's record span. Triggers keep the sums as records
// come and go; spans are refreshed for the accounts a change touched when scoring starts. The
// portfolio context is read from these alone: its cost grows with the days and tags of the
// portfolio, never with its accounts or records.
import { toDayNumber } from "../../core/day.ts";
import {
  type ContextOptions,
  contextFromAggregates,
  type DailyAggregates,
  type Incident,
  type PortfolioContext,
  type PortfolioTotals,
} from "../../core/portfolio.ts";

const DATED = ["tickets", "engagements", "usage"] as const;

/** Bumped by every change to the aggregates: a context read at one version holds until the next. */
export function aggregatesVersion(sql: SqlStorage): number {
  return sql.exec<{ version: number }>("SELECT version FROM agg_totals").one().version;
}

const first = (sql: SqlStorage, q: string, ...args: unknown[]) =>
  sql.exec<{ v: number | null }>(q, ...args).one().v;

/**
 * Recompute the record spans (first and last day with a ticket, engagement or usage day; first
 * and last usage day) of these accounts from the records' index, a few lookups each. An account
 * without dated records, or no longer in the store, has no span.
 */
export function refreshSpans(sql: SqlStorage, accountIds: Iterable<string>): void {
  for (const id of accountIds) {
    const exists = sql.exec("SELECT 1 FROM accounts WHERE id = ?", id).toArray().length > 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let usage: [number | null, number | null] = [null, null];
    if (exists)
      for (const kind of DATED) {
        // One MIN and one MAX per query: each is a single seek on (account_id, kind, day).
        const min = first(
          sql,
          "SELECT MIN(day) AS v FROM records WHERE account_id = ? AND kind = ? AND day IS NOT NULL",
          id,
          kind,
        );
        if (min === null) continue;
        const max = first(
          sql,
          "SELECT MAX(day) AS v FROM records WHERE account_id = ? AND kind = ?",
          id,
          kind,
        ) as number;
        lo = Math.min(lo, min);
        hi = Math.max(hi, max);
        if (kind === "usage") usage = [min, max];
      }
    const prior = sql
      .exec<{ first: number; last: number; usage_first: number | null; usage_last: number | null }>(
        "SELECT first, last, usage_first, usage_last FROM agg_spans WHERE account_id = ?",
        id,
      )
      .toArray()[0];
    if (!Number.isFinite(lo)) {
      if (prior) sql.exec("DELETE FROM agg_spans WHERE account_id = ?", id);
      continue;
    }
    if (
      prior &&
      prior.first === lo &&
      prior.last === hi &&
      prior.usage_first === usage[0] &&
      prior.usage_last === usage[1]
    )
      continue;
    sql.exec(
      `INSERT INTO agg_spans (account_id, first, last, usage_first, usage_last) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET first = excluded.first, last = excluded.last,
         usage_first = excluded.usage_first, usage_last = excluded.usage_last`,
      id,
      lo,
      hi,
      usage[0],
      usage[1],
    );
  }
}

/** First and last day of one source's records, through the (kind, day) index. */
function sourceSpan(sql: SqlStorage, kind: string): { first: number; last: number } {
  const lo = first(
    sql,
    "SELECT MIN(day) AS v FROM records WHERE kind = ? AND day IS NOT NULL",
    kind,
  );
  const hi = first(sql, "SELECT MAX(day) AS v FROM records WHERE kind = ?", kind);
  return lo === null || hi === null
    ? { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY }
    : { first: lo, last: hi };
}

/**
 * The portfolio context, from the aggregates only. Its incidents carry no size (tickets and
 * accounts: `sizedIncidents` counts them for their alerts): scoring needs only when and on which
 * tags each ran.
 */
export function readContext(sql: SqlStorage, options: ContextOptions = {}): PortfolioContext {
  const source = {
    tickets: sourceSpan(sql, "tickets"),
    engagements: sourceSpan(sql, "engagements"),
    usage: sourceSpan(sql, "usage"),
  };
  let firstDay = Math.min(source.tickets.first, source.engagements.first, source.usage.first);
  let lastDay = Math.max(source.tickets.last, source.engagements.last, source.usage.last);
  if (!Number.isFinite(firstDay)) firstDay = lastDay = 0;
  const length = lastDay - firstDay + 1;
  const t = sql
    .exec<{ tickets: number; trouble: number; account_days: number }>(
      "SELECT tickets, trouble, account_days FROM agg_totals",
    )
    .one();
  const totals: PortfolioTotals = {
    firstDay,
    lastDay,
    tickets: t.tickets,
    trouble: t.trouble,
    accountDays: t.account_days,
    source,
  };
  const daily: DailyAggregates = {
    users: new Float64Array(length),
    events: new Float64Array(length),
    contacts: new Float64Array(length),
    spanSteps: new Float64Array(length),
    aliveSteps: new Float64Array(length + 1),
    tagAccounts: new Map(),
  };
  for (const r of sql.exec<{
    day: number;
    users: number;
    events: number;
    contacts: number;
    span_steps: number;
    alive_steps: number;
  }>(
    "SELECT day, users, events, contacts, span_steps, alive_steps FROM agg_days WHERE day BETWEEN ? AND ?",
    firstDay,
    lastDay + 1,
  )) {
    const i = r.day - firstDay;
    daily.aliveSteps[i] = r.alive_steps;
    if (i === length) continue;
    daily.users[i] = r.users;
    daily.events[i] = r.events;
    daily.contacts[i] = r.contacts;
    daily.spanSteps[i] = r.span_steps;
  }
  for (const r of sql.exec<{ tag: string; day: number; accounts: number }>(
    "SELECT tag, day, accounts FROM agg_tag_days WHERE day BETWEEN ? AND ? ORDER BY tag, day",
    firstDay,
    lastDay,
  )) {
    let a = daily.tagAccounts.get(r.tag);
    if (!a) {
      a = new Float64Array(length);
      daily.tagAccounts.set(r.tag, a);
    }
    a[r.day - firstDay] = r.accounts;
  }
  return contextFromAggregates(
    totals,
    daily,
    { count: () => ({ tickets: 0, accounts: 0 }) },
    undefined,
    options,
  );
}

/**
 * The incidents with their size: the accounts that filed a ticket on one of its tags during it
 * (from the accounts-per-tag-and-day aggregate), and those accounts' tickets then carrying one of
 * its tags — never a scan of every ticket of the incident's days; and counted again only once a
 * ticket of its days has changed.
 */
export function sizedIncidents(sql: SqlStorage, incidents: readonly Incident[]): Incident[] {
  return incidents.map((incident) => {
    const tags = JSON.stringify(incident.tags);
    const from = toDayNumber(incident.from);
    const to = toDayNumber(incident.to);
    // Counted before, and no ticket of its days has changed since: the same size.
    const key = `${tags}|${from}|${to}`;
    const changes = sql
      .exec<{ n: number }>(
        "SELECT COALESCE(SUM(n), 0) AS n FROM agg_ticket_changes WHERE day BETWEEN ? AND ?",
        from,
        to,
      )
      .one().n;
    const known = sql
      .exec<{ changes: number; tickets: number; accounts: number }>(
        "SELECT changes, tickets, accounts FROM incident_sizes WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (known && known.changes === changes)
      return { ...incident, tickets: known.tickets, accounts: known.accounts };
    const r = sql
      .exec<{ tickets: number; accounts: number }>(
        `WITH hit AS (
           SELECT DISTINCT account_id FROM agg_tag_accounts
           WHERE tag IN (SELECT value FROM json_each(?1)) AND day BETWEEN ?2 AND ?3)
         SELECT (SELECT COUNT(*) FROM hit) AS accounts,
           (SELECT COUNT(*) FROM hit h JOIN records r ON r.account_id = h.account_id
              AND r.kind = 'tickets' AND r.day BETWEEN ?2 AND ?3
            WHERE EXISTS (SELECT 1 FROM json_each(r.tags)
                          WHERE value IN (SELECT value FROM json_each(?1)))) AS tickets`,
        tags,
        from,
        to,
      )
      .one();
    sql.exec(
      `INSERT INTO incident_sizes (key, changes, tickets, accounts) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET changes = excluded.changes, tickets = excluded.tickets,
         accounts = excluded.accounts`,
      key,
      changes,
      r.tickets,
      r.accounts,
    );
    return { ...incident, tickets: r.tickets, accounts: r.accounts };
  });
}
