// ConnectionGate: one Durable Object per vendor connection. It owns the connection's OAuth tokens
// (sealed with AES-GCM at rest), refreshes them single-flight however many invocations ask at once,
// and books request slots against the vendor's limits, so the limits hold across every concurrent
// Worker invocation of that connection, not just inside one.
import { DurableObject } from "cloudflare:workers";
import { ConnectorError, type ConnectorErrorCode } from "../../connectors/errors.ts";
import {
  type Allowance,
  type AllowanceState,
  createAllowance,
  createSlotPlanner,
} from "../../connectors/limits.ts";
import type { Registry } from "../../connectors/registry.ts";
import { createTokenKeeper, type TokenKeeper, type Tokens } from "../../connectors/tokens.ts";
import { type Vendors, vendorsOf } from "../vendors.ts";
import { importTokenKey, open, seal } from "./token-crypto.ts";
import { migrateGate, readTokens, writeTokens } from "./tokens-repo.ts";

/** Errors cross the RPC boundary as data, so the caller can rebuild a ConnectorError. */
export type GateResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: ConnectorErrorCode; message: string; retryable: boolean };

/** The ConnectionGate class for a Worker serving `registry`'s vendors. */
export function connectionGateFor(registry: Registry) {
  return class ConnectionGate extends ConnectionGateBase {
    protected vendors(): Vendors {
      this.cachedVendors ??= vendorsOf(registry, this.env);
      return this.cachedVendors;
    }
  };
}

export type ConnectionGate = InstanceType<ReturnType<typeof connectionGateFor>>;

