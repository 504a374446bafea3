// The Zendesk connector, wired into the one contract: id, settings, configuration, limits, and its
// install (per-account subdomain) / verify / sidebar view / pull / push / sandbox.
import { z } from "zod";
import type { Connector, VendorApp } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { createZendeskApi, ZENDESK_LIMITS } from "./client.ts";
import {
  authorizeUrl,
  exchangeCode,
  REFRESH_AHEAD_MS,
  refreshTokens,
  SUBDOMAIN,
  siteUrl,
  type ZendeskApp,
} from "./install.ts";
import { pullZendesk, type ZendeskCursor } from "./pull.ts";
import { ensureZendeskSetup, pushZendesk } from "./push.ts";
import { ZendeskSettings } from "./settings.ts";
import { toSidebarResponse } from "./sidebar.ts";
import { sidebarPage } from "./sidebar-page.ts";
import { verifyAppToken, verifyZendeskWebhook } from "./verify.ts";
import { parseZendeskWebhook } from "./webhooks.ts";

/** What the Worker's environment holds for the Zendesk app (its global OAuth client and app). */
export const ZendeskConfig = z.object({
  ZENDESK_CLIENT_ID: z.string().min(1, "ZENDESK_CLIENT_ID is not set"),
  ZENDESK_CLIENT_SECRET: z.string().min(1, "ZENDESK_CLIENT_SECRET is not set"),
  /** The app's public key (PEM) for its signed-URL JWTs; without it the sidebar refuses every load. */
  ZENDESK_APP_PUBLIC_KEY: z.string().default(""),
  /** `{subdomain}` is each install's; a sandbox's address has none. */
  ZENDESK_API_BASE: z.string().default("https://{subdomain}.zendesk.com"),
  /** The ZAF SDK the sidebar page loads (Zendesk's CDN; the local demo serves a stand-in). */
  ZENDESK_ZAF_SDK_URL: z
    .string()
    .default("https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"),
  ZENDESK_MARKETPLACE_NAME: z.string().default("Ebb"),
  ZENDESK_MARKETPLACE_ORG_ID: z.string().default(""),
  ZENDESK_MARKETPLACE_APP_ID: z.string().default(""),
});
export type ZendeskConfig = z.infer<typeof ZendeskConfig>;

export function zendeskApp(app: VendorApp<ZendeskConfig>): ZendeskApp {
  return {
    clientId: app.config.ZENDESK_CLIENT_ID,
    clientSecret: app.config.ZENDESK_CLIENT_SECRET,
    redirectUri: app.redirectUri,
    apiBaseTemplate: app.config.ZENDESK_API_BASE,
  };
}

