// Installing from the HubSpot marketplace: the authorize URL (with a `state` the caller checks),
// code exchange and refresh through the official SDK, and the install's identity (token info). The
// connection gate keeps the tokens with the shared keeper (connectors/tokens.ts).

import { z } from "zod";
import { ConnectorError } from "../errors.ts";
import type { Tokens } from "../tokens.ts";
import { toConnectorError } from "./client.ts";
import { createHubSpotSdk } from "./sdk.ts";

/** The scopes Ebb uses, and no others (unused scopes fail marketplace review). */
export const SCOPES = [
  "oauth",
  "crm.objects.companies.read",
  "crm.objects.companies.write",
  "crm.objects.contacts.read",
  "crm.objects.contacts.write",
  "crm.schemas.companies.write",
  "tickets",
  "crm.objects.owners.read",
] as const;

/** The HubSpot app as the install calls see it (built from the connector's config, index.ts). */
export interface HubSpotApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Where the OAuth pages live: HubSpot's in production, the sandbox locally. */
  authBaseUrl: string;
  apiBaseUrl: string;
}

export type { Tokens };

const TokenResponse = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresIn: z.number().positive(),
});

// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/oauth/working-with-oauth
export function authorizeUrl(app: HubSpotApp, state: string): string {
  const url = new URL("/oauth/authorize", app.authBaseUrl);
  url.searchParams.set("client_id", app.clientId);
  url.searchParams.set("redirect_uri", app.redirectUri);
  url.searchParams.set("scope", SCOPES.join(" "));
  url.searchParams.set("state", state);
  return url.toString();
}

async function tokenCall(
  app: HubSpotApp,
  now: number,
  grant: { code: string } | { refreshToken: string },
): Promise<Tokens> {
  const client = createHubSpotSdk(app.apiBaseUrl);
  try {
    // https://developers.hubspot.com/docs/api-reference/auth-oauth-v1/tokens/post-oauth-v1-token
    const res = await ("code" in grant
      ? client.oauth.tokensApi.create(
          "authorization_code",
          grant.code,
          app.redirectUri,
          app.clientId,
          app.clientSecret,
        )
      : client.oauth.tokensApi.create(
          "refresh_token",
          undefined,
          undefined,
          app.clientId,
          app.clientSecret,
          grant.refreshToken,
        ));
    const parsed = TokenResponse.safeParse(res);
    if (!parsed.success)
      throw new ConnectorError("invalid_response", "HubSpot token response is missing tokens");
    return {
      accessToken: parsed.data.accessToken,
      refreshToken: parsed.data.refreshToken,
      expiresAt: now + parsed.data.expiresIn * 1000,
    };
  } catch (e) {
    const err = toConnectorError(e, "code" in grant ? "OAuth code exchange" : "OAuth refresh");
    // HubSpot answers a bad code or refresh token with 400: that is an authorization failure.
    throw err.status === 400 ? new ConnectorError("auth", err.message, { status: 400 }) : err;
  }
}

export function exchangeCode(app: HubSpotApp, code: string, now: number): Promise<Tokens> {
  return tokenCall(app, now, { code });
}

export function refreshTokens(app: HubSpotApp, refreshToken: string, now: number): Promise<Tokens> {
  return tokenCall(app, now, { refreshToken });
}

const TokenInfo = z.object({ hubId: z.number().int(), user: z.string().optional() });

/** Which portal (and installing user) an access token belongs to: the install's identity. */
export async function tokenInfo(
  app: HubSpotApp,
  accessToken: string,
): Promise<{ portalId: string; user: string | undefined }> {
  const client = createHubSpotSdk(app.apiBaseUrl);
  try {
    // https://developers.hubspot.com/docs/api-reference/auth-oauth-v1/access-tokens/get-oauth-v1-access-tokens-token
    const res = TokenInfo.safeParse(await client.oauth.accessTokensApi.get(accessToken));
    if (!res.success)
      throw new ConnectorError("invalid_response", "HubSpot token info has no hub id");
    return { portalId: String(res.data.hubId), user: res.data.user };
  } catch (e) {
    throw e instanceof ConnectorError ? e : toConnectorError(e, "OAuth token info");
  }
}

/** Refresh this long before expiry (HubSpot tokens live 30 minutes). */
export const REFRESH_AHEAD_MS = 5 * 60_000;
