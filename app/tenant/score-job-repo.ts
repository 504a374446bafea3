// The tenant's scoring job: at most one at a time, its plan (the accounts still to score, each from
// the earliest day its changes touch), its running totals, and the jobs to queue when it ends. Each
// slice removes its accounts from the plan in the transaction that stores their scores, so a crash
// resumes at the next slice and no account is scored twice for a day.
import { toDayNumber, toDayString } from "../../core/day.ts";
import type { AccountState, RescorePlan } from "../../core/engine.ts";
import type { Job } from "../jobs/messages.ts";
import { refreshSpans } from "./aggregates-repo.ts";

export interface ScoreJob {
  started_at: number;
  updated_at: number;
  to_day: string;
  vendors: string;
  followups: string;
  slice_accounts: number;
  phase: "scoring" | "followups";
  again: number;
  planned: number;
  accounts: number;
  account_days: number;
  tasks_opened: number;
  tasks_closed: number;
  rows_written: number;
  slices: number;
  longest_ms: number;
}

export function readJob(sql: SqlStorage): ScoreJob | undefined {
  return sql
    .exec<ScoreJob & Record<string, SqlStorageValue>>("SELECT * FROM score_job")
    .toArray()[0];
}

const union = <T>(a: T[], b: T[]) => {
  const seen = new Map<string, T>();
  for (const x of [...a, ...b]) seen.set(JSON.stringify(x), x);
  return [...seen.values()];
};

/**
 * Plan scoring through `today` from what changed since the last plan: spans of the changed
 * accounts refreshed (so the context is whole before any slice scores), then every account that
 * changed or is not scored through today. Returns the accounts planned.
 */
function plan(sql: SqlStorage, today: string): number {
  const dirty = sql
    .exec<{ account_id: string }>("SELECT account_id FROM dirty_accounts")
    .toArray()
    .map((r) => r.account_id);
  refreshSpans(sql, dirty);
  // Through indexes only: the changed accounts, and the live ones not scored through today (an
  // account without a state has records or fields that changed, so it is among the changed).
  sql.exec(
    `INSERT INTO score_plan (account_id, since)
       SELECT d.account_id, d.since FROM dirty_accounts d
         WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.id = d.account_id)
     ON CONFLICT (account_id) DO UPDATE SET since = MIN(COALESCE(since, excluded.since), excluded.since)`,
  );
  sql.exec(
    `INSERT INTO score_plan (account_id, since)
       SELECT account_id, NULL FROM account_state WHERE ended = 0 AND day < ? AND true
     ON CONFLICT (account_id) DO NOTHING`,
    today,
  );
  sql.exec("DELETE FROM dirty_accounts");
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM score_plan").one().n;
}

/**
 * Start a job, or, while one runs, ask it to run again when it ends (its follow-ups then wait for
 * that run). Returns whether a new job started.
 */