abstract class ConnectionGateBase extends DurableObject<Env> {
  protected cachedVendors: Vendors | undefined;
  protected abstract vendors(): Vendors;
  private keeper: Promise<TokenKeeper> | undefined;
  private planner: ReturnType<typeof createSlotPlanner> | undefined;
  /** Null when the vendor has no allowance; undefined until first needed. */
  private allowance: Allowance | null | undefined;
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
    await this.save(connectionId, vendor, tokens, false);
    this.keeper = undefined;
  }

  private async save(connectionId: string, vendor: string, tokens: Tokens, refreshed: boolean) {
    const sealed = await seal(await this.tokenKey(), tokens, connectionId);
    writeTokens(
      this.ctx.storage.sql,
      { connectionId, vendor, ...sealed, expiresAt: tokens.expiresAt },
      Date.now(),
      refreshed,
    );
  }

  /** Keep the connection's webhook signing secrets (by the vendor's webhook id), sealed. */
  async saveSecrets(connectionId: string, secrets: Record<string, string>): Promise<void> {
    const key = await this.tokenKey();
    for (const [name, value] of Object.entries(secrets)) {
      const sealed = await seal(key, value, `${connectionId}/${name}`);
      this.ctx.storage.sql.exec(
        "INSERT INTO secrets (name, iv, data) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET iv = excluded.iv, data = excluded.data",
        name,
        sealed.iv,
        sealed.data,
      );
    }
  }

  /** One of the connection's secrets, or undefined when it has none by that name. */
  async secret(connectionId: string, name: string): Promise<string | undefined> {
    const row = this.ctx.storage.sql
      .exec<{ iv: string; data: string }>("SELECT iv, data FROM secrets WHERE name = ?", name)
      .toArray()[0];
    if (!row) return undefined;
    const plain = await open(await this.tokenKey(), row, `${connectionId}/${name}`).catch(
      () => undefined,
    );
    return typeof plain === "string" ? plain : undefined;
  }

  /** A valid access token and its expiry: refreshed ahead of expiry, or now after a 401. */
  async accessToken(
    connectionId: string,
    forceRefresh = false,
    rejected?: string,
  ): Promise<GateResult<{ token: string; expiresAt: number; instanceUrl?: string }>> {
    try {
      const keeper = await this.tokenKeeper(connectionId);
      const token = await keeper.accessToken({
        forceRefresh,
        ...(rejected === undefined ? {} : { rejected }),
      });
      const { expiresAt, instanceUrl } = keeper.current();
      return { ok: true, value: { token, expiresAt, ...(instanceUrl ? { instanceUrl } : {}) } };
    } catch (e) {
      return failure(e);
    }
  }

  /** The keeper over the stored tokens: one per object, so refreshes are single-flight. */
  private tokenKeeper(connectionId: string): Promise<TokenKeeper> {
    this.keeper ??= (async () => {
      const row = readTokens(this.ctx.storage.sql);
      if (!row) throw new ConnectorError("auth", "connection has no tokens: install again");
      const { vendor } = row;
      const v = this.vendors().of(vendor);
      // The tokens' additional data is the connection this gate serves (named by its caller, who
      // addresses the gate by that id), never the row's own field: a row copied into another
      // connection's gate does not open there.
      const plain = await open(await this.tokenKey(), row, connectionId).catch(() => {
        throw new ConnectorError(
          "auth",
          `the stored tokens do not belong to connection ${connectionId}: install again`,
        );
      });
      return createTokenKeeper(plain as Tokens, {
        refresh: async (refreshToken, now) => {
          const site = (plain as Tokens).site;
          const next = await v.connector.install.refresh(v.app(), refreshToken, now, site);
          // The API address stays the install's unless the vendor names a new one.
          const instanceUrl = next.instanceUrl ?? (plain as Tokens).instanceUrl;
          return { ...next, ...(site ? { site } : {}), ...(instanceUrl ? { instanceUrl } : {}) };
        },
        aheadMs: v.connector.install.refreshAheadMs,
        now: () => Date.now(),
        save: (t) => this.save(connectionId, vendor, t, true),
      });
    })();
    // A failed start (no tokens yet) is not remembered.
    this.keeper.catch(() => {
      this.keeper = undefined;
    });
    return this.keeper;
  }

  /**
   * Book the next slot for one call of `kind`; returns the slot as a time (ms since the epoch), so
   * the caller starts on time however long this answer took to reach it.
   */
  reserve(kind: string): number | { pausedMs: number; spent: number; share: number } {
    if (!this.planner) {
      const row = readTokens(this.ctx.storage.sql);
      if (!row) throw new Error("connection gate: no connection installed here");
      this.planner = createSlotPlanner(this.vendors().of(row.vendor).connector.limits);
    }
    const now = Date.now();
    const allowance = this.allowanceOf();
    if (allowance) {
      const r = allowance.take(now);
      if (!r.ok) return { pausedMs: r.retryAfterMs, spent: r.spent, share: r.share };
      this.saveAllowance(allowance);
    }
    return now + this.planner.reserve(kind, now);
  }

  /** The vendor's report of the org's usage (every integration's): the allocation's size. */
  observe(usage: { used: number; max: number }): void {
    const allowance = this.allowanceOf();
    if (!allowance) return;
    allowance.observe(usage);
    this.saveAllowance(allowance);
  }

  /** Ebb's calls in the allowance's window and its share, for the admin page. */
  allowanceUsage(): { calls: number; allowed?: number; orgUsed?: number; max?: number } | null {
    return this.allowanceOf()?.usage(Date.now()) ?? null;
  }

  private allowanceOf(): Allowance | null {
    if (this.allowance !== undefined) return this.allowance;
    const row = readTokens(this.ctx.storage.sql);
    const v = row ? this.vendors().find(row.vendor) : undefined;
    const rule = v?.connector.allowance?.(v.app());
    if (!rule) {
      this.allowance = null;
      return null;
    }
    const saved = this.ctx.storage.sql
      .exec<{ state: string }>("SELECT state FROM allowance WHERE id = 1")
      .toArray()[0];
    this.allowance = createAllowance(
      rule,
      saved ? (JSON.parse(saved.state) as AllowanceState) : undefined,
    );
    return this.allowance;
  }

  private saveAllowance(a: Allowance): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO allowance (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
      JSON.stringify(a.state()),
    );
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
}

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
