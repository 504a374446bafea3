// ConnectionGate: one Durable Object per vendor connection. It owns the connection's OAuth tokens
// (sealed with AES-GCM at rest), refreshes them single-flight however many invocations ask at once,
// and books request slots against the vendor's limits, so the limits hold across every concurrent
// Worker invocation of that connection, not just inside one.
import { DurableObject } from "cloudflare:workers";
import { ConnectorError, type ConnectorErrorCode } from "../../connectors/errors.ts";
import type { Tokens } from "../../connectors/hubspot/install.ts";
import { createSlotPlanner } from "../../connectors/limits.ts";
import { vendorOf } from "../vendors.ts";
import { importTokenKey, open, seal } from "./token-crypto.ts";
import { migrateGate, readTokens, writeTokens } from "./tokens-repo.ts";

/** Refresh this long before expiry (HubSpot tokens live 30 minutes; refresh by expiry, not on 401). */
export const REFRESH_AHEAD_MS = 5 * 60_000;

/** Errors cross the RPC boundary as data, so the caller can rebuild a ConnectorError. */
export type GateResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: ConnectorErrorCode; message: string; retryable: boolean };

export class ConnectionGate extends DurableObject<Env> {
  private refreshing: Promise<Tokens> | undefined;
  private planner: ReturnType<typeof createSlotPlanner> | undefined;
  private key: Promise<CryptoKey> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateGate(ctx.storage.sql);
  }

  private tokenKey(): Promise<CryptoKey> {
    this.key ??= importTokenKey(this.env.TOKEN_KEY);
    return this.key;
  }

  /** Store a connection's first tokens (at install) or replace them (reinstall). */
  async install(connectionId: string, vendor: string, tokens: Tokens): Promise<void> {
    const sealed = await seal(await this.tokenKey(), tokens, connectionId);
    writeTokens(
      this.ctx.storage.sql,
      { connectionId, vendor, ...sealed, expiresAt: tokens.expiresAt },
      Date.now(),
      false,
    );
  }

  /** A valid access token and its expiry: refreshed ahead of expiry, or now after a 401. */
  async accessToken(
    forceRefresh = false,
  ): Promise<GateResult<{ token: string; expiresAt: number }>> {
    try {
      const row = readTokens(this.ctx.storage.sql);
      if (!row) throw new ConnectorError("auth", "connection has no tokens: install again");
      if (this.refreshing !== undefined) return { ok: true, value: issued(await this.refreshing) };
      const tokens = (await open(await this.tokenKey(), row, row.connection_id)) as Tokens;
      if (!forceRefresh && tokens.expiresAt - Date.now() > REFRESH_AHEAD_MS)
        return { ok: true, value: issued(tokens) };
      this.refreshing ??= this.refresh(row.connection_id, row.vendor, tokens).finally(() => {
        this.refreshing = undefined;
      });
      return { ok: true, value: issued(await this.refreshing) };
    } catch (e) {
      return failure(e);
    }
  }

  private async refresh(connectionId: string, vendor: string, old: Tokens): Promise<Tokens> {
    const next = await vendorOf(vendor).refresh(this.env, old.refreshToken, Date.now());
    const sealed = await seal(await this.tokenKey(), next, connectionId);
    writeTokens(
      this.ctx.storage.sql,
      { connectionId, vendor, ...sealed, expiresAt: next.expiresAt },
      Date.now(),
      true,
    );
    return next;
  }

  /**
   * Book the next slot for one call of `kind`; returns the slot as a time (ms since the epoch), so
   * the caller starts on time however long this answer took to reach it.
   */
  reserve(kind: string): number {
    if (!this.planner) {
      const row = readTokens(this.ctx.storage.sql);
      this.planner = createSlotPlanner(vendorOf(row?.vendor ?? "hubspot").limits);
    }
    const now = Date.now();
    return now + this.planner.reserve(kind, now);
  }

  /** For the admin page and tests: token expiry and how often it was refreshed (never the tokens). */
  status(): { installed: boolean; expiresAt?: number; refreshes?: number; refreshedAt?: number } {
    const row = readTokens(this.ctx.storage.sql);
    if (!row) return { installed: false };
    return {
      installed: true,
      expiresAt: row.expires_at,
      refreshes: row.refreshes,
      refreshedAt: row.refreshed_at,
    };
  }

  /** The sealed row as stored, for the test that checks tokens are not kept in clear. */
  sealedForTest(): { iv: string; data: string } | undefined {
    const row = readTokens(this.ctx.storage.sql);
    return row && { iv: row.iv, data: row.data };
  }
}

const issued = (t: Tokens) => ({ token: t.accessToken, expiresAt: t.expiresAt });

function failure(e: unknown): GateResult<never> {
  if (e instanceof ConnectorError)
    return { ok: false, code: e.code, message: e.message, retryable: e.retryable };
  return {
    ok: false,
    code: "unavailable",
    message: `connection gate: ${(e as Error).message}`,
    retryable: true,
  };
}
