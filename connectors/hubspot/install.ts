// Installing from the HubSpot marketplace: the authorize URL (with a `state` the caller checks),
// code exchange and refresh through the official SDK, and the install's identity (token info). The
// connection gate keeps the tokens with the shared keeper (connectors/tokens.ts).

import { z } from "zod";
import { ConnectorError, codeForStatus } from "../errors.ts";
import type { Tokens } from "../tokens.ts";
import { toConnectorError } from "./client.ts";
import { oauthFormPost } from "./sdk.ts";

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

// https://developers.hubspot.com/docs/api-reference/latest/auth/oauth (date-versioned; the spec is
// PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json)
const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
});
const TokenInfo = z.object({
  active: z.boolean(),
  hub_id: z.number().int(),
  user: z.string().optional(),
});
/** HubSpot's standardized error body. */
const OAuthError = z.object({
  category: z.string(),
  message: z.string(),
  correlationId: z.string().optional(),
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

/**
 * One call to the OAuth API, its answer checked with `schema`. A 4xx is an authorization failure
 * (a bad code, a revoked refresh token, a wrong client), named by HubSpot's error category.
 */
async function oauthCall<S extends z.ZodType>(
  app: HubSpotApp,
  what: string,
  endpoint: "token" | "token/introspect",
  form: Record<string, string>,
  schema: S,
): Promise<z.infer<S>> {
  let answer: { status: number; body: unknown };
  try {
    answer = await oauthFormPost(app.apiBaseUrl, endpoint, {
      ...form,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
  } catch (e) {
    throw toConnectorError(e, what);
  }
  if (answer.status >= 400) {
    const err = OAuthError.safeParse(answer.body);
    const why = err.success
      ? `${err.data.category}: ${err.data.message}`
      : `status ${answer.status}`;
    const message = `${what}: HubSpot answered ${answer.status} (${why})`;
    if (answer.status < 500 && answer.status !== 429)
      throw new ConnectorError("auth", message, { status: answer.status, retryable: false });
    throw new ConnectorError(codeForStatus(answer.status), message, { status: answer.status });
  }
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success)
    throw new ConnectorError(
      "invalid_response",
      `${what}: HubSpot's answer lacks ${parsed.error.issues[0]?.path.join(".")}`,
    );
  return parsed.data;
}

async function tokenCall(
  app: HubSpotApp,
  now: number,
  grant: { code: string } | { refreshToken: string },
): Promise<Tokens> {
  const res = await oauthCall(
    app,
    "code" in grant ? "OAuth code exchange" : "OAuth refresh",
    "token",
    "code" in grant
      ? { grant_type: "authorization_code", code: grant.code, redirect_uri: app.redirectUri }
      : { grant_type: "refresh_token", refresh_token: grant.refreshToken },
    TokenResponse,
  );
  return {
    accessToken: res.access_token,
    refreshToken: res.refresh_token,
    expiresAt: now + res.expires_in * 1000,
  };
}

export function exchangeCode(app: HubSpotApp, code: string, now: number): Promise<Tokens> {
  return tokenCall(app, now, { code });
}

export function refreshTokens(app: HubSpotApp, refreshToken: string, now: number): Promise<Tokens> {
  return tokenCall(app, now, { refreshToken });
}

/** Which portal (and installing user) an access token belongs to: the install's identity. */
export async function tokenInfo(
  app: HubSpotApp,
  accessToken: string,
): Promise<{ portalId: string; user: string | undefined }> {
  const info = await oauthCall(
    app,
    "OAuth token info",
    "token/introspect",
    { token: accessToken, token_type_hint: "access_token" },
    TokenInfo,
  );
  if (!info.active) throw new ConnectorError("auth", "OAuth token info: the token is not active");
  return { portalId: String(info.hub_id), user: info.user };
}

/** Refresh this long before expiry (HubSpot tokens live 30 minutes). */
export const REFRESH_AHEAD_MS = 5 * 60_000;
