// The HubSpot connector, wired into the one contract: id, settings, configuration, limits, and its
// install / verify / webhooks / card view / pull / push / sandbox.
import { z } from "zod";
import type { Connector, VendorApp } from "../connector.ts";
import { type CardTarget, toCardResponse } from "./card.ts";
import { HUBSPOT_LIMITS } from "./client.ts";
import {
  authorizeUrl,
  exchangeCode,
  type HubSpotApp,
  REFRESH_AHEAD_MS,
  refreshTokens,
  tokenInfo,
} from "./install.ts";
import { type HubSpotCursor, pullHubSpot } from "./pull.ts";
import { ensureHubSpotSetup, pushHubSpot } from "./push.ts";
import { HubSpotSettings } from "./settings.ts";
import { verifyHubSpotSignature } from "./verify.ts";
import { parseHubSpotWebhooks } from "./webhooks.ts";

/** What the Worker's environment holds for the HubSpot app (developer project → Auth). */
export const HubSpotConfig = z.object({
  HUBSPOT_CLIENT_ID: z.string().min(1, "HUBSPOT_CLIENT_ID is not set"),
  HUBSPOT_CLIENT_SECRET: z.string().min(1, "HUBSPOT_CLIENT_SECRET is not set"),
  HUBSPOT_API_BASE: z.url().default("https://api.hubapi.com"),
  HUBSPOT_AUTH_BASE: z.url().default("https://app.hubspot.com"),
});
export type HubSpotConfig = z.infer<typeof HubSpotConfig>;

/** The install module's view of the app: credentials, redirect and base URLs. */
export function hubspotApp(app: VendorApp<HubSpotConfig>): HubSpotApp {
  return {
    clientId: app.config.HUBSPOT_CLIENT_ID,
    clientSecret: app.config.HUBSPOT_CLIENT_SECRET,
    redirectUri: app.redirectUri,
    authBaseUrl: app.config.HUBSPOT_AUTH_BASE,
    apiBaseUrl: app.config.HUBSPOT_API_BASE,
  };
}

export const hubspot: Connector<HubSpotCursor, HubSpotSettings, HubSpotConfig> = {
  id: "hubspot",
  label: "HubSpot",
  // A company record in HubSpot's CRM (object type 0-2).
  recordUrl: (portal, id) =>
    `https://app.hubspot.com/contacts/${encodeURIComponent(portal)}/record/0-2/${encodeURIComponent(id)}`,
  settings: HubSpotSettings,
  config: HubSpotConfig,
  secrets: ["HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET"],
  limits: HUBSPOT_LIMITS,
  apiBaseUrl: (app) => app.config.HUBSPOT_API_BASE,
  writesTasks: true,
  pull: (ctx, settings, cursor) => pullHubSpot(ctx, settings, cursor),
  push: (ctx, _settings, changes) => pushHubSpot(ctx, changes),
  install: {
    authorizeUrl: (app, state) => authorizeUrl(hubspotApp(app), state),
    exchangeCode: (app, code, now) => exchangeCode(hubspotApp(app), code, now),
    refresh: (app, refreshToken, now) => refreshTokens(hubspotApp(app), refreshToken, now),
    async identify(app, tokens) {
      const info = await tokenInfo(hubspotApp(app), tokens.accessToken);
      return {
        externalId: info.portalId,
        tenantName: `HubSpot portal ${info.portalId}`,
        user: info.user,
      };
    },
    refreshAheadMs: REFRESH_AHEAD_MS,
    setup: (ctx) => ensureHubSpotSetup(ctx),
  },
  async verify(app, r, now) {
    return verifyHubSpotSignature(
      {
        method: r.method,
        uri: r.url,
        body: r.body,
        signature: r.headers.get("x-hubspot-signature-v3"),
        timestamp: r.headers.get("x-hubspot-request-timestamp"),
      },
      app.config.HUBSPOT_CLIENT_SECRET,
      now,
    );
  },
  webhooks: {
    // Deliveries are at most 100 events; a body beyond this is not HubSpot's.
    maxBytes: 256 * 1024,
    parse: parseHubSpotWebhooks,
  },
  view: {
    path: "card",
    target(query) {
      const q = CardTargetQuery.safeParse(query);
      if (!q.success)
        return {
          ok: false,
          message: q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        };
      return { ok: true, externalId: q.data.portalId, recordId: q.data.objectId };
    },
    render: (recordId, view) => toCardResponse(recordId, view),
  },
  sandbox: async () => {
    // Loaded by URL rather than by name, so the Worker's bundler leaves the sandbox (a Node HTTP
    // server) out of the Worker; only Node, in tests and the demo, ever loads it.
    const harness = new URL("./sandbox/harness.ts", import.meta.url).href;
    const { startHubSpotHarness } = (await import(
      /* @vite-ignore */ harness
    )) as typeof import("./sandbox/harness.ts");
    return { startHarness: startHubSpotHarness };
  },
};

/** What the card's `hubspot.fetch` names: the company and the portal it lives in. */
const CardTargetQuery: z.ZodType<CardTarget> = z.object({
  objectId: z.string().regex(/^\d+$/, "expected a HubSpot record id (digits)"),
  portalId: z.string().regex(/^\d+$/, "expected a HubSpot portal id (digits)"),
});
