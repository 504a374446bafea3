// Product usage from the ingestion API, in the tenant's store. Track calls are kept once each (by
// messageId: a retried batch counts once), with the person and the group they belong to; each
// account-day a call touches is counted again from its calls into daily usage records (active
// users, events, and events per feature), so a late call lands on its own day and a repeated one
// changes nothing. A call whose group is not known yet waits, and is counted when a group or
// identify call ties its person to an account.
import type { UsageCall } from "../../connectors/segment/messages.ts";
import { toDayNumber, toDayString } from "../../core/day.ts";
import type { UsageSample } from "../../core/model.ts";
import { contributionColumns, normalDomain } from "./records-repo.ts";

/** The vendor usage records from the ingestion API are stored under. */
export const USAGE_VENDOR = "segment";
/**
 * How long calls are kept to count late arrivals and recognise retries. A call about a day older
 * than this is refused (a day's usage from that far back is an upload's job).
 */
export const USAGE_CALL_KEEP_DAYS = 60;

export interface IngestResult {
  /** Track calls stored (new messageIds). */
  stored: number;
  /** Calls already stored (a retry), counted once. */
  duplicates: number;
  /** Stored calls whose person has no known account yet. */
  waiting: number;
  /** Account-days whose usage changed. */
  accountDays: number;
  /** Calls refused here (too old), with why. */
  refused: { messageId: string; message: string }[];
}

/** The Ebb account a group id names: an account id of any vendor (or Ebb's), or a domain. */
export function accountOfGroup(sql: SqlStorage, groupId: string, domain?: string): string | null {
  const link = sql
    .exec<{ account_id: string }>(
      `SELECT account_id FROM account_links WHERE source_id = ? OR external_id = ?
       UNION SELECT id AS account_id FROM accounts WHERE id = ? LIMIT 2`,
      groupId,
      groupId,
      groupId,
    )
    .toArray();
  if (link.length === 1) return link[0]!.account_id;
  for (const d of [domain, groupId.includes(".") ? normalDomain(groupId) : null]) {
    if (!d) continue;
    const byDomain = sql
      .exec<{ id: string }>("SELECT id FROM accounts WHERE domain = ? LIMIT 2", d)
      .toArray();
    // Two accounts with one domain: not guessed (as for vendors' accounts).
    if (byDomain.length === 1) return byDomain[0]!.id;
  }
  return null;
}

/** Store a request's calls in one transaction (the caller's); returns what changed. */
export function ingestCalls(sql: SqlStorage, calls: UsageCall[], now: number): IngestResult {
  const result: IngestResult = {
    stored: 0,
    duplicates: 0,
    waiting: 0,
    accountDays: 0,
    refused: [],
  };
  const touched = new Map<string, Set<number>>();
  const touch = (account: string, day: number) => {
    const days = touched.get(account) ?? new Set<number>();
    days.add(day);
    touched.set(account, days);
  };
  const oldest = Math.floor(now / 86_400_000) - USAGE_CALL_KEEP_DAYS;
  // Groups not matched before may be matched now, if a vendor's sync has since brought accounts:
  // looked for again only when the tenant's account links changed, not on every request.
  for (const g of linksChanged(sql)
    ? sql
        .exec<{ group_id: string; domain: string | null }>(
          "SELECT group_id, domain FROM usage_groups WHERE account_id IS NULL",
        )
        .toArray()
    : []) {
    const account = accountOfGroup(sql, g.group_id, g.domain ?? undefined);
    if (!account) continue;
    sql.exec("UPDATE usage_groups SET account_id = ? WHERE group_id = ?", account, g.group_id);
    for (const u of sql
      .exec<{ user_key: string }>("SELECT user_key FROM usage_users WHERE group_id = ?", g.group_id)
      .toArray())
      tieUser(sql, u.user_key, g.group_id, touch);
  }
  // Groups and people first: a batch's track calls may name a group its own group call defines.
  for (const c of calls) {
    if (c.type === "group") {
      const account = accountOfGroup(sql, c.groupId, c.domain);
      sql.exec(
        `INSERT INTO usage_groups (group_id, account_id, domain) VALUES (?, ?, ?)
         ON CONFLICT (group_id) DO UPDATE SET account_id = COALESCE(excluded.account_id, account_id),
           domain = COALESCE(excluded.domain, domain)`,
        c.groupId,
        account,
        c.domain ?? null,
      );
      tieUser(sql, c.user, c.groupId, touch);
    } else if (c.type === "identify" && c.groupId) {
      tieUser(sql, c.user, c.groupId, touch);
    }
  }
  for (const c of calls) {
    if (c.type !== "track") continue;
    const day = toDayNumber(c.day);
    if (day < oldest) {
      result.refused.push({
        messageId: c.messageId,
        message: `call ${c.messageId} is about ${c.day}, more than ${USAGE_CALL_KEEP_DAYS} days ago: upload that day's usage instead`,
      });
      continue;
    }
    const group = c.groupId ?? userGroup(sql, c.user);
    const account = group ? groupAccount(sql, group) : null;
    const inserted = sql
      .exec(
        `INSERT INTO usage_calls (message_id, user_key, day, feature, group_id, account_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING RETURNING 1 AS n`,
        c.messageId,
        c.user,
        day,
        c.feature ?? null,
        group ?? null,
        account,
        now,
      )
      .toArray().length;
    if (!inserted) {
      result.duplicates++;
      continue;
    }
    result.stored++;
    if (account) touch(account, day);
    else result.waiting++;
  }
  for (const [account, days] of touched)
    for (const day of days) {
      countDay(sql, account, day);
      result.accountDays++;
    }
  for (const account of touched.keys())
    sql.exec("INSERT OR IGNORE INTO dirty_accounts (account_id) VALUES (?)", account);
  // Calls past keeping are forgotten; the usage they were counted into stays.
  sql.exec(
    "DELETE FROM usage_calls WHERE received_at < ?",
    now - USAGE_CALL_KEEP_DAYS * 86_400_000,
  );
  return result;
}

