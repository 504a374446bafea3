// Test support for the Zendesk connector: a connection context against a sandbox (tokens kept as the
// connection gate keeps them, refreshed through the connector's own grant), a full pull into a
// portfolio, and id translation across the round trip.
import type { ConnectorContext } from "../../connectors/connector.ts";
import {
  createWindowBudget,
  type RequestBudget,
  type WindowLimit,
} from "../../connectors/limits.ts";
import { createTokenKeeper } from "../../connectors/tokens.ts";
import { ZENDESK_LIMITS } from "../../connectors/zendesk/client.ts";
import { refreshTokens, type ZendeskApp } from "../../connectors/zendesk/install.ts";
import { pullZendesk, type ZendeskCursor } from "../../connectors/zendesk/pull.ts";
import { SANDBOX_CLIENT, type ZendeskSandbox } from "../../connectors/zendesk/sandbox/server.ts";
import type { ZendeskSettings } from "../../connectors/zendesk/settings.ts";
import type { Portfolio } from "../../core/model.ts";
import { idTranslator, pullPages } from "./pulls.ts";

export function sandboxApp(sandbox: ZendeskSandbox): ZendeskApp {
  return {
    clientId: SANDBOX_CLIENT.id,
    clientSecret: SANDBOX_CLIENT.secret,
    redirectUri: "http://127.0.0.1/callback",
    apiBaseTemplate: sandbox.url,
  };
}

export function zendeskContext(
  sandbox: ZendeskSandbox,
  limits: Record<string, WindowLimit> & { default: WindowLimit } = ZENDESK_LIMITS,
  budget: RequestBudget = createWindowBudget(limits),
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
  return {
    baseUrl: sandbox.url,
    refreshes: () => keeper.refreshes(),
    accessToken: (o) => keeper.accessToken(o),
    budget,
    now: () => Date.now(),
    log: () => {},
  };
}

/** Pull to the end (or `stopAfter` pages) from `from`, applying pages to `store`. */
export const pullInto = (
  ctx: ConnectorContext,
  settings: ZendeskSettings,
  from: ZendeskCursor | undefined,
  store?: Map<string, Map<string, unknown>>,
  stopAfter?: number,
) => pullPages(pullZendesk, ctx, settings, from, store, stopAfter);

/** The part of a portfolio Zendesk holds: accounts, their people and their tickets. */
export function zendeskPart(p: Portfolio): Portfolio {
  return { ...p, engagements: [], usage: [], milestones: [], outcomes: [] };
}

/** Translate a snapshot's ids from the interchange's to those a Zendesk pull gives them. */
export function zendeskTranslator(ids: Map<string, number>) {
  const prefix: Record<string, string> = {
    accounts: "zd-org-",
    stakeholders: "zd-user-",
    tickets: "zd-ticket-",
  };
  const lookup = new Map<string, string>();
  for (const [key, id] of ids) {
    const [kind, ...rest] = key.split(":");
    lookup.set(rest.join(":"), `${prefix[kind ?? ""] ?? ""}${id}`);
  }
  return idTranslator(lookup);
}