export const zendesk: Connector<ZendeskCursor, ZendeskSettings, ZendeskConfig> = {
  id: "zendesk",
  label: "Zendesk",
  recordUrl: (subdomain, id) =>
    `https://${encodeURIComponent(subdomain)}.zendesk.com/agent/organizations/${encodeURIComponent(id)}`,
  settings: ZendeskSettings,
  config: ZendeskConfig,
  secrets: ["ZENDESK_CLIENT_ID", "ZENDESK_CLIENT_SECRET"],
  limits: ZENDESK_LIMITS,
  apiBaseUrl: (app, site) => siteUrl(app.config.ZENDESK_API_BASE, site),
  // Zendesk asks marketplace apps' backends to name themselves on every call.
  callHeaders: (app) =>
    Object.fromEntries(
      [
        ["X-Zendesk-Marketplace-Name", app.config.ZENDESK_MARKETPLACE_NAME],
        ["X-Zendesk-Marketplace-Organization-Id", app.config.ZENDESK_MARKETPLACE_ORG_ID],
        ["X-Zendesk-Marketplace-App-Id", app.config.ZENDESK_MARKETPLACE_APP_ID],
      ].filter(([, v]) => v !== ""),
    ),
  writesTasks: false,
  helpDesk: true,
  pull: (ctx, settings, cursor) => pullZendesk(ctx, settings, cursor),
  push: (ctx, _settings, changes) => pushZendesk(ctx, changes),
  install: {
    site: {
      param: "subdomain",
      label: "Zendesk subdomain",
      schema: z
        .string()
        .toLowerCase()
        .regex(SUBDOMAIN, "expected a Zendesk subdomain (acme for acme.zendesk.com)"),
    },
    authorizeUrl: (app, state, site) => authorizeUrl(zendeskApp(app), state, site),
    exchangeCode: (app, code, now, site) => exchangeCode(zendeskApp(app), code, now, site),
    refresh: (app, refreshToken, now, site) =>
      refreshTokens(zendeskApp(app), refreshToken, now, site),
    async identify(app, tokens, site) {
      const ctx = {
        baseUrl: siteUrl(app.config.ZENDESK_API_BASE, site),
        accessToken: async () => tokens.accessToken,
        budget: { acquire: async () => {} },
        now: () => Date.now(),
        log: () => {},
        headers: zendesk.callHeaders?.(app) ?? {},
      };
      const me = await createZendeskApi(ctx).me();
      if (!site) throw new ConnectorError("config", "a Zendesk install needs its subdomain");
      const subdomain = site;
      return {
        externalId: subdomain,
        tenantName: `Zendesk ${subdomain}`,
        user: me.user.email ?? undefined,
      };
    },
    refreshAheadMs: REFRESH_AHEAD_MS,
    setup: (ctx) => ensureZendeskSetup(ctx),
  },
  async verify(_app, r, now, secret) {
    // Each webhook has its own secret, kept per connection: without one nothing is accepted.
    if (!secret) return { ok: false, reason: "no signing secret is known for this webhook" };
    return verifyZendeskWebhook(
      {
        body: r.body,
        signature: r.headers.get("x-zendesk-webhook-signature"),
        timestamp: r.headers.get("x-zendesk-webhook-signature-timestamp"),
      },
      secret,
      now,
    );
  },
  webhooks: {
    // One event per delivery; Zendesk's event payloads are a few kilobytes.
    maxBytes: 64 * 1024,
    parse(body, install) {
      if (!install) return { ok: false, message: "the delivery names no install (?install=…)" };
      const r = parseZendeskWebhook(body);
      return r.ok ? { ok: true, installs: [{ externalId: install, marks: r.marks }] } : r;
    },
    perConnection: {
      install: (r) => new URL(r.url).searchParams.get("install") ?? undefined,
      secretName: (r) => r.headers.get("x-zendesk-webhook-id") ?? undefined,
    },
  },
  view: {
    path: "sidebar",
    target(query) {
      const q = SidebarTarget.safeParse(query);
      if (!q.success)
        return {
          ok: false,
          message: q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        };
      return { ok: true, externalId: q.data.subdomain, recordId: q.data.organizationId };
    },
    render: (recordId, view) => toSidebarResponse(recordId, view),
  },
  viewSession: {
    // Zendesk posts the signed-URL JWT as the form field `token` on the app's first load.
    async verifyLoad(app, form, now) {
      if (!app.config.ZENDESK_APP_PUBLIC_KEY)
        return { ok: false, reason: "ZENDESK_APP_PUBLIC_KEY is not set on this Worker" };
      const r = await verifyAppToken(form.token, app.config.ZENDESK_APP_PUBLIC_KEY, now);
      if (!r.ok) return r;
      return { ok: true, externalId: r.subdomain, ...(r.userId ? { user: r.userId } : {}) };
    },
    page: (p) =>
      sidebarPage({
        session: p.session,
        dataPath: p.dataPath,
        subdomain: p.externalId,
        nonce: p.nonce,
        sdkUrl: p.app.config.ZENDESK_ZAF_SDK_URL,
      }),
    scriptSources: (app) => [new URL(app.config.ZENDESK_ZAF_SDK_URL).origin],
    // Zendesk's frame; a sandbox's agent page (an API base without {subdomain}) is at its own address.
    frameAncestors: (app) =>
      app.config.ZENDESK_API_BASE.includes("{subdomain}")
        ? ["https://*.zendesk.com"]
        : ["https://*.zendesk.com", new URL(app.config.ZENDESK_API_BASE).origin],
  },
  sandbox: async () => {
    // Loaded by URL, so the Worker's bundler leaves the sandbox (a Node HTTP server) out.
    const harness = new URL("./sandbox/harness.ts", import.meta.url).href;
    const { startZendeskHarness } = (await import(
      /* @vite-ignore */ harness
    )) as typeof import("./sandbox/harness.ts");
    return { startHarness: startZendeskHarness };
  },
};

const SidebarTarget = z.object({
  organizationId: z.string().regex(/^\d+$/, "expected a Zendesk organization id (digits)"),
  subdomain: z.string().regex(SUBDOMAIN, "expected a Zendesk subdomain"),
});