export function startJob(
  sql: SqlStorage,
  o: { today: string; vendors: string[]; followups: Job[]; sliceAccounts: number; now: number },
): boolean {
  const job = readJob(sql);
  if (job) {
    const vendors = union(JSON.parse(job.vendors) as string[], o.vendors);
    const followups = union(JSON.parse(job.followups) as Job[], o.followups);
    const toDay = o.today > job.to_day ? o.today : job.to_day;
    if (job.phase === "scoring") {
      sql.exec(
        "UPDATE score_job SET again = 1, to_day = ?, vendors = ?, followups = ?, updated_at = ?",
        toDay,
        JSON.stringify(vendors),
        JSON.stringify(followups),
        o.now,
      );
      return false;
    }
    sql.exec("DELETE FROM score_job");
    return startJob(sql, { ...o, today: toDay, vendors, followups });
  }
  const planned = plan(sql, o.today);
  sql.exec(
    `INSERT INTO score_job (id, started_at, updated_at, to_day, vendors, followups, slice_accounts, planned)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
    o.now,
    o.now,
    o.today,
    JSON.stringify(o.vendors),
    JSON.stringify(o.followups),
    Math.max(1, Math.floor(o.sliceAccounts)),
    planned,
  );
  return true;
}

/** The next accounts of the plan, in id order. */
export function nextSlice(
  sql: SqlStorage,
  size: number,
): { account_id: string; since: number | null }[] {
  return sql
    .exec<{ account_id: string; since: number | null }>(
      "SELECT account_id, since FROM score_plan ORDER BY account_id LIMIT ?",
      size,
    )
    .toArray();
}

/**
 * Where an account's scoring starts: from its stored state when its changes are all after it
 * (or none are dated: an account's own fields), else from the last checkpoint before the earliest
 * changed day (or from the start of its data without one), keeping only days from that day on.
 */
export function planFor(
  sql: SqlStorage,
  row: { account_id: string; since: number | null },
  toDay: number,
): { plan: RescorePlan; emitFrom?: string } {
  const stored = sql
    .exec<{ state: string }>("SELECT state FROM account_state WHERE account_id = ?", row.account_id)
    .toArray()[0];
  if (!stored) return { plan: { accountId: row.account_id } };
  const state = JSON.parse(stored.state) as AccountState;
  const stateDay = toDayNumber(state.day);
  // Scored through today already: an undated change rescores today.
  const since = row.since ?? (stateDay >= toDay ? toDay : null);
  if (since === null || since > stateDay) return { plan: { accountId: row.account_id, state } };
  const emitFrom = toDayString(since);
  const checkpoint = sql
    .exec<{ state: string }>(
      "SELECT state FROM account_checkpoints WHERE account_id = ? AND day < ? ORDER BY day DESC LIMIT 1",
      row.account_id,
      emitFrom,
    )
    .toArray()[0];
  return {
    plan: {
      accountId: row.account_id,
      state: checkpoint ? (JSON.parse(checkpoint.state) as AccountState) : undefined,
    },
    emitFrom,
  };
}

/**
 * These accounts are scored through `toDay`; one whose state stops short of it has ended (churned):
 * it is planned again only when its records change.
 */
export function donePlanned(sql: SqlStorage, ids: string[], toDay: string): void {
  sql.exec(
    `UPDATE account_state SET ended = (day < ?)
     WHERE account_id IN (SELECT value FROM json_each(?))`,
    toDay,
    JSON.stringify(ids),
  );
  sql.exec(
    "DELETE FROM score_plan WHERE account_id IN (SELECT value FROM json_each(?))",
    JSON.stringify(ids),
  );
}

export function advanceJob(
  sql: SqlStorage,
  d: {
    accounts: number;
    accountDays: number;
    tasksOpened: number;
    tasksClosed: number;
    rows: number;
    ms: number;
  },
): void {
  sql.exec(
    `UPDATE score_job SET accounts = accounts + ?, account_days = account_days + ?,
       tasks_opened = tasks_opened + ?, tasks_closed = tasks_closed + ?,
       rows_written = rows_written + ?, slices = slices + 1, longest_ms = MAX(longest_ms, ?),
       updated_at = ?`,
    d.accounts,
    d.accountDays,
    d.tasksOpened,
    d.tasksClosed,
    d.rows,
    d.ms,
    Date.now(),
  );
}

/**
 * The plan is done: plan again (asked while it ran) with fresh totals, or hand over to the
 * follow-ups (none: the job is gone).
 */
export function endJob(sql: SqlStorage, o: { again: boolean }): void {
  const job = readJob(sql);
  if (!job) return;
  if (o.again) {
    const planned = plan(sql, job.to_day);
    const now = Date.now();
    sql.exec(
      `UPDATE score_job SET again = 0, started_at = ?, updated_at = ?, planned = ?, accounts = 0,
         account_days = 0, tasks_opened = 0, tasks_closed = 0, rows_written = 0, slices = 0,
         longest_ms = 0`,
      now,
      now,
      planned,
    );
    return;
  }
  if ((JSON.parse(job.followups) as Job[]).length === 0) sql.exec("DELETE FROM score_job");
  else sql.exec("UPDATE score_job SET phase = 'followups', updated_at = ?", Date.now());
}

/** The follow-ups have been queued. */
export function clearFollowups(sql: SqlStorage): void {
  sql.exec("DELETE FROM score_job WHERE phase = 'followups'");
}

/** Progress of the running job, for the admin and the local run. */
export function scoringProgress(
  sql: SqlStorage,
): { phase: string; planned: number; done: number; toDay: string; startedAt: number } | null {
  const job = readJob(sql);
  if (!job) return null;
  const left = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM score_plan").one().n;
  return {
    phase: job.phase,
    planned: job.planned,
    done: job.planned - left,
    toDay: job.to_day,
    startedAt: job.started_at,
  };
}
