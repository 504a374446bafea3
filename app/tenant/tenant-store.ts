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
import type { UsageCall } from "../../connectors/segment/messages.ts";
import { type BacktestReport, BacktestTally } from "../../core/backtest.ts";
import { addDays, toDayNumber, toDayString } from "../../core/day.ts";
import {
  type AccountState,
  incidentAlert,
  outageAlert,
  type RescorePlan,
  rescoreAccounts,
  scorePortfolio,
} from "../../core/engine.ts";
import type { Account, HealthSnapshot, UsageSample } from "../../core/model.ts";
import type { Policy } from "../../core/policy.ts";
import type { PortfolioContext } from "../../core/portfolio.ts";
import { withoutEvidence } from "../../core/snapshot.ts";
import type { Job } from "../jobs/messages.ts";
import { accountDetail } from "./account-detail.ts";
import { type AccountFilter, type AccountList, listAccounts } from "./accounts-query.ts";
import { aggregatesVersion, readContext, sizedIncidents } from "./aggregates-repo.ts";
import {
  accountCount,
  accountIdByExternal,
  applyRecords,
  dataAge,
  identityQuestions,
  loadAccounts,
  resolveIdentity,
} from "./records-repo.ts";
import { migrateTenant } from "./schema.ts";
import {
  advanceJob,
  clearFollowups,
  donePlanned,
  endJob,
  nextSlice,
  planFor,
  readJob,
  type ScoreJob,
  scoringProgress,
  startJob,
} from "./score-job-repo.ts";
import { SCORE_SLICE_ACCOUNTS } from "./score-slice.ts";
import {
  atRisk,
  bandCounts,
  endedCount,
  lastScoreRun,
  latestOf,
  markPushNeeded,
  openTasksOf,
  pruneAccount,
  recentAlerts,
  SNAPSHOT_KEEP_DAYS,
  saveAlert,
  saveCheckpoint,
  saveLatest,
  saveScoreRun,
  saveSnapshot,
  saveState,
  saveTask,
  seriesOf,
  tasksOf,
} from "./scores-repo.ts";
import { policyOf, savePolicy, settingsChanges, undoChange } from "./settings-repo.ts";
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
import {
  accountOfGroup,
  type IngestResult,
  ingestCalls,
  USAGE_VENDOR,
  usageSummary,
  writeUsage,
} from "./usage-repo.ts";
import {
  pendingChanges,
  pendingWritebackCount,
  recordPush,
  trimWritebackLog,
  writebackLog,
} from "./writeback-repo.ts";

/** A scoring job no step has advanced for this long has lost its messages: drive it again. */
export const STALE_JOB_MS = 5 * 60_000;

export interface StepResult {
  /** Another step follows. */
  more: boolean;
  /** Jobs to queue now that scoring is done. */
  followups: Job[];
  /** Accounts and records this step loaded. */
  accounts: number;
  records: number;
  /** Where a slice's time went: reading the context, loading its records, scoring and storing. */
  ms?: { context: number; load: number; scoreAndStore: number };
}