/** Whether the account links changed since this was last asked (their count, kept in tenant_settings). */
function linksChanged(sql: SqlStorage): boolean {
  const now = String(sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM account_links").one().n);
  const seen = sql
    .exec<{ value: string }>("SELECT value FROM tenant_settings WHERE key = 'usage_links_seen'")
    .toArray()[0]?.value;
  if (seen === now) return false;
  sql.exec(
    `INSERT INTO tenant_settings (key, value) VALUES ('usage_links_seen', ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    now,
  );
  return true;
}

function userGroup(sql: SqlStorage, user: string): string | undefined {
  return sql
    .exec<{ group_id: string }>("SELECT group_id FROM usage_users WHERE user_key = ?", user)
    .toArray()[0]?.group_id;
}

function groupAccount(sql: SqlStorage, group: string): string | null {
  const row = sql
    .exec<{ account_id: string | null }>(
      "SELECT account_id FROM usage_groups WHERE group_id = ?",
      group,
    )
    .toArray()[0];
  if (row?.account_id) return row.account_id;
  // A group never described by a group call may still be an account's id or domain.
  const account = accountOfGroup(sql, group);
  if (account)
    sql.exec(
      `INSERT INTO usage_groups (group_id, account_id) VALUES (?, ?)
       ON CONFLICT (group_id) DO UPDATE SET account_id = excluded.account_id`,
      group,
      account,
    );
  return account;
}

/** Tie a person to a group; their calls still waiting for an account get it now. */
function tieUser(
  sql: SqlStorage,
  user: string,
  group: string,
  touch: (account: string, day: number) => void,
): void {
  sql.exec(
    `INSERT INTO usage_users (user_key, group_id) VALUES (?, ?)
     ON CONFLICT (user_key) DO UPDATE SET group_id = excluded.group_id`,
    user,
    group,
  );
  const account = groupAccount(sql, group);
  if (!account) return;
  for (const r of sql.exec<{ day: number }>(
    `UPDATE usage_calls SET account_id = ?, group_id = ? WHERE user_key = ? AND account_id IS NULL
     RETURNING day`,
    account,
    group,
    user,
  ))
    touch(account, r.day);
}

/**
 * Count one account-day from its calls into usage records: one without a feature (every person
 * active that day, and the events that name no feature) and one per feature (its events), so the
 * day's events add up and its active users are the day's, as the interchange format reads them.
 */
function countDay(sql: SqlStorage, account: string, day: number): void {
  const dayString = toDayString(day);
  const total = sql
    .exec<{ users: number; plain: number }>(
      `SELECT COUNT(DISTINCT user_key) AS users, SUM(feature IS NULL) AS plain FROM usage_calls
       WHERE account_id = ? AND day = ?`,
      account,
      day,
    )
    .one();
  const samples: UsageSample[] = [
    { accountId: account, day: dayString, activeUsers: total.users, events: total.plain ?? 0 },
  ];
  for (const f of sql.exec<{ feature: string; events: number }>(
    `SELECT feature, COUNT(*) AS events FROM usage_calls
     WHERE account_id = ? AND day = ? AND feature IS NOT NULL GROUP BY feature`,
    account,
    day,
  ))
    samples.push({ accountId: account, day: dayString, feature: f.feature, events: f.events });
  for (const s of samples) writeUsage(sql, s);
}

/** One daily usage record of the ingestion API, written as a vendor's record is (records-repo). */
export function writeUsage(sql: SqlStorage, s: UsageSample): boolean {
  const c = contributionColumns("usage", s);
  if (!c) return false;
  const { accountId: _a, day: _d, activeUsers: _u, events: _e, ...rest } = s;
  const id = `${USAGE_VENDOR}:${s.accountId}@${s.day}@${s.feature ?? ""}`;
  sql.exec(
    `INSERT INTO records (kind, id, vendor, account_id, at, data, day, users, events, contact,
       trouble, tags) VALUES ('usage', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, day = excluded.day,
       users = excluded.users, events = excluded.events
     WHERE records.users IS NOT excluded.users OR records.events IS NOT excluded.events
       OR records.data IS NOT excluded.data`,
    id,
    USAGE_VENDOR,
    s.accountId,
    s.day,
    JSON.stringify(rest),
    ...c,
  );
  return true;
}

/** What the ingestion API has stored, for the admin. */
export function usageSummary(sql: SqlStorage): {
  calls: number;
  waiting: number;
  groupsUnmatched: string[];
  lastDay: string | null;
} {
  const r = sql
    .exec<{ calls: number; waiting: number; last: number | null }>(
      `SELECT COUNT(*) AS calls, SUM(account_id IS NULL) AS waiting, MAX(day) AS last
       FROM usage_calls`,
    )
    .one();
  const groupsUnmatched = sql
    .exec<{ group_id: string }>(
      "SELECT group_id FROM usage_groups WHERE account_id IS NULL ORDER BY group_id LIMIT 20",
    )
    .toArray()
    .map((g) => g.group_id);
  return {
    calls: r.calls,
    waiting: r.waiting ?? 0,
    groupsUnmatched,
    lastDay: r.last === null ? null : toDayString(r.last),
  };
}
