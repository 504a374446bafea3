// A connection gate's own SQLite: the sealed tokens (one row) and a schema version.
export type SealedTokens = {
  iv: string;
  data: string;
  expires_at: number;
  refreshed_at: number;
  refreshes: number;
};

export function migrateGate(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    connection_id TEXT NOT NULL,
    vendor TEXT NOT NULL,
    iv TEXT NOT NULL,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL,
    refreshes INTEGER NOT NULL DEFAULT 0
  )`);
  // The connection's other secrets (a vendor's webhook signing secrets), sealed like the tokens.
  // Ebb's share of a vendor allocation (Salesforce's daily API requests): its calls by hour.
  sql.exec(`CREATE TABLE IF NOT EXISTS allowance (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL
  )`);
  sql.exec(`CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    iv TEXT NOT NULL,
    data TEXT NOT NULL
  )`);
}

export function readTokens(
  sql: SqlStorage,
): (SealedTokens & { connection_id: string; vendor: string }) | undefined {
  const rows = sql
    .exec<SealedTokens & { connection_id: string; vendor: string }>(
      "SELECT connection_id, vendor, iv, data, expires_at, refreshed_at, refreshes FROM tokens WHERE id = 1",
    )
    .toArray();
  return rows[0];
}

export function writeTokens(
  sql: SqlStorage,
  row: { connectionId: string; vendor: string; iv: string; data: string; expiresAt: number },
  now: number,
  refreshed: boolean,
): void {
  sql.exec(
    `INSERT INTO tokens (id, connection_id, vendor, iv, data, expires_at, refreshed_at, refreshes)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET iv = excluded.iv, data = excluded.data,
       expires_at = excluded.expires_at, refreshed_at = excluded.refreshed_at,
       refreshes = tokens.refreshes + excluded.refreshes`,
    row.connectionId,
    row.vendor,
    row.iv,
    row.data,
    row.expiresAt,
    now,
    refreshed ? 1 : 0,
  );
}
