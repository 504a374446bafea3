// OAuth states, admin sessions and one-time login links in the D1 directory. Secrets handed to a
// browser are random 256-bit values; only their SHA-256 hashes are stored.
const HOUR_MS = 60 * 60_000;
export const STATE_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * HOUR_MS;
export const LOGIN_LINK_TTL_MS = HOUR_MS;

export function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What an OAuth round trip is for: installing Ebb, signing in to an existing install, or an admin
 * connecting another vendor to their tenant.
 */
export type OAuthIntent = "install" | "signin" | "connect";

export interface OAuthStateFacts {
  intent: OAuthIntent;
  /** The install's site (a Zendesk subdomain), for vendors whose installs have one. */
  site?: string | undefined;
  /** For `connect`: the tenant the new connection joins. */
  tenantId?: string | undefined;
}

export async function createOAuthState(
  db: D1Database,
  vendor: string,
  now: number,
  intent: OAuthIntent = "install",
  facts: { site?: string | undefined; tenantId?: string | undefined } = {},
) {
  const state = randomSecret();
  await db
    .prepare(
      "INSERT INTO oauth_states (state, vendor, expires_at, intent, site, tenant_id) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(state, vendor, now + STATE_TTL_MS, intent, facts.site ?? null, facts.tenantId ?? null)
    .run();
  return state;
}

/** Remove expired OAuth states, sessions and login links (the cron does, by the expiry indexes). */
export async function purgeExpired(db: D1Database, now: number): Promise<number> {
  const results = await db.batch(
    ["oauth_states", "sessions", "login_links"].map((table) =>
      db.prepare(`DELETE FROM ${table} WHERE expires_at < ?`).bind(now),
    ),
  );
  return results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}

/**
 * Use a state once: what it was issued for, or null unless it was issued for this vendor and has
 * not expired.
 */
export async function consumeOAuthState(
  db: D1Database,
  vendor: string,
  state: string,
  now: number,
): Promise<OAuthStateFacts | null> {
  const row = await db
    .prepare(
      "DELETE FROM oauth_states WHERE state = ? RETURNING vendor, expires_at, intent, site, tenant_id",
    )
    .bind(state)
    .first<{
      vendor: string;
      expires_at: number;
      intent: OAuthIntent;
      site: string | null;
      tenant_id: string | null;
    }>();
  if (row === null || row.vendor !== vendor || row.expires_at < now) return null;
  return {
    intent: row.intent,
    ...(row.site ? { site: row.site } : {}),
    ...(row.tenant_id ? { tenantId: row.tenant_id } : {}),
  };
}

export interface Session {
  tenantId: string;
  admin: string;
  csrf: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** A single-use link that starts an admin session (what an install ends with, and the demo prints). */
export async function createLoginLink(
  db: D1Database,
  tenantId: string,
  admin: string,
  now: number,
  /** When minted by a session: the session it starts ends no later than this one. */
  from?: Session,
): Promise<string> {
  const code = randomSecret();
  const sessionEnds = from?.expiresAt ?? null;
  await db
    .prepare(
      `INSERT INTO login_links (code_hash, tenant_id, admin, expires_at, session_expires_at)
       VALUES (?, ?, ?, ?, ?)`,
    )
    .bind(
      await hashSecret(code),
      tenantId,
      admin,
      Math.min(now + LOGIN_LINK_TTL_MS, sessionEnds ?? Number.MAX_SAFE_INTEGER),
      sessionEnds,
    )
    .run();
  return code;
}

/** End a session now (sign out): its cookie no longer finds it. */
export async function endSession(db: D1Database, sessionId: string): Promise<void> {
  await db
    .prepare("DELETE FROM sessions WHERE id_hash = ?")
    .bind(await hashSecret(sessionId))
    .run();
}

/** Trade a login code for a new session id; null if the code is unknown, used or expired. */
export async function redeemLoginLink(
  db: D1Database,
  code: string,
  now: number,
): Promise<{ sessionId: string; session: Session } | null> {
  const link = await db
    .prepare(
      `DELETE FROM login_links WHERE code_hash = ?
       RETURNING tenant_id, admin, expires_at, session_expires_at`,
    )
    .bind(await hashSecret(code))
    .first<{
      tenant_id: string;
      admin: string;
      expires_at: number;
      session_expires_at: number | null;
    }>();
  if (!link || link.expires_at < now) return null;
  const sessionId = randomSecret();
  const session: Session = {
    tenantId: link.tenant_id,
    admin: link.admin,
    csrf: randomSecret(),
    expiresAt: Math.min(now + SESSION_TTL_MS, link.session_expires_at ?? Number.MAX_SAFE_INTEGER),
  };
  await db
    .prepare(
      "INSERT INTO sessions (id_hash, tenant_id, admin, csrf, expires_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(
      await hashSecret(sessionId),
      session.tenantId,
      session.admin,
      session.csrf,
      session.expiresAt,
    )
    .run();
  return { sessionId, session };
}

export async function findSession(
  db: D1Database,
  sessionId: string,
  now: number,
): Promise<Session | null> {
  const row = await db
    .prepare("SELECT tenant_id, admin, csrf, expires_at FROM sessions WHERE id_hash = ?")
    .bind(await hashSecret(sessionId))
    .first<{ tenant_id: string; admin: string; csrf: string; expires_at: number }>();
  if (!row || row.expires_at < now) return null;
  return { tenantId: row.tenant_id, admin: row.admin, csrf: row.csrf, expiresAt: row.expires_at };
}
