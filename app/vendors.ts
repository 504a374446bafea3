// The vendors the Worker knows, each wired from its connector: OAuth app settings from Env, the
// request limits the connection gate enforces, and the connector itself. Adding Zendesk or
// Salesforce means adding an entry here; routes and jobs look vendors up by id.
import type { Connector, ConnectorContext } from "../connectors/connector.ts";
import { HUBSPOT_LIMITS } from "../connectors/hubspot/client.ts";
import { hubspot } from "../connectors/hubspot/index.ts";
import { type HubSpotApp, REFRESH_AHEAD_MS } from "../connectors/hubspot/install.ts";
import { DEFAULT_SETTINGS } from "../connectors/hubspot/settings.ts";
import type { WindowLimit } from "../connectors/limits.ts";
import type { Tokens } from "../connectors/tokens.ts";

export type VendorId = "hubspot";

export interface Vendor {
  id: VendorId;
  limits: Record<string, WindowLimit> & { default: WindowLimit };
  // biome-ignore lint/suspicious/noExplicitAny: each vendor has its own cursor and settings types.
  connector: Connector<any, any>;
  apiBaseUrl(env: Env): string;
  refresh(env: Env, refreshToken: string, now: number): Promise<Tokens>;
  /** Tokens are refreshed this long before they expire. */
  refreshAheadMs: number;
  /** One-time setup in the vendor (custom fields), idempotent. */
  setup(ctx: ConnectorContext): Promise<unknown>;
  /** The connector's settings (defaults until an admin changes them). */
  settings: unknown;
}

export function hubspotApp(env: Env): HubSpotApp {
  return {
    clientId: env.HUBSPOT_CLIENT_ID,
    clientSecret: env.HUBSPOT_CLIENT_SECRET,
    redirectUri: new URL("/oauth/hubspot/callback", env.PUBLIC_URL).toString(),
    authBaseUrl: env.HUBSPOT_AUTH_BASE,
    apiBaseUrl: env.HUBSPOT_API_BASE,
  };
}

export const VENDORS: Record<VendorId, Vendor> = {
  hubspot: {
    id: "hubspot",
    limits: HUBSPOT_LIMITS,
    connector: hubspot,
    apiBaseUrl: (env) => env.HUBSPOT_API_BASE,
    refresh: (env, refreshToken, now) =>
      hubspot.install.refreshTokens(hubspotApp(env), refreshToken, now),
    refreshAheadMs: REFRESH_AHEAD_MS,
    setup: (ctx) => hubspot.install.setup(ctx),
    settings: DEFAULT_SETTINGS,
  },
};

export function vendorOf(id: string): Vendor {
  const v = VENDORS[id as VendorId];
  if (!v) throw new Error(`unknown vendor ${id}`);
  return v;
}
