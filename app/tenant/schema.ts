// A tenant store's SQLite schema, as numbered, append-only steps: a store opened by newer code runs
// the steps it has not run yet, in order, inside one transaction each.
import { contributionColumns } from "./records-repo.ts";

const STEPS: readonly (string | ((sql: SqlStorage) => void))[] = [
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
  // 7: scoring in slices from portfolio aggregates kept as records arrive (issue 16). Each record
  // of a dated kind carries what it adds (records-repo `contributionColumns`); triggers keep the
  // per-day sums, accounts per tag and day, and totals, and mark the account to rescore from the
  // earliest day a change touches; ticket changes per day let an incident's counted size be reused
  // while no ticket of its days changed. Each account's record span (agg_spans, refreshed when scoring
  // starts) keeps the per-day steps of accounts alive. Checkpoints of scoring state let a late
  // record rescore from just before its day; the scoring job and its plan make scoring resumable.
  (sql) => {
    sql.exec(`
      ALTER TABLE records ADD COLUMN day INTEGER;
      ALTER TABLE records ADD COLUMN users REAL;
      ALTER TABLE records ADD COLUMN events REAL;
      ALTER TABLE records ADD COLUMN contact INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE records ADD COLUMN trouble REAL NOT NULL DEFAULT 0;
      ALTER TABLE records ADD COLUMN tags TEXT;
      DROP INDEX records_account;
      CREATE INDEX records_account_kind_day ON records (account_id, kind, day);
      CREATE INDEX records_kind_day ON records (kind, day);
      ALTER TABLE dirty_accounts ADD COLUMN since INTEGER;
      ALTER TABLE account_state ADD COLUMN ended INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX account_state_live ON account_state (ended, day);
      CREATE TABLE agg_days (
        day INTEGER PRIMARY KEY,
        users REAL NOT NULL DEFAULT 0,
        events REAL NOT NULL DEFAULT 0,
        contacts REAL NOT NULL DEFAULT 0,
        span_steps REAL NOT NULL DEFAULT 0,
        alive_steps REAL NOT NULL DEFAULT 0
      );
      CREATE TABLE agg_tag_accounts (
        tag TEXT NOT NULL,
        day INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        tickets INTEGER NOT NULL,
        PRIMARY KEY (tag, day, account_id)
      ) WITHOUT ROWID;
      CREATE INDEX agg_tag_accounts_account ON agg_tag_accounts (account_id, day);
      CREATE TABLE agg_tag_days (
        tag TEXT NOT NULL,
        day INTEGER NOT NULL,
        accounts INTEGER NOT NULL,
        PRIMARY KEY (tag, day)
      ) WITHOUT ROWID;
      CREATE TABLE agg_totals (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        tickets INTEGER NOT NULL DEFAULT 0,
        trouble REAL NOT NULL DEFAULT 0,
        account_days INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO agg_totals (id) VALUES (1);
      CREATE TABLE agg_ticket_changes (day INTEGER PRIMARY KEY, n INTEGER NOT NULL);
      CREATE TABLE incident_sizes (
        key TEXT PRIMARY KEY,
        changes INTEGER NOT NULL,
        tickets INTEGER NOT NULL,
        accounts INTEGER NOT NULL
      );
      CREATE TABLE agg_spans (
        account_id TEXT PRIMARY KEY,
        first INTEGER NOT NULL,
        last INTEGER NOT NULL,
        usage_first INTEGER,
        usage_last INTEGER
      );
      CREATE TABLE account_checkpoints (
        account_id TEXT NOT NULL,
        day TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (account_id, day)
      ) WITHOUT ROWID;
      CREATE TABLE score_job (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        to_day TEXT NOT NULL,
        vendors TEXT NOT NULL,
        followups TEXT NOT NULL,
        slice_accounts INTEGER NOT NULL,
        phase TEXT NOT NULL DEFAULT 'scoring',
        again INTEGER NOT NULL DEFAULT 0,
        planned INTEGER NOT NULL DEFAULT 0,
        accounts INTEGER NOT NULL DEFAULT 0,
        account_days INTEGER NOT NULL DEFAULT 0,
        tasks_opened INTEGER NOT NULL DEFAULT 0,
        tasks_closed INTEGER NOT NULL DEFAULT 0,
        rows_written INTEGER NOT NULL DEFAULT 0,
        slices INTEGER NOT NULL DEFAULT 0,
        longest_ms INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE score_plan (
        account_id TEXT PRIMARY KEY,
        since INTEGER
      ) WITHOUT ROWID;
      ALTER TABLE score_runs ADD COLUMN slices INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE score_runs ADD COLUMN longest_ms INTEGER NOT NULL DEFAULT 0;
      ${aggregateTriggers()}
    `);
    backfillContributions(sql);
  },
  // 8: the tenant's own settings (which vendor's tickets count, when two hold them).
  `CREATE TABLE tenant_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 9: product usage from the ingestion API (Segment's HTTP Tracking API): each track call once
  // (its messageId), who belongs to which group, which account a group is; daily usage records are
  // counted from the calls of each account-day they touch.
  `CREATE TABLE usage_calls (
     message_id TEXT PRIMARY KEY,
     user_key TEXT NOT NULL,
     day INTEGER NOT NULL,
     feature TEXT,
     group_id TEXT,
     account_id TEXT,
     received_at INTEGER NOT NULL
   );
   CREATE INDEX usage_calls_account_day ON usage_calls (account_id, day);
   CREATE INDEX usage_calls_waiting ON usage_calls (user_key) WHERE account_id IS NULL;
   CREATE INDEX usage_calls_received ON usage_calls (received_at);
   CREATE TABLE usage_users (user_key TEXT PRIMARY KEY, group_id TEXT NOT NULL);
   CREATE TABLE usage_groups (group_id TEXT PRIMARY KEY, account_id TEXT, domain TEXT);
   CREATE TABLE usage_refused (
     at INTEGER NOT NULL,
     source TEXT NOT NULL,
     message TEXT NOT NULL
   );`,
  // 10: a CSM's snooze of an account's alerts: until a day, with a note, who and when.
  `CREATE TABLE account_snoozes (
     account_id TEXT PRIMARY KEY,
     until TEXT NOT NULL,
     note TEXT NOT NULL,
     by TEXT,
     at INTEGER NOT NULL
   );`,
  // 11: the admin's settings history (each change of the scoring policy, undoable) and the
  // writeback log (what was written where, and each failure with the vendor's reason).
  `CREATE TABLE settings_changes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     by TEXT,
     before TEXT NOT NULL,
     after TEXT NOT NULL,
     summary TEXT NOT NULL,
     undoes INTEGER
   );
   CREATE TABLE writeback_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     vendor TEXT NOT NULL,
     account_id TEXT NOT NULL,
     external_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     detail TEXT NOT NULL,
     error TEXT
   );
   CREATE INDEX writeback_log_failed ON writeback_log (vendor, at) WHERE error IS NOT NULL;`,
];

/** SQL that adds (sign "+") or removes (sign "-") record `r`'s contribution (r is NEW or OLD). */
function recordAggregate(r: "NEW" | "OLD", sign: "+" | "-"): string {
  const days =
    sign === "+"
      ? `INSERT INTO agg_days (day, users, events, contacts)
           VALUES (NEW.day, COALESCE(NEW.users, 0), COALESCE(NEW.events, 0), NEW.contact)
           ON CONFLICT (day) DO UPDATE SET users = users + excluded.users,
             events = events + excluded.events, contacts = contacts + excluded.contacts;
         INSERT INTO agg_tag_accounts (tag, day, account_id, tickets)
           SELECT DISTINCT value, NEW.day, NEW.account_id, 1 FROM json_each(COALESCE(NEW.tags, '[]'))
           WHERE true
           ON CONFLICT (tag, day, account_id) DO UPDATE SET tickets = tickets + 1;`
      : `UPDATE agg_days SET users = users - COALESCE(OLD.users, 0),
           events = events - COALESCE(OLD.events, 0), contacts = contacts - OLD.contact
           WHERE day = OLD.day;
         UPDATE agg_tag_accounts SET tickets = tickets - 1
           WHERE day = OLD.day AND account_id = OLD.account_id
             AND tag IN (SELECT value FROM json_each(COALESCE(OLD.tags, '[]')));
         DELETE FROM agg_tag_accounts
           WHERE day = OLD.day AND account_id = OLD.account_id AND tickets <= 0;`;
  return `${days}
    INSERT INTO agg_ticket_changes (day, n) SELECT ${r}.day, 1 WHERE ${r}.kind = 'tickets'
      ON CONFLICT (day) DO UPDATE SET n = n + 1;
    UPDATE agg_totals SET tickets = tickets ${sign} (${r}.kind = 'tickets'),
      trouble = trouble ${sign} ${r}.trouble, version = version + 1;
    INSERT INTO dirty_accounts (account_id, since) VALUES (${r}.account_id, ${r}.day)
      ON CONFLICT (account_id) DO UPDATE SET since = MIN(COALESCE(since, excluded.since), excluded.since);`;
}

/** SQL that adds or removes an account span's steps and days (s is NEW or OLD of agg_spans). */
function spanAggregate(s: "NEW" | "OLD", sign: "+" | "-"): string {
  const step = (day: string, v: number, column: string) =>
    `INSERT INTO agg_days (day, ${column}) SELECT ${day}, ${sign === "+" ? v : -v} WHERE ${day} IS NOT NULL
       ON CONFLICT (day) DO UPDATE SET ${column} = ${column} + excluded.${column};`;
  return `${step(`${s}.first`, 1, "span_steps")}
    ${step(`${s}.last + 1`, -1, "span_steps")}
    ${step(`${s}.usage_first`, 1, "alive_steps")}
    ${step(`${s}.usage_last + 1`, -1, "alive_steps")}
    UPDATE agg_totals SET account_days = account_days ${sign} (${s}.last - ${s}.first + 1),
      version = version + 1;`;
}

function aggregateTriggers(): string {
  const cols = "day, users, events, contact, trouble, tags, account_id";
  return `
    CREATE TRIGGER records_agg_in AFTER INSERT ON records WHEN NEW.day IS NOT NULL BEGIN
      ${recordAggregate("NEW", "+")}
    END;
    CREATE TRIGGER records_agg_out AFTER DELETE ON records WHEN OLD.day IS NOT NULL BEGIN
      ${recordAggregate("OLD", "-")}
    END;
    CREATE TRIGGER records_agg_change_out AFTER UPDATE OF ${cols} ON records
      WHEN OLD.day IS NOT NULL BEGIN
      ${recordAggregate("OLD", "-")}
    END;
    CREATE TRIGGER records_agg_change_in AFTER UPDATE OF ${cols} ON records
      WHEN NEW.day IS NOT NULL BEGIN
      ${recordAggregate("NEW", "+")}
    END;
    CREATE TRIGGER tag_accounts_in AFTER INSERT ON agg_tag_accounts BEGIN
      INSERT INTO agg_tag_days (tag, day, accounts) VALUES (NEW.tag, NEW.day, 1)
        ON CONFLICT (tag, day) DO UPDATE SET accounts = accounts + 1;
    END;
    CREATE TRIGGER tag_accounts_out AFTER DELETE ON agg_tag_accounts BEGIN
      UPDATE agg_tag_days SET accounts = accounts - 1 WHERE tag = OLD.tag AND day = OLD.day;
      DELETE FROM agg_tag_days WHERE tag = OLD.tag AND day = OLD.day AND accounts <= 0;
    END;
    CREATE TRIGGER spans_in AFTER INSERT ON agg_spans BEGIN
      ${spanAggregate("NEW", "+")}
    END;
    CREATE TRIGGER spans_out AFTER DELETE ON agg_spans BEGIN
      ${spanAggregate("OLD", "-")}
    END;
    CREATE TRIGGER spans_change AFTER UPDATE ON agg_spans BEGIN
      ${spanAggregate("OLD", "-")}
      ${spanAggregate("NEW", "+")}
    END;`;
}

/** Records stored before step 7 get their contribution columns (the triggers add them up). */
function backfillContributions(sql: SqlStorage): void {
  let after = 0;
  for (;;) {
    const rows = sql
      .exec<{ rowid: number; kind: string; data: string }>(
        `SELECT rowid, kind, data FROM records
         WHERE rowid > ? AND kind IN ('tickets', 'engagements', 'usage') ORDER BY rowid LIMIT 500`,
        after,
      )
      .toArray();
    if (rows.length === 0) return;
    for (const r of rows) {
      const c = contributionColumns(r.kind, JSON.parse(r.data));
      if (c)
        sql.exec(
          "UPDATE records SET day = ?, users = ?, events = ?, contact = ?, trouble = ?, tags = ? WHERE rowid = ?",
          ...c,
          r.rowid,
        );
      after = r.rowid;
    }
  }
}

export const TENANT_SCHEMA_VERSION = STEPS.length;

export function migrateTenant(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO schema_version (version) VALUES (0)");
  for (; version < STEPS.length; version++) {
    const step = STEPS[version] as string | ((sql: SqlStorage) => void);
    storage.transactionSync(() => {
      if (typeof step === "string") sql.exec(step);
      else step(sql);
      sql.exec("UPDATE schema_version SET version = ?", version + 1);
    });
  }
}
