// Test support for the HubSpot connector: a context against a sandbox, a full pull into a portfolio,
// and id translation across the round trip.

import type { ConnectorContext, PullPage } from "../../connectors/connector.ts";
import { HUBSPOT_LIMITS } from "../../connectors/hubspot/client.ts";
import { refreshTokens } from "../../connectors/hubspot/install.ts";
import type { HubSpotSandbox } from "../../connectors/hubspot/sandbox/server.ts";
import { createWindowBudget, type RequestBudget } from "../../connectors/limits.ts";
import { createTokenKeeper } from "../../connectors/tokens.ts";
import { emptyPortfolio, type HealthSnapshot, type Portfolio } from "../../core/model.ts";

/** HubSpot's documented limits, as the connection's budget enforces them. */
export function hubspotBudget(): RequestBudget {
  return createWindowBudget(HUBSPOT_LIMITS);
}

export function sandboxContext(
  sandbox: HubSpotSandbox,
  budget: RequestBudget = hubspotBudget(),
): ConnectorContext & { refreshes: number } {
  // Tokens kept as the connection gate keeps them (the shared keeper: single-flight refresh, and a
  // 401 refreshes only the token that was rejected), refreshed through the connector's own call.
  const app = {
    clientId: "sandbox-client",
    clientSecret: "sandbox-secret",
    redirectUri: "http://127.0.0.1/callback",
    authBaseUrl: sandbox.url,
    apiBaseUrl: sandbox.url,
  };
  const keeper = createTokenKeeper(
    {
      accessToken: sandbox.token,
      refreshToken: "sandbox-refresh-token",
      expiresAt: Number.MAX_SAFE_INTEGER,
    },
    {
      refresh: (refreshToken, now) => refreshTokens(app, refreshToken, now),
      aheadMs: 0,
      now: () => Date.now(),
    },
  );
  const ctx = {
    baseUrl: sandbox.url,
    get refreshes() {
      return keeper.refreshes();
    },
    accessToken: (options?: { forceRefresh?: boolean; rejected?: string }) =>
      keeper.accessToken(options),
    budget,
    now: () => Date.now(),
    log: (_event: string, _fields?: Record<string, unknown>) => {},
  };
  return ctx;
}

/** Apply pages to a portfolio the way a store would: upsert by id, remove deletions. */
export function applyPages(into: Map<string, Map<string, unknown>>, page: PullPage<unknown>): void {
  const r = page.records;
  const put = (kind: string, id: string, v: unknown) => {
    let m = into.get(kind);
    if (!m) {
      m = new Map();
      into.set(kind, m);
    }
    m.set(id, v);
  };
  for (const a of r.accounts) put("accounts", a.id, a);
  for (const x of r.stakeholders) put("stakeholders", x.id, x);
  for (const x of r.tickets) put("tickets", x.id, x);
  for (const x of r.engagements) put("engagements", x.id, x);
  for (const x of r.milestones) put("milestones", x.id, x);
  for (const x of r.usage) put("usage", `${x.accountId}@${x.day}`, x);
  for (const x of r.outcomes) put("outcomes", `${x.accountId}@${x.kind}`, x);
  for (const d of r.deleted) into.get(d.kind)?.delete(d.id);
}

export function toPortfolio(store: Map<string, Map<string, unknown>>): Portfolio {
  const p = emptyPortfolio();
  for (const kind of Object.keys(p) as (keyof Portfolio)[]) {
    const into = p[kind] as unknown[];
    // A loop, not a spread: a large portfolio has more rows than a call's argument list holds.
    for (const v of store.get(kind)?.values() ?? []) into.push(v);
  }
  return p;
}

/** Translate a snapshot's ids from the interchange's to the ones a HubSpot pull gives them. */
export function translator(ids: Map<string, string>) {
  const lookup = new Map<string, string>();
  for (const [key, hubspotId] of ids) {
    const [type, ...rest] = key.split(":");
    const source = rest.join(":");
    const prefix =
      type === "companies"
        ? "company"
        : type === "contacts"
          ? "contact"
          : type === "tickets"
            ? "ticket"
            : (type ?? "").slice(0, -1);
    lookup.set(source, `hs-${prefix}-${hubspotId}`);
  }
  return (s: HealthSnapshot, milestoneIds: Set<string>): HealthSnapshot => ({
    ...s,
    accountId: lookup.get(s.accountId) ?? s.accountId,
    signals: s.signals.map((g) => ({
      ...g,
      ...(g.evidenceIds
        ? {
            evidenceIds: g.evidenceIds.map((id) =>
              milestoneIds.has(id)
                ? (lookup.get(id) ?? id).replace("hs-task-", "hs-milestone-")
                : (lookup.get(id) ?? id),
            ),
          }
        : {}),
    })),
  });
}
