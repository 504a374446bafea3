// The D1 directory's tenants, connections and installs. Every statement binds its parameters.
export interface ConnectionRow {
  id: string;
  tenant_id: string;
  vendor: string;
  external_id: string;
  status: "active" | "error" | "revoked";
  setup_done: number;
  last_error: string | null;
  created_at: number;
}

export interface InstallRow {
  vendor: string;
  external_id: string;
  tenant_id: string;
  connection_id: string;
}

/** The install of a vendor account (portal, org, subdomain), if any. */
export function findInstall(
  db: D1Database,
  vendor: string,
  externalId: string,
): Promise<InstallRow | null> {
  return db
    .prepare(
      "SELECT vendor, external_id, tenant_id, connection_id FROM installs WHERE vendor = ? AND external_id = ?",
    )
    .bind(vendor, externalId)
    .first<InstallRow>();
}

/**
 * Record an install in one batch (D1 runs a batch as one transaction): the tenant (new, or the one
 * this vendor account already belongs to), its connection and the install row. Reinstalling
 * reactivates the same connection rather than creating a second one.
 */
export async function saveInstall(
  db: D1Database,
  input: {
    vendor: string;
    externalId: string;
    tenantName: string;
    installedBy: string | undefined;
    now: number;
    /** The connection already set up for this vendor account, if any. */
    connectionId?: string | undefined;
    /** The tenant a new install joins (an admin connecting another vendor); a new one otherwise. */
    tenantId?: string | undefined;
  },
): Promise<InstallRow> {
  const existing = await findInstall(db, input.vendor, input.externalId);
  const tenantId = existing?.tenant_id ?? input.tenantId ?? crypto.randomUUID();
  const connectionId = existing?.connection_id ?? input.connectionId ?? crypto.randomUUID();
  await db.batch([
    db
      .prepare("INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES (?, ?, ?)")
      .bind(tenantId, input.tenantName, input.now),
    db
      .prepare(
        `INSERT INTO connections (id, tenant_id, vendor, external_id, status, created_at)
         VALUES (?, ?, ?, ?, 'active', ?)
         ON CONFLICT (id) DO UPDATE SET status = 'active', last_error = NULL`,
      )
      .bind(connectionId, tenantId, input.vendor, input.externalId, input.now),
    db
      .prepare(
        `INSERT INTO installs (vendor, external_id, tenant_id, connection_id, installed_by, installed_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (vendor, external_id) DO UPDATE SET installed_by = excluded.installed_by,
           installed_at = excluded.installed_at`,
      )
      .bind(
        input.vendor,
        input.externalId,
        tenantId,
        connectionId,
        input.installedBy ?? null,
        input.now,
      ),
  ]);
  return {
    vendor: input.vendor,
    external_id: input.externalId,
    tenant_id: tenantId,
    connection_id: connectionId,
  };
}

export function getConnection(db: D1Database, id: string): Promise<ConnectionRow | null> {
  return db.prepare("SELECT * FROM connections WHERE id = ?").bind(id).first<ConnectionRow>();
}

export async function listConnections(
  db: D1Database,
  filter: { tenantId?: string; status?: ConnectionRow["status"] } = {},
): Promise<ConnectionRow[]> {
  const res = await db
    .prepare(
      `SELECT * FROM connections
       WHERE (?1 IS NULL OR tenant_id = ?1) AND (?2 IS NULL OR status = ?2)
       ORDER BY created_at`,
    )
    .bind(filter.tenantId ?? null, filter.status ?? null)
    .all<ConnectionRow>();
  return res.results;
}

export async function markConnection(
  db: D1Database,
  id: string,
  change: { status?: ConnectionRow["status"]; lastError?: string | null; setupDone?: boolean },
): Promise<void> {
  await db
    .prepare(
      `UPDATE connections SET status = COALESCE(?2, status),
         last_error = CASE WHEN ?3 THEN ?4 ELSE last_error END,
         setup_done = COALESCE(?5, setup_done)
       WHERE id = ?1`,
    )
    .bind(
      id,
      change.status ?? null,
      change.lastError !== undefined ? 1 : 0,
      change.lastError ?? null,
      change.setupDone === undefined ? null : change.setupDone ? 1 : 0,
    )
    .run();
}

export function getTenant(
  db: D1Database,
  id: string,
): Promise<{ id: string; name: string; created_at: number } | null> {
  return db.prepare("SELECT id, name, created_at FROM tenants WHERE id = ?").bind(id).first();
}

/** A queue message that could not be processed: kept for the admin page, never retried. */
export async function recordJobFailure(
  db: D1Database,
  f: {
    messageId: string;
    tenantId?: string | undefined;
    connectionId?: string | undefined;
    body: unknown;
    error: string;
    at: number;
  },
): Promise<void> {
  await db
    .prepare(
      "INSERT INTO job_failures (message_id, tenant_id, connection_id, body, error, at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(
      f.messageId,
      f.tenantId ?? null,
      f.connectionId ?? null,
      JSON.stringify(f.body).slice(0, 4000),
      f.error.slice(0, 1000),
      f.at,
    )
    .run();
}

export async function listJobFailures(
  db: D1Database,
  tenantId: string | null,
  limit = 20,
): Promise<{ message_id: string; error: string; at: number; body: string }[]> {
  const res = await db
    .prepare(
      `SELECT message_id, error, at, body FROM job_failures
       WHERE (?1 IS NULL AND tenant_id IS NULL) OR tenant_id = ?1 ORDER BY at DESC LIMIT ?2`,
    )
    .bind(tenantId, limit)
    .all<{ message_id: string; error: string; at: number; body: string }>();
  return res.results;
}
