// TenantStore: one Durable Object per tenant, with its own SQLite. It stores what syncs bring
// (idempotently, cursor in the same transaction), rescores changed accounts next to the data,
// answers the in-vendor views and the admin pages, and tracks what must be written back to each vendor.
import { DurableObject } from "cloudflare:workers";
import { accountViewOf, VIEW_SERIES_DAYS } from "../../connectors/account-view.ts";
import type {
  AccountChange,
  AccountView,
  ChangeMark,
  PushResult,
  RecordBatch,
} from "../../connectors/connector.ts";
import { emptyBatch } from "../../connectors/records.ts";
import { addDays } from "../../core/day.ts";
import { type RescorePlan, rescoreAccounts } from "../../core/engine.ts";
import type { Account, HealthSnapshot } from "../../core/model.ts";
import {
  accountCount,
  accountIdByExternal,
  applyRecords,
  clearDirty,
  dataAge,
  dirtyAccounts,
  identityQuestions,
  loadPortfolio,
  resolveIdentity,
} from "./records-repo.ts";
import { migrateTenant } from "./schema.ts";
import {
  atRisk,
  bandCounts,
  endedCount,
  lastScoreRun,
  latestOf,
  loadStates,
  markPushNeeded,
  openTasksOf,
  pruneSnapshots,
  recentAlerts,
  SNAPSHOT_KEEP_DAYS,
  saveAlert,
  saveLatest,
  saveScoreRun,
  saveSnapshot,
  saveState,
  saveTask,
  seriesOf,
  tasksOf,
} from "./scores-repo.ts";
import {
  clearMarks,
  endRun,
  holdsLease,
  listSyncs,
  type PageEnd,
  pendingMarks,
  readSync,
  refusedOf,
  savePage,
  saveWebhookMark,
  takeLease,
} from "./sync-repo.ts";
import { pendingChanges, pendingWritebackCount, recordPush } from "./writeback-repo.ts";

export interface RescoreResult {
  accounts: number;
  accountDays: number;
  tasksOpened: number;
  tasksClosed: number;
  rowsWritten: number;
  ms: number;
}

