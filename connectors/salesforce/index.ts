// The Salesforce connector, wired into the one contract: id, settings, configuration, limits and the
// daily allowance, its install (web-server flow with PKCE; the org id names the tenant; calls go to
// the org's instance_url) / pull / push / sandbox. The Lightning card reads the packaged fields
// through Lightning Data Service (package/), so there is no in-vendor view for the Worker to serve,
// and Salesforce sends Ebb no signed requests.
import { z } from "zod";
import type { Connector, VendorApp } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { createSalesforceApi, SALESFORCE_LIMITS } from "./client.ts";
import {
  authorizeUrl,
  exchangeCode,
  REFRESH_AHEAD_MS,
  refreshTokens,
  type SalesforceApp,
} from "./install.ts";
import { pullSalesforce, type SalesforceCursor } from "./pull.ts";
import { ensureSalesforceSetup, pushSalesforce } from "./push.ts";
import { SalesforceSettings } from "./settings.ts";

/** What the Worker's environment holds for the Salesforce app (the packaged External Client App). */
export const SalesforceConfig = z.object({
  SALESFORCE_CLIENT_ID: z.string().min(1, "SALESFORCE_CLIENT_ID is not set"),
  SALESFORCE_CLIENT_SECRET: z.string().min(1, "SALESFORCE_CLIENT_SECRET is not set"),
  /** Where admins consent and tokens are granted (a sandbox org's: https://test.salesforce.com). */
  SALESFORCE_LOGIN_URL: z.string().default("https://login.salesforce.com"),
  /** The share of the org's daily API allocation Ebb may spend (every integration shares it). */
  SALESFORCE_API_SHARE: z.coerce
    .number()
    .gt(0, "SALESFORCE_API_SHARE must be above 0")
    .max(1, "SALESFORCE_API_SHARE is a share: at most 1")
    .default(0.1),
});
export type SalesforceConfig = z.infer<typeof SalesforceConfig>;

export function salesforceApp(app: VendorApp<SalesforceConfig>): SalesforceApp {
  return {
    clientId: app.config.SALESFORCE_CLIENT_ID,
    clientSecret: app.config.SALESFORCE_CLIENT_SECRET,
    redirectUri: app.redirectUri,
    loginUrl: app.config.SALESFORCE_LOGIN_URL,
  };
}

const DAY_MS = 86_400_000;

/** The org's My Domain name from its instance URL (`acme` for https://acme.my.salesforce.com). */
function myDomainOf(instanceUrl: string): string | undefined {
  const host = new URL(instanceUrl).hostname;
  return /\.salesforce\.com$/.test(host) ? host.split(".")[0] : undefined;
}

export const salesforce: Connector<SalesforceCursor, SalesforceSettings, SalesforceConfig> = {
  id: "salesforce",
  label: "Salesforce",
  // A record id after the login host opens the record in the signed-in user's own org.
  recordUrl: (_org, id) => `https://login.salesforce.com/${encodeURIComponent(id)}`,
  settings: SalesforceSettings,
  config: SalesforceConfig,
  secrets: ["SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"],
  limits: SALESFORCE_LIMITS,
  allowance: (app) => ({ share: app.config.SALESFORCE_API_SHARE, windowMs: DAY_MS }),
  apiBaseUrl: (app) => app.config.SALESFORCE_LOGIN_URL.replace(/\/+$/, ""),
  writesTasks: true,
  // The card draws the last 90 days from a packaged field.
  pushSeriesDays: 90,
  pull: (ctx, settings, cursor) => pullSalesforce(ctx, settings, cursor),
  push: (ctx, _settings, changes) => pushSalesforce(ctx, changes),
  install: {
    pkce: true,
    authorizeUrl: (app, state, _site, challenge) =>
      authorizeUrl(salesforceApp(app), state, challenge),
    exchangeCode: (app, code, now, _site, verifier) =>
      exchangeCode(salesforceApp(app), code, now, verifier),
    refresh: (app, refreshToken, now) => refreshTokens(salesforceApp(app), refreshToken, now),
    async identify(app, tokens) {
      const instance = tokens.instanceUrl ?? app.config.SALESFORCE_LOGIN_URL;
      const me = await createSalesforceApi({
        baseUrl: instance,
        instanceUrl: async () => instance,
        accessToken: async () => tokens.accessToken,
        budget: { acquire: async () => {} },
        now: () => Date.now(),
        log: () => {},
      }).userInfo();
      const org = me.organization_id;
      if (!/^00D\w{12,15}$/.test(org))
        throw new ConnectorError(
          "invalid_response",
          `Salesforce named no organization id (${org})`,
        );
      return {
        externalId: org,
        tenantName: `Salesforce ${myDomainOf(instance) ?? org}`,
        user: me.email ?? me.preferred_username ?? undefined,
      };
    },
    refreshAheadMs: REFRESH_AHEAD_MS,
    setup: (ctx) => ensureSalesforceSetup(ctx),
  },
  async verify() {
    return { ok: false, reason: "Salesforce sends Ebb no signed requests" };
  },
  sandbox: async () => {
    // Loaded by URL, so the Worker's bundler leaves the sandbox (a Node HTTP server) out.
    const harness = new URL("./sandbox/harness.ts", import.meta.url).href;
    const { startSalesforceHarness } = (await import(
      /* @vite-ignore */ harness
    )) as typeof import("./sandbox/harness.ts");
    return { startHarness: startSalesforceHarness };
  },
};