export class TenantStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private cachedContext:
    | { version: number; completeThrough: number; ctx: PortfolioContext }
    | undefined;
  /** Backtests in progress or done (settings preview, trust page), by what they ran on. */
  private readonly backtests = new Map<string, BacktestRun>();

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
    /** Where the tenant's tickets may come from, first choice first (`ticketSourcesOf`). */
    ticketSources: string[] = [],
  ): { stored: boolean; rows: number; accounts: number } {
    return this.ctx.storage.transactionSync(() => {
      if (!holdsLease(this.sql, connectionId, runId, holder))
        return { stored: false, rows: 0, accounts: 0 };
      const source = ticketSourceOf(this.sql, ticketSources);
      let batch = records;
      if (source !== null && source !== vendor) batch = { ...records, tickets: [] };
      else if (source === vendor) keepTicketsOnlyFrom(this.sql, vendor);
      const { touched, rows } = applyRecords(this.sql, vendor, batch);
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
   * Plan scoring through `today`: every account that changed (from the earliest day its changes
   * touch) or has not been scored through today, `sliceAccounts` accounts per `scoreStep`; when
   * the plan is done, `followups` are handed to whoever drives the steps. Asked while a scoring
   * runs, it is remembered and runs again when that ends. `drive` says whether the caller should
   * queue the steps: a new job, or one no step has advanced for STALE_JOB_MS (its messages lost).
   */
  startScoring(
    today: string,
    vendors: string[],
    followups: Job[],
    sliceAccounts: number = SCORE_SLICE_ACCOUNTS,
  ): { started: boolean; drive: boolean } {
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      const before = readJob(this.sql);
      const started = startJob(this.sql, { today, vendors, followups, sliceAccounts, now });
      return { started, drive: started || now - (before?.updated_at ?? now) > STALE_JOB_MS };
    });
  }

  /** The follow-ups `scoreStep` handed over have been queued. */
  followupsQueued(): void {
    this.ctx.storage.transactionSync(() => clearFollowups(this.sql));
  }

  /**
   * Score the next slice of the plan in one transaction with everything it writes and the plan's
   * progress: a crash before it commits scores the same slice again, after it the next one. The
   * portfolio context comes from the aggregates, read again only when they have changed.
   */
  scoreStep(): StepResult {
    return this.ctx.storage.transactionSync(() => {
      const job = readJob(this.sql);
      if (!job) return { more: false, followups: [], accounts: 0, records: 0 };
      if (job.phase === "followups")
        return {
          more: false,
          followups: JSON.parse(job.followups) as Job[],
          accounts: 0,
          records: 0,
        };
      const started = Date.now();
      const slice = nextSlice(this.sql, job.slice_accounts);
      if (slice.length === 0) return this.finishJob(job);
      const ctx = this.context();
      const contextAt = Date.now();
      const { portfolio, records } = loadAccounts(
        this.sql,
        slice.map((r) => r.account_id),
      );
      const loadedAt = Date.now();
      const toDay = toDayNumber(job.to_day);
      const plans: RescorePlan[] = [];
      const emitFrom = new Map<string, string>();
      for (const row of slice) {
        const p = planFor(this.sql, row, toDay);
        if (!p) continue;
        plans.push(p.plan);
        if (p.emitFrom) emitFrom.set(row.account_id, p.emitFrom);
      }
      const vendors = JSON.parse(job.vendors) as string[];
      let rows = 0;
      const latest = new Map<string, HealthSnapshot>();
      // An account's days and checkpoints wait for its last day, which sets what is kept.
      let days: HealthSnapshot[] = [];
      let checkpoints: AccountState[] = [];
      const emits = (accountId: string, day: string) => {
        const from = emitFrom.get(accountId);
        return from === undefined || day >= from;
      };
      const s = rescoreAccounts(
        portfolio,
        plans,
        { to: job.to_day, snoozes: snoozesOf(this.sql), policy: policyOf(this.sql) },
        {
          snapshot: (snap) => {
            latest.set(snap.accountId, snap);
            if (emits(snap.accountId, snap.day)) days.push(withoutEvidence(snap));
          },
          task: (t) => {
            if (!emits(t.accountId, t.day)) return;
            saveTask(this.sql, t);
            markPushNeeded(this.sql, t.accountId, vendors);
            rows++;
          },
          checkpoint: (_, state) => checkpoints.push(state),
          accountDone: (id, state) => {
            const keepFrom = addDays(state.day, -SNAPSHOT_KEEP_DAYS);
            for (const d of days)
              if (d.day >= keepFrom) {
                saveSnapshot(this.sql, d);
                rows++;
              }
            for (const c of checkpoints)
              if (c.day >= keepFrom) {
                saveCheckpoint(this.sql, id, c);
                rows++;
              }
            days = [];
            checkpoints = [];
            saveState(this.sql, id, state);
            pruneAccount(this.sql, id, state.day);
            rows++;
          },
        },
        ctx,
      );
      for (const snap of latest.values()) {
        saveLatest(this.sql, snap, vendors);
        rows++;
      }
      donePlanned(
        this.sql,
        slice.map((r) => r.account_id),
        job.to_day,
      );
      advanceJob(this.sql, {
        accounts: s.accounts,
        accountDays: s.accountDays,
        tasksOpened: s.tasksOpened,
        tasksClosed: s.tasksClosed,
        rows,
        ms: Date.now() - started,
      });
      const ms = {
        context: contextAt - started,
        load: loadedAt - contextAt,
        scoreAndStore: Date.now() - loadedAt,
      };
      return { more: true, followups: [], accounts: slice.length, records, ms };
    });
  }

  /** The end of a scoring job: its alerts and run record; then its follow-ups, or the next run. */
  private finishJob(job: ScoreJob): StepResult {
    const from = toDayNumber(addDays(job.to_day, -SNAPSHOT_KEEP_DAYS));
    const recent = this.context().incidents.filter((i) => toDayNumber(i.to) >= from);
    for (const incident of sizedIncidents(this.sql, recent))
      saveAlert(this.sql, incidentAlert(incident));
    for (const outage of this.context().outages)
      if (outage.to === null || toDayNumber(outage.to) >= from)
        saveAlert(this.sql, outageAlert(outage));
    saveScoreRun(this.sql, {
      at: job.started_at,
      to_day: job.to_day,
      accounts: job.accounts,
      account_days: job.account_days,
      ms: Date.now() - job.started_at,
      rows_written: job.rows_written,
      slices: job.slices,
      longest_ms: job.longest_ms,
    });
    const again = job.again === 1;
    endJob(this.sql, { again });
    if (again) return { more: true, followups: [], accounts: 0, records: 0 };
    return { more: false, followups: JSON.parse(job.followups) as Job[], accounts: 0, records: 0 };
  }

  /** The portfolio context, kept while the aggregates it was read from are unchanged. */
  private context(): PortfolioContext {
    const version = aggregatesVersion(this.sql);
    // Today is still arriving: the days before it are the complete ones.
    const completeThrough = Math.floor(Date.now() / 86_400_000) - 1;
    if (
      this.cachedContext?.version !== version ||
      this.cachedContext.completeThrough !== completeThrough
    )
      this.cachedContext = {
        version,
        completeThrough,
        ctx: readContext(this.sql, { completeThrough }),
      };
    return this.cachedContext.ctx;
  }

  /**
   * Which CRM Ebb's follow-up tasks go into: the admin's choice while it is connected, else the
   * first connected vendor that holds tasks. One home, so a CSM never gets the same task twice.
   */
  taskHome(taskVendors: string[]): string | null {
    const chosen = this.sql
      .exec<{ value: string }>("SELECT value FROM tenant_settings WHERE key = 'task_home'")
      .toArray()[0]?.value;
    return chosen && taskVendors.includes(chosen) ? chosen : (taskVendors[0] ?? null);
  }

  /** An admin's choice of task home: tasks not yet written go there from now on. */
  setTaskHome(vendor: string): void {
    this.sql.exec(
      "INSERT INTO tenant_settings (key, value) VALUES ('task_home', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      vendor,
    );
  }

  /** Which vendor's tickets count: the admin's choice, else the first connected help desk. */
  ticketSource(ticketSources: string[] = []): string | null {
    return ticketSourceOf(this.sql, ticketSources);
  }

  /**
   * An admin's choice of ticket source: other vendors' tickets are dropped, and the chosen
   * vendor's connections read everything again on their next sync (their tickets were not kept).
   * Refused while one of them is syncing (its cursor is in use).
   */
  setTicketSource(vendor: string): { ok: true } | { ok: false; reason: string } {
    return this.ctx.storage.transactionSync(() => {
      const busy = this.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM sync_state WHERE vendor = ? AND status = 'running'",
          vendor,
        )
        .one().n;
      if (busy > 0)
        return { ok: false as const, reason: `${vendor} is syncing: try again when it is done` };
      this.sql.exec(
        "INSERT INTO tenant_settings (key, value) VALUES ('ticket_source', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vendor,
      );
      const before = this.sql
        .exec<{ value: string }>(
          "SELECT value FROM tenant_settings WHERE key = 'tickets_only_from'",
        )
        .toArray()[0]?.value;
      keepTicketsOnlyFrom(this.sql, vendor);
      if (before !== undefined && before !== vendor)
        this.sql.exec("UPDATE sync_state SET cursor = NULL WHERE vendor = ?", vendor);
      return { ok: true as const };
    });
  }

  /** What to write back to `vendor` next (at most `limit` accounts), as of `now` (ms). */
  pendingWriteback(
    vendor: string,
    limit: number,
    now: number,
    withTasks = true,
    seriesDays = 0,
  ): AccountChange[] {
    return pendingChanges(this.sql, vendor, limit, now, withTasks, seriesDays, policyOf(this.sql));
  }

  /** Remember what a push wrote; accounts that failed stay pending for the next writeback. */
  recordWriteback(vendor: string, changes: AccountChange[], result: PushResult, now: number): void {
    this.ctx.storage.transactionSync(() => {
      recordPush(this.sql, vendor, changes, result, now);
      trimWritebackLog(this.sql);
    });
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

  /**
   * Store one ingestion request's calls (usage-repo.ts) in one transaction: all of them or, if the
   * store fails, none. Calls the API refused are kept (the last 50) for the admin to see.
   */
  ingestUsage(calls: UsageCall[], refused: string[], now: number): IngestResult {
    return this.ctx.storage.transactionSync(() => {
      const r = ingestCalls(this.sql, calls, now);
      keepRefused(this.sql, "api", [...refused, ...r.refused.map((x) => x.message)], now);
      return r;
    });
  }

  /**
   * Daily usage an admin uploads (CSV or NDJSON, read by the route): for accounts found by an id of
   * any vendor or a domain, written as the ingestion API's own days are; the others are named.
   */
  uploadUsage(samples: { line: number; sample: UsageSample }[], now: number) {
    return this.ctx.storage.transactionSync(() => {
      let written = 0;
      const unknown: { line: number; message: string }[] = [];
      const accounts = new Set<string>();
      for (const { line, sample } of samples) {
        const account = accountOfGroup(this.sql, sample.accountId);
        if (!account) {
          unknown.push({
            line,
            message: `${line}: accountId: no account "${sample.accountId}" (an account id of a connected vendor, or a domain)`,
          });
          continue;
        }
        writeUsage(this.sql, { ...sample, accountId: account });
        accounts.add(account);
        written++;
      }
      for (const a of accounts)
        this.sql.exec("INSERT OR IGNORE INTO dirty_accounts (account_id) VALUES (?)", a);
      keepRefused(
        this.sql,
        "upload",
        unknown.map((u) => u.message),
        now,
      );
      return { written, accounts: accounts.size, unknown };
    });
  }

  /**
   * The daily usage the ingestion API and uploads gave one account (named by an id of any vendor,
   * Ebb's own, or a domain), oldest day first; null when no account is so named.
   */
  usageDays(ref: string, days = 90) {
    const account = accountOfGroup(this.sql, ref);
    if (!account) return null;
    const rows = this.sql
      .exec<{ day: number; users: number | null; events: number | null; data: string }>(
        `SELECT day, users, events, data FROM records
         WHERE kind = 'usage' AND vendor = ? AND account_id = ? ORDER BY day DESC LIMIT ?`,
        USAGE_VENDOR,
        account,
        days * 20,
      )
      .toArray()
      .reverse();
    return {
      accountId: account,
      days: rows.map((r) => {
        const feature = (JSON.parse(r.data) as { feature?: string }).feature;
        return {
          day: toDayString(r.day),
          ...(r.users === null ? {} : { activeUsers: r.users }),
          ...(r.events === null ? {} : { events: r.events }),
          ...(feature ? { feature } : {}),
        };
      }),
    };
  }

  /** What the ingestion API has stored and refused lately, for the admin. */
  usageStatus() {
    return {
      ...usageSummary(this.sql),
      refused: this.sql
        .exec<{ at: number; source: string; message: string }>(
          "SELECT at, source, message FROM usage_refused ORDER BY at DESC, rowid DESC LIMIT 10",
        )
        .toArray(),
    };
  }

  /**
   * Snooze an account's alerts until a day, with a note (kept, shown, and respected by playbooks:
   * no task opens for it before that day). An empty `until` ends the snooze.
   */
  snooze(accountId: string, until: string | null, note: string, by: string | null, now: number) {
    const exists =
      this.sql.exec("SELECT 1 FROM accounts WHERE id = ?", accountId).toArray().length > 0;
    if (!exists) return false;
    if (until === null)
      this.sql.exec("DELETE FROM account_snoozes WHERE account_id = ?", accountId);
    else
      this.sql.exec(
        `INSERT INTO account_snoozes (account_id, until, note, by, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id) DO UPDATE SET until = excluded.until, note = excluded.note,
           by = excluded.by, at = excluded.at`,
        accountId,
        until,
        note,
        by,
        now,
      );
    return true;
  }

  /** The scoring policy in force, and its history of changes (newest first). */
  settings() {
    return { policy: policyOf(this.sql), changes: settingsChanges(this.sql) };
  }

  /** Put a policy in force, recorded as `by`'s change; every account is rescored under it. */
  saveSettings(policy: Policy, by: string | null, now: number) {
    return this.ctx.storage.transactionSync(() => savePolicy(this.sql, policy, by, now));
  }

  /** Undo a settings change (the policy before it is put back, as a change of its own). */
  undoSettings(id: number, by: string | null, now: number) {
    return this.ctx.storage.transactionSync(() => undoChange(this.sql, id, by, now));
  }

  /**
   * Advance the backtest of `policy` (null: the policy in force) on this tenant's own history by
   * as many accounts as fit in `budgetMs`: the caller asks again until it is done. Accounts are
   * scored a slice at a time within the whole portfolio's context, numbers only, and nothing is
   * written; a finished backtest is kept while the tenant's data and the day are unchanged.
   */
  backtestStep(policy: Policy | null, today: string, budgetMs = 1500): BacktestProgress {
    const used = policy ?? policyOf(this.sql);
    const version = aggregatesVersion(this.sql);
    const key = `${version}|${today}|${JSON.stringify(used)}`;
    let run = this.backtests.get(key);
    if (!run) {
      for (const [k, r] of this.backtests) if (r.version !== version) this.backtests.delete(k);
      if (this.backtests.size > 8) this.backtests.clear();
      run = {
        version,
        tally: new BacktestTally(),
        after: "",
        accounts: 0,
        accountDays: 0,
        total: accountCount(this.sql),
        tasksLastQuarter: 0,
        ms: 0,
        report: null,
      };
      this.backtests.set(key, run);
    }
    if (run.report) return progressOf(run);
    const started = Date.now();
    const to = addDays(today, -1);
    const ctx = this.context();
    const r = run;
    while (Date.now() - started < budgetMs) {
      const ids = this.sql
        .exec<{ id: string }>(
          "SELECT id FROM accounts WHERE id > ? ORDER BY id LIMIT ?",
          r.after,
          SCORE_SLICE_ACCOUNTS,
        )
        .toArray()
        .map((x) => x.id);
      if (ids.length === 0) {
        r.report = r.tally.report({ accounts: r.accounts, accountDays: r.accountDays });
        r.tasksLastQuarter = r.tally.opensSince(toDayNumber(today) - 91);
        break;
      }
      const { portfolio } = loadAccounts(this.sql, ids);
      r.tally.addOutcomes(portfolio.outcomes);
      const s = scorePortfolio(portfolio, { to, policy: used, explain: false }, r.tally.sink, ctx);
      r.accounts += s.accounts;
      r.accountDays += s.accountDays;
      r.after = ids[ids.length - 1] ?? r.after;
    }
    r.ms += Date.now() - started;
    return progressOf(r);
  }

  /** What was written where (newest first), or only the failures. */
  writebackLog(o: { failuresOnly?: boolean; vendor?: string; limit?: number } = {}) {
    return writebackLog(this.sql, o);
  }

  /** The fields last written into each vendor's record of an account. */
  writtenFields(accountId: string): Record<string, Record<string, string>> {
    return Object.fromEntries(
      this.sql
        .exec<{ vendor: string; fields: string }>(
          "SELECT vendor, fields FROM written_fields WHERE account_id = ?",
          accountId,
        )
        .toArray()
        .map((r) => [r.vendor, JSON.parse(r.fields) as Record<string, string>]),
    );
  }

  /**
   * Each source's health for the trust page: how many accounts each (kind, vendor) has records for
   * since `from` (YYYY-MM-DD), out of all accounts, and each source's data age.
   */
  sources(from: string) {
    return {
      accounts: accountCount(this.sql),
      coverage: this.sql
        .exec<{ kind: string; vendor: string; accounts: number }>(
          `SELECT kind, vendor, COUNT(DISTINCT account_id) AS accounts FROM records
           WHERE kind IN ('tickets', 'engagements', 'usage') AND at >= ?
           GROUP BY kind, vendor ORDER BY kind, vendor`,
          from,
        )
        .toArray(),
      dataAge: dataAge(this.sql),
    };
  }

  /** Accounts whose writeback failed and waits for the next one, per vendor. */
  writebackWaiting(): { vendor: string; accounts: number }[] {
    return this.sql
      .exec<{ vendor: string; accounts: number }>(
        "SELECT vendor, COUNT(*) AS accounts FROM push_needed GROUP BY vendor ORDER BY vendor",
      )
      .toArray();
  }

  /** Every account, filtered, sorted and paged for the admin's list (accounts-query.ts). */
  accounts(filter: AccountFilter, today: string): AccountList {
    return listAccounts(this.sql, filter, today);
  }

  /** Everything the admin dashboard shows; accounts not scored through `today` count as ended. */
  overview(today: string) {
    const policy = policyOf(this.sql);
    return {
      accounts: accountCount(this.sql),
      bands: bandCounts(this.sql, today),
      ended: endedCount(this.sql, today),
      atRisk: atRisk(this.sql, today, 50, policy.tasks.decayBelow),
      alerts: recentAlerts(this.sql, 5),
      syncs: listSyncs(this.sql).map((s) => ({ ...s, cursor: undefined, refused: refusedOf(s) })),
      dataAge: dataAge(this.sql),
      pendingMarks: pendingMarks(this.sql),
      pendingWriteback: pendingWritebackCount(this.sql),
      identity: identityQuestions(this.sql),
      lastScore: lastScoreRun(this.sql) ?? null,
      scoring: scoringProgress(this.sql),
    };
  }

  /** One account's page: who it is, its latest snapshot, a year of scores, its tasks. */
  account(id: string, today: string = toDayString(Math.floor(Date.now() / 86_400_000))) {
    const row = this.sql
      .exec<{ data: string }>("SELECT data FROM accounts WHERE id = ?", id)
      .toArray()[0];
    if (!row) return null;
    return {
      account: JSON.parse(row.data) as Account,
      // The timeline runs to the account's last scored day (a churned account's ends there).
      detail: accountDetail(this.sql, id, latestOf(this.sql, id)?.day ?? today),
      bands: policyOf(this.sql).bands,
      latest: latestOf(this.sql, id) ?? null,
      series: seriesOf(this.sql, id, 365),
      tasks: tasksOf(this.sql, id),
      snooze:
        this.sql
          .exec<{ until: string; note: string; by: string | null; at: number }>(
            "SELECT until, note, by, at FROM account_snoozes WHERE account_id = ?",
            id,
          )
          .toArray()[0] ?? null,
    };
  }
}

