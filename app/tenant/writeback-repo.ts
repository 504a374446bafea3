// What a tenant owes each vendor: accounts with a new latest snapshot or new tasks, with the fields
// written last time (so the connector writes only differences), and the bookkeeping after a push.

import type { AccountChange, PushResult } from "../../connectors/connector.ts";
import { timeToDayNumber } from "../../core/day.ts";
import type { Account, HealthSnapshot, Task } from "../../core/model.ts";
import { taskToWrite } from "../../core/playbooks.ts";
import type { Policy } from "../../core/policy.ts";
import { seriesOf } from "./scores-repo.ts";

/**
 * Up to `limit` accounts owed to `vendor`, as of `now` (ms): each with its latest snapshot, its
 * unwritten tasks as they should read today, and the day it churned, if it has.
 */
export function pendingChanges(
  sql: SqlStorage,
  vendor: string,
  limit: number,
  now: number,
  /** False for a vendor that holds no tasks (Zendesk): its changes carry none, and none is marked written. */
  withTasks = true,
  /** Days of score series each change carries (a vendor card that draws the trend); 0: none. */
  seriesDays = 0,
  policy?: Policy,
): AccountChange[] {
  const today = timeToDayNumber(new Date(now).toISOString());
  const rows = sql
    .exec<{
      account_id: string;
      external_id: string | null;
      data: string;
      snapshot: string | null;
      fields: string | null;
      churned_at: string | null;
    }>(
      `SELECT p.account_id, l.external_id, a.data, s.snapshot, w.fields,
         (SELECT MIN(json_extract(o.data, '$.at')) FROM records o
          WHERE o.kind = 'outcomes' AND o.account_id = p.account_id
            AND json_extract(o.data, '$.kind') = 'churned') AS churned_at
       FROM push_needed p
       JOIN accounts a ON a.id = p.account_id
       LEFT JOIN account_links l ON l.account_id = p.account_id AND l.vendor = p.vendor
       LEFT JOIN latest_snapshots s ON s.account_id = p.account_id
       LEFT JOIN written_fields w ON w.account_id = p.account_id AND w.vendor = p.vendor
       WHERE p.vendor = ? ORDER BY p.account_id LIMIT ?`,
      vendor,
      limit,
    )
    .toArray();
  // An episode that opened and closed before Ebb ever wrote it (a backfill over past months) gives a
  // CSM nothing to do: neither half is sent.
  sql.exec(
    `UPDATE tasks SET pushed_at = 0 WHERE pushed_at IS NULL AND dedupe_key IN (
       SELECT o.dedupe_key FROM tasks o JOIN tasks c ON c.dedupe_key = o.dedupe_key AND c.action = 'close'
       WHERE o.action = 'open' AND o.pushed_at IS NULL)`,
  );
  // A customer who has churned needs no follow-up task from Ebb any more.
  sql.exec(
    `UPDATE tasks SET pushed_at = 0 WHERE pushed_at IS NULL AND action = 'open' AND account_id IN (
       SELECT account_id FROM records WHERE kind = 'outcomes' AND json_extract(data, '$.kind') = 'churned')`,
  );
  // The close of an episode whose opening was never written has nothing to close.
  sql.exec(
    `UPDATE tasks SET pushed_at = 0 WHERE pushed_at IS NULL AND action = 'close' AND dedupe_key IN (
       SELECT dedupe_key FROM tasks WHERE action = 'open' AND pushed_at = 0)`,
  );
  // Task rules without backfill: an episode that opened before Ebb's first scoring run (found in
  // the history the first sync brought) is never written, however it reads now.
  if (policy && !policy.tasks.backfill)
    sql.exec(
      `UPDATE tasks SET pushed_at = 0 WHERE pushed_at IS NULL AND action = 'open'
         AND day < (SELECT MIN(to_day) FROM score_runs)`,
    );
  const out: AccountChange[] = [];
  for (const r of rows) {
    // Not known to this vendor (yet), or never scored: nothing to write there.
    if (!r.external_id || !r.snapshot) {
      sql.exec("DELETE FROM push_needed WHERE account_id = ? AND vendor = ?", r.account_id, vendor);
      continue;
    }
    const account = JSON.parse(r.data) as Account;
    const snapshot = JSON.parse(r.snapshot) as HealthSnapshot;
    // An open task raised on a past day (the first sync's backfill) is written as the account is
    // now, or waits while the account is calm: its episode may still close unwritten, or alert again.
    const tasks = !withTasks
      ? []
      : sql
          .exec<{ data: string }>(
            "SELECT data FROM tasks WHERE account_id = ? AND pushed_at IS NULL ORDER BY day, action DESC",
            r.account_id,
          )
          .toArray()
          .flatMap(
            (t) =>
              taskToWrite(JSON.parse(t.data) as Task, account, snapshot, today, policy?.tasks) ??
              [],
          );
    const change: AccountChange = { externalId: r.external_id, snapshot, tasks };
    if (seriesDays > 0)
      change.series = seriesOf(sql, r.account_id, seriesDays).map((p) => ({
        day: p.day,
        score: p.score,
      }));
    if (r.churned_at) change.churnedAt = r.churned_at;
    if (account.ownerId) change.ownerId = account.ownerId;
    if (r.fields) change.lastWritten = JSON.parse(r.fields) as Record<string, string>;
    out.push(change);
  }
  return out;
}

