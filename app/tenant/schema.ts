// A tenant store's SQLite schema, as numbered, append-only steps: a store opened by newer code runs
// the steps it has not run yet, in order, inside one transaction each.
const STEPS: readonly string[] = [
  // 1: accounts and their identity across vendors, records, scores, tasks, writeback, sync.
  `CREATE TABLE accounts (
     id TEXT PRIMARY KEY,
     domain TEXT,
     name TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX accounts_domain ON accounts (domain);
   CREATE TABLE account_links (
     vendor TEXT NOT NULL,
     source_id TEXT NOT NULL,
     external_id TEXT,
     account_id TEXT NOT NULL,
     PRIMARY KEY (vendor, source_id)
   );
   CREATE INDEX account_links_external ON account_links (vendor, external_id);
   CREATE INDEX account_links_account ON account_links (account_id);
   CREATE TABLE records (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     vendor TEXT NOT NULL,
     account_id TEXT NOT NULL,
     at TEXT,
     data TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE INDEX records_account ON records (account_id);
   CREATE TABLE dirty_accounts (account_id TEXT PRIMARY KEY);
   CREATE TABLE account_state (account_id TEXT PRIMARY KEY, day TEXT NOT NULL, state TEXT NOT NULL);
   CREATE TABLE snapshots (
     account_id TEXT NOT NULL,
     day TEXT NOT NULL,
     score REAL NOT NULL,
     band TEXT NOT NULL,
     trend TEXT NOT NULL,
     coverage REAL NOT NULL,
     PRIMARY KEY (account_id, day)
   ) WITHOUT ROWID;
   CREATE TABLE latest_snapshots (
     account_id TEXT PRIMARY KEY,
     day TEXT NOT NULL,
     score REAL NOT NULL,
     band TEXT NOT NULL,
     trend TEXT NOT NULL,
     snapshot TEXT NOT NULL
   );
   CREATE TABLE tasks (
     dedupe_key TEXT NOT NULL,
     action TEXT NOT NULL,
     account_id TEXT NOT NULL,
     day TEXT NOT NULL,
     data TEXT NOT NULL,
     pushed_at INTEGER,
     PRIMARY KEY (dedupe_key, action)
   );
   CREATE INDEX tasks_account ON tasks (account_id);
   CREATE TABLE alerts (day TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (day, title));
   CREATE TABLE push_needed (account_id TEXT NOT NULL, vendor TEXT NOT NULL, PRIMARY KEY (account_id, vendor));
   CREATE TABLE written_fields (
     account_id TEXT NOT NULL,
     vendor TEXT NOT NULL,
     fields TEXT NOT NULL,
     written_at INTEGER NOT NULL,
     PRIMARY KEY (account_id, vendor)
   );
   CREATE TABLE sync_state (
     connection_id TEXT PRIMARY KEY,
     vendor TEXT NOT NULL,
     cursor TEXT,
     status TEXT NOT NULL DEFAULT 'idle',
     run_id TEXT,
     lease_at INTEGER,
     run_started_at INTEGER,
     run_pages INTEGER NOT NULL DEFAULT 0,
     run_records INTEGER NOT NULL DEFAULT 0,
     pages INTEGER NOT NULL DEFAULT 0,
     records INTEGER NOT NULL DEFAULT 0,
     errors INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     last_page_at INTEGER,
     finished_at INTEGER,
     last_success_at INTEGER
   );
   CREATE TABLE webhook_marks (
     event_id TEXT PRIMARY KEY,
     vendor TEXT NOT NULL,
     object_type TEXT NOT NULL,
     object_id TEXT NOT NULL,
     change TEXT NOT NULL,
     occurred_at INTEGER NOT NULL
   );
   CREATE TABLE score_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     to_day TEXT NOT NULL,
     accounts INTEGER NOT NULL,
     account_days INTEGER NOT NULL,
     ms INTEGER NOT NULL,
     rows_written INTEGER NOT NULL
   );`,
  // 2: time spent storing pages, measured by the consumer around each store call.
  "ALTER TABLE sync_state ADD COLUMN store_ms INTEGER NOT NULL DEFAULT 0",
  // 3: the delivery of the run's message that holds the lease, and the last run that finished.
  `ALTER TABLE sync_state ADD COLUMN holder TEXT;
   ALTER TABLE sync_state ADD COLUMN last_run_id TEXT;`,
  // 4: what the vendor refuses the connection (403s), as JSON [{ objectType, reason }].
  "ALTER TABLE sync_state ADD COLUMN refused TEXT",
  // 5: vendor accounts whose domain matched several of another vendor's accounts: an admin decides.
  `CREATE TABLE identity_review (
     vendor TEXT NOT NULL,
     source_id TEXT NOT NULL,
     domain TEXT NOT NULL,
     candidates TEXT NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (vendor, source_id)
   );`,
  // 6: data age without scanning every record: rows per kind and vendor counted by triggers as
  // records come and go, the newest day found through an index.
  `CREATE INDEX records_kind_vendor_at ON records (kind, vendor, at);
   CREATE TABLE record_counts (
     kind TEXT NOT NULL,
     vendor TEXT NOT NULL,
     rows INTEGER NOT NULL,
     PRIMARY KEY (kind, vendor)
   );
   INSERT INTO record_counts (kind, vendor, rows)
     SELECT kind, vendor, COUNT(*) FROM records GROUP BY kind, vendor;
   CREATE TRIGGER records_counted_in AFTER INSERT ON records BEGIN
     INSERT INTO record_counts (kind, vendor, rows) VALUES (NEW.kind, NEW.vendor, 1)
       ON CONFLICT (kind, vendor) DO UPDATE SET rows = rows + 1;
   END;
   CREATE TRIGGER records_counted_out AFTER DELETE ON records BEGIN
     UPDATE record_counts SET rows = rows - 1 WHERE kind = OLD.kind AND vendor = OLD.vendor;
   END;`,
];

export const TENANT_SCHEMA_VERSION = STEPS.length;

export function migrateTenant(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO schema_version (version) VALUES (0)");
  for (; version < STEPS.length; version++) {
    const step = STEPS[version] as string;
    storage.transactionSync(() => {
      sql.exec(step);
      sql.exec("UPDATE schema_version SET version = ?", version + 1);
    });
  }
}
