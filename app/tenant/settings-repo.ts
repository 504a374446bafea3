// The tenant's scoring policy (core/policy.ts) and every change to it: who changed what and when,
// each change undoable. A change rescores every account from the start of its data, so scores,
// bands and tasks read as if the new policy had always been in force.
import { DEFAULT_POLICY, type Policy, PolicySchema } from "../../core/policy.ts";

export interface SettingsChange {
  id: number;
  at: number;
  by: string | null;
  /** What changed, one line per field ("bands.healthy: 70 → 75"). */
  summary: string[];
  /** The change this one undid, if it is an undo. */
  undoes: number | null;
  /** Whether a later change undid this one. */
  undone: boolean;
}

/** The policy in force: the saved one, or Ebb's defaults. */
export function policyOf(sql: SqlStorage): Policy {
  const raw = sql
    .exec<{ value: string }>("SELECT value FROM tenant_settings WHERE key = 'policy'")
    .toArray()[0]?.value;
  if (!raw) return DEFAULT_POLICY;
  const parsed = PolicySchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : DEFAULT_POLICY;
}

/** Each field whose value differs between two policies, as "path: before → after". */
export function policyDiff(before: Policy, after: Policy): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...keys].sort())
        walk(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
          path ? `${path}.${k}` : k,
        );
      return;
    }
    if (a !== b) out.push(`${path}: ${a ?? "default"} → ${b ?? "default"}`);
  };
  walk(before, after, "");
  return out;
}

/**
 * Put `policy` in force, recorded as a change by `by` (an undo names the change it undoes), and
 * plan every account's rescoring from the start of its data. Unwritten tasks go: the rescoring raises
 * the ones the new policy calls for; tasks already in a vendor stay as they were written.
 */
export function savePolicy(
  sql: SqlStorage,
  policy: Policy,
  by: string | null,
  now: number,
  undoes: number | null = null,
): { changed: string[] } {
  const before = policyOf(sql);
  const changed = policyDiff(before, policy);
  if (changed.length === 0) return { changed };
  sql.exec(
    `INSERT INTO tenant_settings (key, value) VALUES ('policy', ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    JSON.stringify(policy),
  );
  sql.exec(
    "INSERT INTO settings_changes (at, by, before, after, summary, undoes) VALUES (?, ?, ?, ?, ?, ?)",
    now,
    by,
    JSON.stringify(before),
    JSON.stringify(policy),
    JSON.stringify(changed),
    undoes,
  );
  sql.exec("DELETE FROM account_checkpoints");
  sql.exec("DELETE FROM account_state");
  sql.exec("DELETE FROM tasks WHERE pushed_at IS NULL");
  sql.exec(
    `INSERT INTO dirty_accounts (account_id, since) SELECT id, NULL FROM accounts WHERE true
     ON CONFLICT (account_id) DO UPDATE SET since = NULL`,
  );
  return { changed };
}

/** Undo change `id`: the policy it replaced is put back, as a change of its own. */
export function undoChange(
  sql: SqlStorage,
  id: number,
  by: string | null,
  now: number,
): { ok: true; changed: string[] } | { ok: false; reason: string } {
  const row = sql
    .exec<{ before: string }>("SELECT before FROM settings_changes WHERE id = ?", id)
    .toArray()[0];
  if (!row) return { ok: false, reason: `no settings change ${id}` };
  if (sql.exec("SELECT 1 FROM settings_changes WHERE undoes = ?", id).toArray().length)
    return { ok: false, reason: `change ${id} is already undone` };
  const before = PolicySchema.safeParse(JSON.parse(row.before));
  if (!before.success) return { ok: false, reason: `change ${id} cannot be read back` };
  return { ok: true, changed: savePolicy(sql, before.data, by, now, id).changed };
}

/** The newest changes first. */
export function settingsChanges(sql: SqlStorage, limit = 20): SettingsChange[] {
  return sql
    .exec<{ id: number; at: number; by: string | null; summary: string; undoes: number | null }>(
      "SELECT id, at, by, summary, undoes FROM settings_changes ORDER BY id DESC LIMIT ?",
      limit,
    )
    .toArray()
    .map((r) => ({
      id: r.id,
      at: r.at,
      by: r.by,
      summary: JSON.parse(r.summary) as string[],
      undoes: r.undoes,
      undone:
        sql.exec("SELECT 1 FROM settings_changes WHERE undoes = ?", r.id).toArray().length > 0,
    }));
}