/**
 * The admin's choice of ticket source while it is connected, else the first of `sources` (a help
 * desk, else the first vendor connected); null when no sources are named: every vendor's.
 */
function ticketSourceOf(sql: SqlStorage, sources: string[]): string | null {
  const chosen = sql
    .exec<{ value: string }>("SELECT value FROM tenant_settings WHERE key = 'ticket_source'")
    .toArray()[0]?.value;
  if (sources.length === 0) return chosen ?? null;
  return chosen && sources.includes(chosen) ? chosen : (sources[0] ?? null);
}

/**
 * Drop the tickets other vendors brought (once per source: a flag remembers it), so the source's
 * own are the only ones; the records' triggers mark their accounts for rescoring.
 */
function keepTicketsOnlyFrom(sql: SqlStorage, vendor: string): void {
  const done = sql
    .exec<{ value: string }>("SELECT value FROM tenant_settings WHERE key = 'tickets_only_from'")
    .toArray()[0]?.value;
  if (done === vendor) return;
  sql.exec("DELETE FROM records WHERE kind = 'tickets' AND vendor <> ?", vendor);
  sql.exec(
    "INSERT INTO tenant_settings (key, value) VALUES ('tickets_only_from', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    vendor,
  );
}

/** Keep what was refused (the newest 50) so the admin sees why data did not land. */
function keepRefused(sql: SqlStorage, source: string, messages: string[], now: number): void {
  if (messages.length === 0) return;
  for (const m of messages.slice(0, 50))
    sql.exec("INSERT INTO usage_refused (at, source, message) VALUES (?, ?, ?)", now, source, m);
  sql.exec(
    "DELETE FROM usage_refused WHERE rowid NOT IN (SELECT rowid FROM usage_refused ORDER BY at DESC, rowid DESC LIMIT 50)",
  );
}

interface BacktestRun {
  version: number;
  tally: BacktestTally;
  /** The last account id scored (accounts go in id order). */
  after: string;
  accounts: number;
  accountDays: number;
  total: number;
  tasksLastQuarter: number;
  ms: number;
  report: BacktestReport | null;
}

export type BacktestProgress =
  | { done: false; scored: number; total: number; ms: number }
  | { done: true; report: BacktestReport; tasksLastQuarter: number; ms: number; total: number };

function progressOf(r: BacktestRun): BacktestProgress {
  return r.report
    ? {
        done: true,
        report: r.report,
        tasksLastQuarter: r.tasksLastQuarter,
        ms: r.ms,
        total: r.total,
      }
    : { done: false, scored: r.accounts, total: r.total, ms: r.ms };
}

/** Snoozed accounts and the day each snooze ends, for scoring. */
function snoozesOf(sql: SqlStorage): Map<string, string> {
  return new Map(
    sql
      .exec<{ account_id: string; until: string }>("SELECT account_id, until FROM account_snoozes")
      .toArray()
      .map((r) => [r.account_id, r.until]),
  );
}
