// Sync progress per connection in a tenant store: the saved cursor, a lease so one run at a time
// pulls a connection, page and record counts, errors, and webhook marks waiting for the next sync.
import type { ChangeMark, PullPage } from "../../connectors/connector.ts";

export type SyncState = {
  connection_id: string;
  vendor: string;
  cursor: string | null;
  status: "idle" | "running" | "error";
  run_id: string | null;
  lease_at: number | null;
  run_started_at: number | null;
  run_pages: number;
  run_records: number;
  pages: number;
  records: number;
  errors: number;
  last_error: string | null;
  last_page_at: number | null;
  finished_at: number | null;
  last_success_at: number | null;
  store_ms: number;
  /** The delivery (one consumer's handling of the run's message) holding the lease, if any. */
  holder: string | null;
  last_run_id: string | null;
  /** JSON of what the vendor refuses the connection (PullPage.refused), as of the last page. */
  refused: string | null;
};

/** A run that has not stored a page for this long is taken to be dead; another run may take over. */
export const LEASE_MS = 120_000;

export function readSync(sql: SqlStorage, connectionId: string): SyncState | undefined {
  return sql
    .exec<SyncState>("SELECT * FROM sync_state WHERE connection_id = ?", connectionId)
    .toArray()[0];
}

export function listSyncs(sql: SqlStorage): SyncState[] {
  return sql.exec<SyncState>("SELECT * FROM sync_state ORDER BY connection_id").toArray();
}

export type Lease =
  | { ok: true; cursorJson: string | null; resumed: boolean }
  | { ok: false; finished: true }
  | { ok: false; finished: false; retryInMs: number };

/**
 * Take the lease for one delivery (`holder`) of run `runId`. Queues deliver at least once, so the
 * same message may be handled twice at once: a live lease held by another delivery — of this run or
 * another — refuses the newcomer, with the time until that lease would lapse. A run paused into a
 * fresh message keeps its lease with no holder, so only its own continuation takes it. A new run
 * resets the run counters; the same run coming back keeps them and resumes from the saved cursor.
 * A run that has already finished is not run again.
 */
export function takeLease(
  sql: SqlStorage,
  connectionId: string,
  vendor: string,
  runId: string,
  holder: string,
  now: number,
): Lease {
  const s = readSync(sql, connectionId);
  if (s?.last_run_id === runId && s.run_id !== runId) return { ok: false, finished: true };
  const age = now - (s?.lease_at ?? 0);
  if (
    s?.status === "running" &&
    age < LEASE_MS &&
    (s.run_id !== runId || (s.holder !== null && s.holder !== holder))
  )
    return { ok: false, finished: false, retryInMs: LEASE_MS - age };
  const same = s?.run_id === runId;
  sql.exec(
    `INSERT INTO sync_state (connection_id, vendor, status, run_id, holder, lease_at, run_started_at)
     VALUES (?1, ?2, 'running', ?3, ?6, ?4, ?4)
     ON CONFLICT (connection_id) DO UPDATE SET status = 'running', run_id = ?3, holder = ?6,
       lease_at = ?4,
       run_started_at = CASE WHEN ?5 THEN run_started_at ELSE ?4 END,
       run_pages = CASE WHEN ?5 THEN run_pages ELSE 0 END,
       run_records = CASE WHEN ?5 THEN run_records ELSE 0 END`,
    connectionId,
    vendor,
    runId,
    now,
    same ? 1 : 0,
    holder,
  );
  return { ok: true, cursorJson: s?.cursor ?? null, resumed: same };
}

export function holdsLease(
  sql: SqlStorage,
  connectionId: string,
  runId: string,
  holder: string,
): boolean {
  const s = readSync(sql, connectionId);
  return s?.status === "running" && s.run_id === runId && s.holder === holder;
}

/**
 * Count a stored slice; the page's last slice (`end`) also moves the cursor and the page count, and
 * says what the vendor refuses as of that page.
 */
export function savePage(
  sql: SqlStorage,
  connectionId: string,
  end: PageEnd | null,
  records: number,
  now: number,
): void {
  sql.exec(
    `UPDATE sync_state SET cursor = CASE WHEN ?1 THEN ?2 ELSE cursor END, lease_at = ?3,
       last_page_at = ?3, pages = pages + ?1, run_pages = run_pages + ?1,
       records = records + ?4, run_records = run_records + ?4,
       refused = CASE WHEN ?1 THEN ?6 ELSE refused END
     WHERE connection_id = ?5`,
    end ? 1 : 0,
    end ? JSON.stringify(end.cursor) : null,
    now,
    records,
    connectionId,
    end?.refused?.length ? JSON.stringify(end.refused) : null,
  );
}

/** What a page's last slice carries: the cursor after the page and what the vendor refuses. */
export interface PageEnd {
  cursor: unknown;
  refused?: PullPage<unknown>["refused"];
}

/** What the vendor refuses a connection, from its sync state. */
export function refusedOf(s: SyncState | undefined): NonNullable<PullPage<unknown>["refused"]> {
  return s?.refused ? (JSON.parse(s.refused) as NonNullable<PullPage<unknown>["refused"]>) : [];
}

/** End one delivery's part of a run; a delivery that no longer holds the lease changes nothing. */
export function endRun(
  sql: SqlStorage,
  connectionId: string,
  runId: string,
  holder: string,
  outcome: { error?: string; paused?: boolean; storeMs?: number },
  now: number,
): void {
  sql.exec(
    "UPDATE sync_state SET store_ms = store_ms + ? WHERE connection_id = ?",
    Math.round(outcome.storeMs ?? 0),
    connectionId,
  );
  if (outcome.paused) {
    // Continued by the next message: the run keeps the lease, no delivery holds it.
    sql.exec(
      `UPDATE sync_state SET lease_at = ?, holder = NULL
       WHERE connection_id = ? AND run_id = ? AND holder = ?`,
      now,
      connectionId,
      runId,
      holder,
    );
    return;
  }
  sql.exec(
    // ?4: the run succeeded (its id becomes the last finished run's, the lease goes).
    `UPDATE sync_state SET status = CASE WHEN ?4 THEN 'idle' ELSE 'error' END, finished_at = ?1,
       last_error = ?2, errors = errors + (1 - ?4),
       last_success_at = CASE WHEN ?4 THEN ?1 ELSE last_success_at END,
       run_id = CASE WHEN ?4 THEN NULL ELSE run_id END,
       last_run_id = CASE WHEN ?4 THEN run_id ELSE last_run_id END, holder = NULL
     WHERE connection_id = ?5 AND run_id = ?6 AND holder = ?3`,
    now,
    outcome.error ?? null,
    holder,
    outcome.error ? 0 : 1,
    connectionId,
    runId,
  );
}

/** Remember a change mark once per event id; false when it was already known (a redelivery). */
export function saveWebhookMark(sql: SqlStorage, m: ChangeMark): boolean {
  return (
    sql
      .exec(
        `INSERT INTO webhook_marks (event_id, vendor, object_type, object_id, change, occurred_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        m.eventId,
        m.vendor,
        m.objectType,
        m.objectId,
        m.change,
        m.occurredAt,
      )
      .toArray().length > 0
  );
}

/** Webhook marks, from every vendor, not yet settled by a sync. */
export function pendingMarks(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_marks").one().n;
}

/** A finished sync has read everything changed before it began: those marks are settled. */
export function clearMarks(sql: SqlStorage, vendor: string, before: number): void {
  sql.exec("DELETE FROM webhook_marks WHERE vendor = ? AND occurred_at < ?", vendor, before);
}