export class TenantStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateTenant(ctx.storage);
  }

  /**
   * Start or continue a sync run as one delivery of its message (`holder`); refused while another
   * live delivery holds the connection, and for a run that has already finished.
   */
  beginSync(connectionId: string, vendor: string, runId: string, holder: string, now: number) {
    return this.ctx.storage.transactionSync(() =>
      takeLease(this.sql, connectionId, vendor, runId, holder, now),
    );
  }

  /**
   * Store (a slice of) one pulled page; the page's last slice carries the cursor after it, saved in
   * the same transaction: a crash before that commits re-pulls the page, after it resumes behind
   * it. A delivery that does not hold the lease stores nothing.
   */
  applyPage(
    connectionId: string,
    vendor: string,
    runId: string,
    holder: string,
    records: RecordBatch,
    end: PageEnd | null,
    now: number,
  ): { stored: boolean; rows: number; accounts: number } {
    return this.ctx.storage.transactionSync(() => {
      if (!holdsLease(this.sql, connectionId, runId, holder))
        return { stored: false, rows: 0, accounts: 0 };
      const { touched, rows } = applyRecords(this.sql, vendor, records);
      savePage(this.sql, connectionId, end, rows, now);
      return { stored: true, rows, accounts: touched.size };
    });
  }

  endSync(
    connectionId: string,
    vendor: string,
    runId: string,
    holder: string,
    outcome: { error?: string; paused?: boolean; storeMs?: number },
    now: number,
  ): void {
    this.ctx.storage.transactionSync(() => {
      const s = readSync(this.sql, connectionId);
      if (s?.holder !== holder) return;
      if (!outcome.error && !outcome.paused && s.run_started_at)
        clearMarks(this.sql, vendor, s.run_started_at);
      endRun(this.sql, connectionId, runId, holder, outcome, now);
    });
  }

  /**
   * Score every account that changed, or has not been scored through `today`, from the day after
   * its stored state; portfolio context comes from all accounts. One transaction for all results.
   */
  rescore(today: string, vendors: string[]): RescoreResult {
    const started = Date.now();
    const dirty = dirtyAccounts(this.sql);
    const states = loadStates(this.sql);
    const p = loadPortfolio(this.sql);
    const plans: RescorePlan[] = [];
    for (const a of p.accounts) {
      const state = states.get(a.id);
      if (dirty.has(a.id) || !state || state.day < today) plans.push({ accountId: a.id, state });
    }
    // An account already scored through today with new records is scored again from today only.
    for (const plan of plans) if (plan.state && plan.state.day >= today) plan.state = undefined;
    const keepFrom = addDays(today, -SNAPSHOT_KEEP_DAYS);
    let rows = 0;
    const latest = new Map<string, HealthSnapshot>();
    const summary = this.ctx.storage.transactionSync(() => {
      const s = rescoreAccounts(
        p,
        plans,
        { to: today },
        {
          snapshot: (snap) => {
            latest.set(snap.accountId, snap);
            if (snap.day < keepFrom) return;
            saveSnapshot(this.sql, snap);
            rows++;
          },
          task: (t) => {
            saveTask(this.sql, t);
            markPushNeeded(this.sql, t.accountId, vendors);
            rows++;
          },
          accountDone: (id, state) => {
            saveState(this.sql, id, state);
            rows++;
          },
        },
      );
      for (const snap of latest.values()) {
        saveLatest(this.sql, snap, vendors);
        rows++;
      }
      for (const a of s.alerts) saveAlert(this.sql, a);
      clearDirty(this.sql);
      pruneSnapshots(this.sql, keepFrom);
      return s;
    });
    const ms = Date.now() - started;
    saveScoreRun(this.sql, {
      at: started,
      to_day: today,
      accounts: summary.accounts,
      account_days: summary.accountDays,
      ms,
      rows_written: rows,
    });
    return {
      accounts: summary.accounts,
      accountDays: summary.accountDays,
      tasksOpened: summary.tasksOpened,
      tasksClosed: summary.tasksClosed,
      rowsWritten: rows,
      ms,
    };
  }

  /** What to write back to `vendor` next (at most `limit` accounts), as of `now` (ms). */
  pendingWriteback(vendor: string, limit: number, now: number): AccountChange[] {
    return pendingChanges(this.sql, vendor, limit, now);
  }

  /** Remember what a push wrote; accounts that failed stay pending for the next writeback. */
  recordWriteback(vendor: string, changes: AccountChange[], result: PushResult, now: number): void {
    this.ctx.storage.transactionSync(() => recordPush(this.sql, vendor, changes, result, now));
  }

  /**
   * Ebb's view of the account a vendor's record belongs to, from this tenant's data only (null when
   * the record is not an account Ebb has scored): what every in-vendor UI shows.
   */
  accountView(vendor: string, externalId: string): AccountView | null {
    const id = accountIdByExternal(this.sql, vendor, externalId);
    if (!id) return null;
    const row = this.sql
      .exec<{ data: string }>("SELECT data FROM accounts WHERE id = ?", id)
      .toArray()[0];
    if (!row) return null;
    return accountViewOf(
      JSON.parse(row.data) as Account,
      latestOf(this.sql, id),
      seriesOf(this.sql, id, VIEW_SERIES_DAYS),
      openTasksOf(this.sql, id),
    );
  }

  /** Webhook events: remembered (once per event id) until a sync has read past them. */
  markChanges(marks: ChangeMark[]): { accepted: number; deleted: number } {
    return this.ctx.storage.transactionSync(() => {
      let accepted = 0;
      let deleted = 0;
      for (const m of marks) {
        if (!saveWebhookMark(this.sql, m)) continue;
        accepted++;
        if (m.deleted?.length || m.merged?.length) {
          const batch = { ...emptyBatch(), deleted: m.deleted ?? [], merged: m.merged ?? [] };
          deleted += applyRecords(this.sql, m.vendor, batch).rows;
        }
      }
      return { accepted, deleted };
    });
  }

  /**
   * An admin's answer to an identity question (same customer as `into`, or none); the accounts it
   * touches are rescored by the next scoring. Refused (with the reason) when the question is gone
   * or `into` is not one of its candidates.
   */
  resolveIdentity(vendor: string, sourceId: string, into: string | null) {
    return this.ctx.storage.transactionSync(() =>
      resolveIdentity(this.sql, vendor, sourceId, into),
    );
  }

  /** Everything the admin dashboard shows; accounts not scored through `today` count as ended. */
  overview(today: string) {
    return {
      accounts: accountCount(this.sql),
      bands: bandCounts(this.sql, today),
      ended: endedCount(this.sql, today),
      atRisk: atRisk(this.sql, today, 50),
      alerts: recentAlerts(this.sql, 5),
      syncs: listSyncs(this.sql).map((s) => ({ ...s, cursor: undefined, refused: refusedOf(s) })),
      dataAge: dataAge(this.sql),
      pendingMarks: pendingMarks(this.sql),
      pendingWriteback: pendingWritebackCount(this.sql),
      identity: identityQuestions(this.sql),
      lastScore: lastScoreRun(this.sql) ?? null,
    };
  }

  /** One account's page: who it is, its latest snapshot, a year of scores, its tasks. */
  account(id: string) {
    const row = this.sql
      .exec<{ data: string }>("SELECT data FROM accounts WHERE id = ?", id)
      .toArray()[0];
    if (!row) return null;
    return {
      account: JSON.parse(row.data) as Account,
      latest: latestOf(this.sql, id) ?? null,
      series: seriesOf(this.sql, id, 365),
      tasks: tasksOf(this.sql, id),
    };
  }
}
