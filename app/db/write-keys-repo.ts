// Write keys of the usage ingestion API in the D1 directory: a random 256-bit secret handed to the
// admin once, kept only as its SHA-256 hash; a key names its tenant and can be revoked.
import { hashSecret, randomSecret } from "./sessions-repo.ts";

/** Every key starts so, so a leaked one is recognisable in logs and secret scanners. */
export const WRITE_KEY_PREFIX = "ebb_wk_";

export interface WriteKeyRow {
  id: string;
  label: string;
  hint: string;
  created_at: number;
  created_by: string | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A new key for the tenant: the secret is in the answer and nowhere else. */
export async function createWriteKey(
  db: D1Database,
  tenantId: string,
  label: string,
  createdBy: string | null,
  now: number,
): Promise<{ id: string; key: string }> {
  const key = `${WRITE_KEY_PREFIX}${randomSecret()}`;
  const id = crypto.randomUUID();
  await db
    .prepare(
      `INSERT INTO write_keys (id, tenant_id, key_hash, label, hint, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(id, tenantId, await hashSecret(key), label, key.slice(-4), now, createdBy)
    .run();
  return { id, key };
}

export async function listWriteKeys(db: D1Database, tenantId: string): Promise<WriteKeyRow[]> {
  const r = await db
    .prepare(
      `SELECT id, label, hint, created_at, created_by, last_used_at, revoked_at FROM write_keys
       WHERE tenant_id = ? ORDER BY created_at DESC`,
    )
    .bind(tenantId)
    .all<WriteKeyRow>();
  return r.results;
}

/** Revoke one of the tenant's keys; false when it has no such key (or it is already revoked). */
export async function revokeWriteKey(
  db: D1Database,
  tenantId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .prepare(
      "UPDATE write_keys SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL",
    )
    .bind(now, id, tenantId)
    .run();
  return (r.meta.changes ?? 0) > 0;
}

/** The tenant a live key belongs to, or null for an unknown or revoked key. */
export async function tenantOfWriteKey(
  db: D1Database,
  key: string,
  now: number,
): Promise<string | null> {
  if (!key.startsWith(WRITE_KEY_PREFIX) || key.length > 200) return null;
  const hash = await hashSecret(key);
  const row = await db
    .prepare("SELECT id, tenant_id FROM write_keys WHERE key_hash = ? AND revoked_at IS NULL")
    .bind(hash)
    .first<{ id: string; tenant_id: string }>();
  if (!row) return null;
  // When the key was last used, to the minute: the admin sees which keys are live.
  await db
    .prepare(
      "UPDATE write_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
    )
    .bind(now, row.id, now - 60_000)
    .run();
  return row.tenant_id;
}
