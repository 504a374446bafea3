// Sync progress per connection in a tenant store: the saved cursor, a lease so one run at a time
// pulls a connection, page and record counts, errors, and webhook marks waiting for the next sync.
import type { ChangeMark } from "../../connectors/connector.ts";

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

/**
 * Take (or keep) the lease for `runId`. A new run resets the run counters; the same run coming back
 * (a retried or continued message) keeps them and resumes from the saved cursor.
 */
export function takeLease(
  sql: SqlStorage,
  connectionId: string,
  vendor: string,
  runId: string,
  now: number,
): { ok: boolean; cursorJson: string | null; resumed: boolean } {
  const s = readSync(sql, connectionId);
  const cursor = s?.cursor ?? null;
  if (s && s.status === "running" && s.run_id !== runId && now - (s.lease_at ?? 0) < LEASE_MS)
    return { ok: false, cursorJson: cursor, resumed: false };
  const same = s?.run_id === runId;
  sql.exec(
    `INSERT INTO sync_state (connection_id, vendor, status, run_id, lease_at, run_started_at)
     VALUES (?1, ?2, 'running', ?3, ?4, ?4)
     ON CONFLICT (connection_id) DO UPDATE SET status = 'running', run_id = ?3, lease_at = ?4,
       run_started_at = CASE WHEN ?5 THEN run_started_at ELSE ?4 END,
       run_pages = CASE WHEN ?5 THEN run_pages ELSE 0 END,
       run_records = CASE WHEN ?5 THEN run_records ELSE 0 END`,
    connectionId,
    vendor,
    runId,
    now,
    same ? 1 : 0,
  );
  return { ok: true, cursorJson: cursor, resumed: same };
}

export function holdsLease(sql: SqlStorage, connectionId: string, runId: string): boolean {
  const s = readSync(sql, connectionId);
  return s?.status === "running" && s.run_id === runId;
}

/** Count a stored slice; the page's last slice (`end`) also moves the cursor and the page count. */
export function savePage(
  sql: SqlStorage,
  connectionId: string,
  end: { cursor: unknown } | null,
  records: number,
  now: number,
): void {
  sql.exec(
    `UPDATE sync_state SET cursor = CASE WHEN ?1 THEN ?2 ELSE cursor END, lease_at = ?3,
       last_page_at = ?3, pages = pages + ?1, run_pages = run_pages + ?1,
       records = records + ?4, run_records = run_records + ?4
     WHERE connection_id = ?5`,
    end ? 1 : 0,
    end ? JSON.stringify(end.cursor) : null,
    now,
    records,
    connectionId,
  );
}

export function endRun(
  sql: SqlStorage,
  connectionId: string,
  runId: string,
  outcome: { error?: string; paused?: boolean; storeMs?: number },
  now: number,
): void {
  sql.exec(
    "UPDATE sync_state SET store_ms = store_ms + ? WHERE connection_id = ?",
    Math.round(outcome.storeMs ?? 0),
    connectionId,
  );
  if (outcome.paused) {
    // Continued by the next message: keep the lease, mark the time.
    sql.exec(
      "UPDATE sync_state SET lease_at = ? WHERE connection_id = ? AND run_id = ?",
      now,
      connectionId,
      runId,
    );
    return;
  }
  sql.exec(
    `UPDATE sync_state SET status = ?, finished_at = ?, last_error = ?,
       errors = errors + ?, last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END,
       run_id = CASE WHEN ? THEN NULL ELSE run_id END
     WHERE connection_id = ? AND run_id = ?`,
    outcome.error ? "error" : "idle",
    now,
    outcome.error ?? null,
    outcome.error ? 1 : 0,
    outcome.error ? 0 : 1,
    now,
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
