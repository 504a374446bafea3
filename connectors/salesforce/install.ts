// Installing Ebb in a Salesforce org: the OAuth 2.0 web server flow of the packaged External Client
// App, with PKCE (S256), at the login address (login.salesforce.com, or a sandbox org's
// test.salesforce.com); the token answer names the org's instance_url, where every API call goes.
// Refresh tokens rotate: each refresh returns a new one and presenting a rotated-away token revokes
// every token of the install, so refreshes of one connection must never race (the connection gate
// runs them single-flight). jsforce's OAuth2 helper has no PKCE parameters, so the two token
// requests go to Salesforce's documented endpoint through the shared token request.

import { z } from "zod";
import { ConnectorError } from "../errors.ts";
import { requestTokens } from "../oauth.ts";
import type { Tokens } from "../tokens.ts";

export interface SalesforceApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** https://login.salesforce.com, or a sandbox's address in tests and the demo. */
  loginUrl: string;
}

/**
 * Salesforce's token answer has no lifetime (the org's session timeout decides, 2 hours by
 * default); Ebb assumes the shortest common one and refreshes on a 401 besides.
 */
export const ASSUMED_SESSION_MS = 2 * 60 * 60_000;
export const REFRESH_AHEAD_MS = 10 * 60_000;

/** Ebb reads and writes records through the REST API and keeps a refresh token. */
export const SCOPES = "api refresh_token";

const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.url(),
  id: z.string(),
  issued_at: z.string().optional(),
});

export function authorizeUrl(app: SalesforceApp, state: string, codeChallenge?: string): string {
  const u = new URL(`${app.loginUrl.replace(/\/+$/, "")}/services/oauth2/authorize`);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("client_id", app.clientId);
  u.searchParams.set("redirect_uri", app.redirectUri);
  u.searchParams.set("scope", SCOPES);
  u.searchParams.set("state", state);
  if (codeChallenge) {
    u.searchParams.set("code_challenge", codeChallenge);
    u.searchParams.set("code_challenge_method", "S256");
  }
  return u.toString();
}

async function grant(
  app: SalesforceApp,
  body: Record<string, string>,
  now: number,
  what: string,
  previousRefresh?: string,
): Promise<Tokens> {
  const t = await requestTokens({
    url: `${app.loginUrl.replace(/\/+$/, "")}/services/oauth2/token`,
    body: { form: { ...body, client_id: app.clientId, client_secret: app.clientSecret } },
    schema: TokenAnswer,
    vendor: "Salesforce",
    what,
  });
  const refreshToken = t.refresh_token ?? previousRefresh;
  if (!refreshToken)
    throw new ConnectorError(
      "config",
      `${what}: Salesforce issued no refresh token: the app's OAuth policy must allow refresh_token`,
    );
  return {
    accessToken: t.access_token,
    refreshToken,
    expiresAt: now + ASSUMED_SESSION_MS,
    instanceUrl: t.instance_url.replace(/\/+$/, ""),
  };
}

export const exchangeCode = (
  app: SalesforceApp,
  code: string,
  now: number,
  codeVerifier?: string,
) =>
  grant(
    app,
    {
      grant_type: "authorization_code",
      code,
      redirect_uri: app.redirectUri,
      ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
    },
    now,
    "code exchange",
  );

/** With rotation on, the answer carries a new refresh token; without, the old one stays valid. */
export const refreshTokens = (app: SalesforceApp, refreshToken: string, now: number) =>
  grant(
    app,
    { grant_type: "refresh_token", refresh_token: refreshToken },
    now,
    "token refresh",
    refreshToken,
  );
