// The HubSpot connector, wired: id, settings, secret names, and its pull / push / install / verify.
import type { Connector } from "../connector.ts";
import {
  authorizeUrl,
  createTokenKeeper,
  exchangeCode,
  refreshTokens,
  tokenInfo,
} from "./install.ts";
import { type HubSpotCursor, pullHubSpot } from "./pull.ts";
import { ensureHubSpotSetup, pushHubSpot } from "./push.ts";
import { HubSpotSettings } from "./settings.ts";
import { verifyHubSpotSignature } from "./verify.ts";

/** Worker secrets the HubSpot connector needs (documented in .dev.vars.example). */
export const HUBSPOT_SECRETS = ["HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET"] as const;

export const hubspot: Connector<HubSpotCursor, HubSpotSettings> & {
  settings: typeof HubSpotSettings;
  secrets: typeof HUBSPOT_SECRETS;
  install: {
    authorizeUrl: typeof authorizeUrl;
    exchangeCode: typeof exchangeCode;
    refreshTokens: typeof refreshTokens;
    tokenInfo: typeof tokenInfo;
    createTokenKeeper: typeof createTokenKeeper;
    setup: typeof ensureHubSpotSetup;
  };
  verify: typeof verifyHubSpotSignature;
} = {
  id: "hubspot",
  settings: HubSpotSettings,
  secrets: HUBSPOT_SECRETS,
  pull: (ctx, settings, cursor) => pullHubSpot(ctx, settings, cursor),
  push: (ctx, _settings, changes) => pushHubSpot(ctx, changes),
  install: {
    authorizeUrl,
    exchangeCode,
    refreshTokens,
    tokenInfo,
    createTokenKeeper,
    setup: ensureHubSpotSetup,
  },
  verify: verifyHubSpotSignature,
};