export function recordPush(
  sql: SqlStorage,
  vendor: string,
  changes: AccountChange[],
  result: PushResult,
  now: number,
): void {
  const failed = new Map(result.failures.map((f) => [f.externalId, f.message]));
  const log = (c: AccountChange, kind: string, detail: string, error: string | null) =>
    sql.exec(
      `INSERT INTO writeback_log (at, vendor, account_id, external_id, kind, detail, error)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      now,
      vendor,
      c.snapshot.accountId,
      c.externalId,
      kind,
      detail,
      error,
    );
  for (const c of changes) {
    const accountId = c.snapshot.accountId;
    const fields = result.written[c.externalId];
    const error = failed.get(c.externalId);
    if (error !== undefined)
      log(c, "failure", `score ${c.snapshot.score} (${c.snapshot.band})`, error);
    else if (fields) {
      const changedFields = Object.entries(fields).filter(([k, v]) => c.lastWritten?.[k] !== v);
      if (changedFields.length)
        log(c, "fields", changedFields.map(([k, v]) => `${k} = ${v}`).join("; "), null);
    }
    if (error === undefined) for (const t of c.tasks) log(c, `task_${t.action}`, t.title, null);
    if (fields)
      sql.exec(
        `INSERT INTO written_fields (account_id, vendor, fields, written_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, vendor) DO UPDATE SET fields = excluded.fields, written_at = excluded.written_at`,
        accountId,
        vendor,
        JSON.stringify(fields),
        now,
      );
    // Each task is kept as it was written.
    for (const t of c.tasks)
      sql.exec(
        "UPDATE tasks SET pushed_at = ?, data = ? WHERE dedupe_key = ? AND action = ? AND pushed_at IS NULL",
        now,
        JSON.stringify(t),
        t.dedupeKey,
        t.action,
      );
    if (!failed.has(c.externalId))
      sql.exec("DELETE FROM push_needed WHERE account_id = ? AND vendor = ?", accountId, vendor);
  }
}

/** Rows of the writeback log kept: the newest. */
export const WRITEBACK_LOG_KEEP = 2000;

/** Drop the log's oldest rows beyond what is kept. */
export function trimWritebackLog(sql: SqlStorage): void {
  sql.exec(
    "DELETE FROM writeback_log WHERE id <= (SELECT MAX(id) FROM writeback_log) - ?",
    WRITEBACK_LOG_KEEP,
  );
}

export interface WritebackEntry {
  id: number;
  at: number;
  vendor: string;
  accountId: string;
  accountName: string | null;
  externalId: string;
  kind: string;
  detail: string;
  error: string | null;
}

/** The newest log entries (optionally only failures, or one vendor's). */
export function writebackLog(
  sql: SqlStorage,
  o: { failuresOnly?: boolean; vendor?: string; limit?: number } = {},
): WritebackEntry[] {
  return sql
    .exec<{
      id: number;
      at: number;
      vendor: string;
      account_id: string;
      name: string | null;
      external_id: string;
      kind: string;
      detail: string;
      error: string | null;
    }>(
      `SELECT w.id, w.at, w.vendor, w.account_id, json_extract(a.data, '$.name') AS name,
         w.external_id, w.kind, w.detail, w.error
       FROM writeback_log w LEFT JOIN accounts a ON a.id = w.account_id
       WHERE (? = 0 OR w.error IS NOT NULL) AND (? IS NULL OR w.vendor = ?)
       ORDER BY w.id DESC LIMIT ?`,
      o.failuresOnly ? 1 : 0,
      o.vendor ?? null,
      o.vendor ?? null,
      o.limit ?? 200,
    )
    .toArray()
    .map((r) => ({
      id: r.id,
      at: r.at,
      vendor: r.vendor,
      accountId: r.account_id,
      accountName: r.name,
      externalId: r.external_id,
      kind: r.kind,
      detail: r.detail,
      error: r.error,
    }));
}

export function pendingWritebackCount(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_needed").one().n;
}
