// A tenant's scores and what follows from them: the state to continue scoring from, daily
// snapshots (compact) and the latest one in full, tasks with their push state, portfolio alerts,
// the fields last written to each vendor, and which accounts need writing back.
import { addDays } from "../../core/day.ts";
import type { AccountState } from "../../core/engine.ts";
import type { Account, HealthSnapshot, Task } from "../../core/model.ts";
import { ALERT_DECAY_BELOW } from "../../core/playbooks.ts";

/** Daily snapshots kept per account (older days are still scored, to carry the trend). */
export const SNAPSHOT_KEEP_DAYS = 400;

export function loadStates(sql: SqlStorage): Map<string, AccountState> {
  const out = new Map<string, AccountState>();
  for (const r of sql.exec<{ account_id: string; state: string }>(
    "SELECT account_id, state FROM account_state",
  ))
    out.set(r.account_id, JSON.parse(r.state) as AccountState);
  return out;
}

export function saveState(sql: SqlStorage, accountId: string, state: AccountState): void {
  sql.exec(
    `INSERT INTO account_state (account_id, day, state) VALUES (?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET day = excluded.day, state = excluded.state`,
    accountId,
    state.day,
    JSON.stringify(state),
  );
}

export function saveSnapshot(sql: SqlStorage, s: HealthSnapshot): void {
  sql.exec(
    "INSERT OR REPLACE INTO snapshots (account_id, day, score, band, trend, coverage) VALUES (?, ?, ?, ?, ?, ?)",
    s.accountId,
    s.day,
    s.score,
    s.band,
    s.trend,
    s.coverage,
  );
}

export function saveLatest(sql: SqlStorage, s: HealthSnapshot, vendors: readonly string[]): void {
  sql.exec(
    `INSERT INTO latest_snapshots (account_id, day, score, band, trend, snapshot) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET day = excluded.day, score = excluded.score,
       band = excluded.band, trend = excluded.trend, snapshot = excluded.snapshot`,
    s.accountId,
    s.day,
    s.score,
    s.band,
    s.trend,
    JSON.stringify(s),
  );
  markPushNeeded(sql, s.accountId, vendors);
}

/** The account owes each of these vendors a writeback. */
export function markPushNeeded(
  sql: SqlStorage,
  accountId: string,
  vendors: readonly string[],
): void {
  for (const v of vendors)
    sql.exec("INSERT OR IGNORE INTO push_needed (account_id, vendor) VALUES (?, ?)", accountId, v);
}

/** A task is raised once per (episode, action): scoring the same day again changes nothing. */
export function saveTask(sql: SqlStorage, t: Task & { day: string }): void {
  const { day, ...task } = t;
  sql.exec(
    "INSERT OR IGNORE INTO tasks (dedupe_key, action, account_id, day, data) VALUES (?, ?, ?, ?, ?)",
    t.dedupeKey,
    t.action,
    t.accountId,
    day,
    JSON.stringify(task),
  );
}

/**
 * A portfolio alert, one per kind and day: an incident starting that day is one incident, and a
 * late ticket that changes its size replaces its alert rather than adding a second.
 */
export function saveAlert(
  sql: SqlStorage,
  a: { kind: string; day: string; title: string; body: string },
): void {
  if (a.kind === "incident")
    sql.exec(
      "DELETE FROM alerts WHERE day = ? AND title LIKE 'Product-wide incident:%' AND title <> ?",
      a.day,
      a.title,
    );
  sql.exec(
    "INSERT OR REPLACE INTO alerts (day, title, body) VALUES (?, ?, ?)",
    a.day,
    a.title,
    a.body,
  );
}

/** The state after a checkpoint day (engine.ts CHECKPOINT_DAYS), kept while its snapshots are. */
export function saveCheckpoint(sql: SqlStorage, accountId: string, state: AccountState): void {
  sql.exec(
    "INSERT OR REPLACE INTO account_checkpoints (account_id, day, state) VALUES (?, ?, ?)",
    accountId,
    state.day,
    JSON.stringify(state),
  );
}

/**
 * Keep an account's last SNAPSHOT_KEEP_DAYS days of snapshots and checkpoints, counted back from
 * its own last scored day: a churned account keeps the history before its churn.
 */
export function pruneAccount(sql: SqlStorage, accountId: string, lastDay: string): void {
  const from = addDays(lastDay, -SNAPSHOT_KEEP_DAYS);
  sql.exec("DELETE FROM snapshots WHERE account_id = ? AND day < ?", accountId, from);
  sql.exec("DELETE FROM account_checkpoints WHERE account_id = ? AND day < ?", accountId, from);
}

export function latestOf(sql: SqlStorage, accountId: string): HealthSnapshot | undefined {
  const row = sql
    .exec<{ snapshot: string }>(
      "SELECT snapshot FROM latest_snapshots WHERE account_id = ?",
      accountId,
    )
    .toArray()[0];
  return row ? (JSON.parse(row.snapshot) as HealthSnapshot) : undefined;
}

