// Test support for the Salesforce connector: a connection context against a sandbox org (tokens
// kept as the connection gate keeps them, refreshed through the connector's own grant, the daily
// allowance as the gate keeps it), a full pull into a portfolio, and id translation.
import type { ConnectorContext } from "../../connectors/connector.ts";
import {
  type Allowance,
  createWindowBudget,
  type RequestBudget,
  realClock,
} from "../../connectors/limits.ts";
import { SALESFORCE_LIMITS } from "../../connectors/salesforce/client.ts";
import { refreshTokens, type SalesforceApp } from "../../connectors/salesforce/install.ts";
import { pullSalesforce, type SalesforceCursor } from "../../connectors/salesforce/pull.ts";
import {
  SANDBOX_CLIENT,
  type SalesforceSandbox,
} from "../../connectors/salesforce/sandbox/server.ts";
import type { SalesforceSettings } from "../../connectors/salesforce/settings.ts";
import { createTokenKeeper } from "../../connectors/tokens.ts";
import type { Portfolio } from "../../core/model.ts";
import { idTranslator, pullPages } from "./pulls.ts";

export function sandboxApp(sandbox: SalesforceSandbox): SalesforceApp {
  return {
    clientId: SANDBOX_CLIENT.id,
    clientSecret: SANDBOX_CLIENT.secret,
    redirectUri: "http://127.0.0.1/callback",
    loginUrl: sandbox.url,
  };
}

export function salesforceContext(
  sandbox: SalesforceSandbox,
  o: { allowance?: Allowance; now?: () => number; budget?: RequestBudget } = {},
): ConnectorContext & { refreshes(): number } {
  const app = sandboxApp(sandbox);
  const keeper = createTokenKeeper(
    {
      accessToken: sandbox.token,
      refreshToken: sandbox.refreshToken,
      expiresAt: Number.MAX_SAFE_INTEGER,
    },
    { refresh: (rt, now) => refreshTokens(app, rt, now), aheadMs: 0, now: () => Date.now() },
  );
  const now = o.now ?? (() => Date.now());
  return {
    baseUrl: sandbox.url,
    refreshes: () => keeper.refreshes(),
    accessToken: (x) => keeper.accessToken(x),
    instanceUrl: async () => keeper.current().instanceUrl ?? sandbox.url,
    budget: o.budget ?? createWindowBudget(SALESFORCE_LIMITS, { ...realClock, now }, o.allowance),
    now,
    log: () => {},
  };
}

/** Pull to the end (or `stopAfter` pages) from `from`, applying pages to `store`. */
export const pullInto = (
  ctx: ConnectorContext,
  settings: SalesforceSettings,
  from: SalesforceCursor | undefined,
  store?: Map<string, Map<string, unknown>>,
  stopAfter?: number,
) => pullPages(pullSalesforce, ctx, settings, from, store, stopAfter);

/** The part of a portfolio Salesforce holds: all but product usage and milestones. */
export function salesforcePart(p: Portfolio): Portfolio {
  return { ...p, usage: [], milestones: [] };
}

/** Translate a snapshot's ids from the interchange's to those a Salesforce pull gives them. */
export function salesforceTranslator(ids: Map<string, string>) {
  const prefix: Record<string, string> = {
    accounts: "sf-account-",
    stakeholders: "sf-contact-",
    tickets: "sf-case-",
  };
  const lookup = new Map<string, string>();
  for (const [key, id] of ids) {
    const [kind, ...rest] = key.split(":");
    const p =
      kind === "engagements"
        ? id.startsWith("00U")
          ? "sf-event-"
          : "sf-task-"
        : (prefix[kind ?? ""] ?? "");
    lookup.set(rest.join(":"), `${p}${id}`);
  }
  return idTranslator(lookup);
}
