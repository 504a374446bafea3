// Narrows Env to the ports routes and jobs use, once per invocation: the directory, the job queue,
// a tenant's store, a connection's gate, the vendors (from the Worker's registry) and the clock.
import type { ConnectorContext } from "../connectors/connector.ts";
import { ConnectorError } from "../connectors/errors.ts";
import { allowanceSpent } from "../connectors/limits.ts";
import type { Registry } from "../connectors/registry.ts";
import type { ConnectionGate } from "./gate/connection-gate.ts";
import type { Job } from "./jobs/messages.ts";
import type { TenantStore } from "./tenant/tenant-store.ts";
import { type Vendor, type Vendors, vendorsOf } from "./vendors.ts";

export interface Deps {
  db: D1Database;
  /** Queue jobs; `delaySeconds` (at most 12 hours, the queue's limit) holds them back. */
  enqueue(jobs: Job[], options?: { delaySeconds?: number }): Promise<void>;
  tenant(tenantId: string): DurableObjectStub<TenantStore>;
  gate(connectionId: string): DurableObjectStub<ConnectionGate>;
  vendors: Vendors;
  publicUrl: string;
  now(): number;
}

export function depsOf(env: Env, registry: Registry): Deps {
  return {
    db: env.DB,
    async enqueue(jobs, options) {
      const delay = options?.delaySeconds
        ? { delaySeconds: Math.min(MAX_DELAY_S, Math.ceil(options.delaySeconds)) }
        : {};
      // sendBatch takes at most 100 messages.
      for (let k = 0; k < jobs.length; k += 100)
        await env.JOBS.sendBatch(jobs.slice(k, k + 100).map((body) => ({ body, ...delay })));
    },
    tenant: (id) => env.TENANTS.get(env.TENANTS.idFromName(id)),
    gate: (id) => env.GATES.get(env.GATES.idFromName(id)),
    vendors: vendorsOf(registry, env),
    publicUrl: env.PUBLIC_URL,
    now: () => Date.now(),
  };
}

/** Cloudflare Queues hold a message back at most 12 hours. */
export const MAX_DELAY_S = 12 * 60 * 60;

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * A connector context whose tokens and request slots come from the connection's gate. The token is
 * kept for this invocation until it nears expiry, so a paced call is not delayed by a gate round
 * trip between its slot and its request (a delay that could push calls into the next window).
 */
export function gateContext(
  deps: Deps,
  connectionId: string,
  vendor: Vendor,
  /** The connection's vendor account (for a vendor whose installs have a site: that site). */
  externalId?: string,
): ConnectorContext {
  const gate = deps.gate(connectionId);
  let cached: { token: string; expiresAt: number; instanceUrl?: string } | undefined;
  const site = vendor.connector.install.site ? externalId : undefined;
  const headers = vendor.connector.callHeaders?.(vendor.app());
  const accessToken: ConnectorContext["accessToken"] = async (o) => {
    const force = o?.forceRefresh ?? false;
    // Another call of this invocation already replaced the rejected token.
    if (force && o?.rejected !== undefined && cached && cached.token !== o.rejected)
      return cached.token;
    if (!force && cached && cached.expiresAt - deps.now() > vendor.connector.install.refreshAheadMs)
      return cached.token;
    const r = await gate.accessToken(connectionId, force, o?.rejected);
    if (!r.ok) throw new ConnectorError(r.code, r.message, { retryable: r.retryable });
    cached = r.value;
    return r.value.token;
  };
  /** The org usage last passed to the gate. */
  let told: { used: number; max: number } | undefined;
  return {
    baseUrl: vendor.connector.apiBaseUrl(vendor.app(), site),
    ...(headers ? { headers } : {}),
    publicUrl: deps.publicUrl,
    ...(externalId ? { installId: externalId } : {}),
    accessToken,
    async instanceUrl() {
      if (!cached) await accessToken();
      return cached?.instanceUrl;
    },
    budget: {
      async acquire(kind) {
        const slot = await gate.reserve(kind);
        // Ebb's share of the vendor's allocation is spent: the job pauses, nothing is lost.
        if (typeof slot !== "number")
          throw allowanceSpent({
            retryAfterMs: slot.pausedMs,
            spent: slot.spent,
            share: slot.share,
          });
        const wait = slot - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      },
      // The allocation's size rarely changes and the org's count only matters to the admin: tell
      // the gate when the size changes or the count moved by a thousandth of it, not every answer.
      observe(usage) {
        if (
          told &&
          told.max === usage.max &&
          Math.abs(usage.used - told.used) < Math.max(1, usage.max / 1000)
        )
          return;
        told = usage;
        return gate.observe(usage);
      },
    },
    now: () => deps.now(),
    log: (event, fields) =>
      console.log(JSON.stringify({ event, connection: connectionId, ...fields })),
  };
}