export function seriesOf(
  sql: SqlStorage,
  accountId: string,
  days: number,
): { day: string; score: number; band: string; trend: string }[] {
  return sql
    .exec<{ day: string; score: number; band: string; trend: string }>(
      "SELECT day, score, band, trend FROM snapshots WHERE account_id = ? ORDER BY day DESC LIMIT ?",
      accountId,
      days,
    )
    .toArray()
    .reverse();
}

/** Tasks raised for an account, newest first; `open` when no close followed. */
export function tasksOf(
  sql: SqlStorage,
  accountId: string,
): (Task & { day: string; pushed: boolean })[] {
  return sql
    .exec<{ data: string; day: string; pushed_at: number | null }>(
      "SELECT data, day, pushed_at FROM tasks WHERE account_id = ? ORDER BY day DESC, action DESC",
      accountId,
    )
    .toArray()
    .map((r) => ({ ...(JSON.parse(r.data) as Task), day: r.day, pushed: r.pushed_at !== null }));
}

export function openTasksOf(sql: SqlStorage, accountId: string): Task[] {
  return sql
    .exec<{ data: string }>(
      `SELECT o.data FROM tasks o WHERE o.account_id = ? AND o.action = 'open'
       AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.dedupe_key = o.dedupe_key AND c.action = 'close')
       ORDER BY o.day`,
      accountId,
    )
    .toArray()
    .map((r) => JSON.parse(r.data) as Task);
}

/** Bands of the accounts scored through `currentDay` (churned accounts stop being scored). */
export function bandCounts(sql: SqlStorage, currentDay: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of sql.exec<{ band: string; n: number }>(
    "SELECT band, COUNT(*) AS n FROM latest_snapshots WHERE day >= ? GROUP BY band",
    currentDay,
  ))
    out[r.band] = r.n;
  return out;
}

/** Accounts whose scoring ended before `currentDay` (churned). */
export function endedCount(sql: SqlStorage, currentDay: string): number {
  return sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM latest_snapshots WHERE day < ?", currentDay)
    .one().n;
}

/**
 * Current accounts that need attention, lowest score first: at risk, or decaying below the healthy
 * line — the same rule that opens a task (core/playbooks.ts).
 */
export function atRisk(
  sql: SqlStorage,
  currentDay: string,
  limit: number,
  /** The task rules' decay line (isAlert). */
  decayBelow: number = ALERT_DECAY_BELOW,
): {
  name: string;
  owner: string | null;
  arr: number | null;
  renewalAt: string | null;
  snapshot: HealthSnapshot;
}[] {
  return sql
    .exec<{ name: string; data: string; snapshot: string }>(
      `SELECT a.name, a.data, l.snapshot FROM latest_snapshots l JOIN accounts a ON a.id = l.account_id
       WHERE l.day >= ? AND (l.band = 'at_risk' OR (l.trend = 'decaying' AND l.score < ?))
       ORDER BY l.score ASC, a.name LIMIT ?`,
      currentDay,
      // The playbooks' own line (isAlert): the list shows the accounts that get a task.
      decayBelow,
      limit,
    )
    .toArray()
    .map((r) => {
      const a = JSON.parse(r.data) as Account;
      return {
        name: r.name,
        owner: a.ownerEmail ?? a.ownerId ?? null,
        arr: a.arr ?? null,
        renewalAt: a.renewalAt ?? null,
        snapshot: JSON.parse(r.snapshot) as HealthSnapshot,
      };
    });
}

export function recentAlerts(sql: SqlStorage, limit: number) {
  return sql
    .exec<{ day: string; title: string; body: string }>(
      "SELECT day, title, body FROM alerts ORDER BY day DESC LIMIT ?",
      limit,
    )
    .toArray();
}

export type ScoreRun = {
  at: number;
  to_day: string;
  accounts: number;
  account_days: number;
  ms: number;
  rows_written: number;
  /** Invocations the run took, and the longest one. */
  slices: number;
  longest_ms: number;
};

export function saveScoreRun(sql: SqlStorage, r: ScoreRun): void {
  sql.exec(
    `INSERT INTO score_runs (at, to_day, accounts, account_days, ms, rows_written, slices, longest_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    r.at,
    r.to_day,
    r.accounts,
    r.account_days,
    r.ms,
    r.rows_written,
    r.slices,
    r.longest_ms,
  );
}

export function lastScoreRun(sql: SqlStorage): ScoreRun | undefined {
  return sql
    .exec<ScoreRun>(
      `SELECT at, to_day, accounts, account_days, ms, rows_written, slices, longest_ms
       FROM score_runs ORDER BY id DESC LIMIT 1`,
    )
    .toArray()[0];
}
