// Installing Ebb in a Zendesk account: the authorization code grant of a global OAuth client
// (identifier `zdg-…`) at the account's own address, `https://{subdomain}.zendesk.com`, with PKCE-free
// confidential exchange and refresh tokens. Every refresh rotates: Zendesk deletes the previous
// access and refresh tokens, so refreshes of one connection must never race (the connection gate
// runs them single-flight). node-zendesk has no call for the OAuth grant itself (only for managing
// tokens under /api/v2), so the two token requests are plain fetches to Zendesk's documented endpoint.

import { ConnectorError } from "../errors.ts";
import { requestTokens } from "../oauth.ts";
import type { Tokens } from "../tokens.ts";
import { TokenResponse } from "./schemas.ts";

export interface ZendeskApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** `https://{subdomain}.zendesk.com`, or a sandbox's address (no placeholder: every subdomain). */
  apiBaseTemplate: string;
}

/** Refresh this long before an access token expires. */
export const REFRESH_AHEAD_MS = 5 * 60_000;

/** What Ebb asks for: read tickets, users and organizations; write organization fields and tags. */
export const SCOPES = "read write";

export const SUBDOMAIN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The account's base URL from its subdomain. */
export function siteUrl(template: string, subdomain: string | undefined): string {
  if (!template.includes("{subdomain}")) return template.replace(/\/+$/, "");
  if (!subdomain || !SUBDOMAIN.test(subdomain))
    throw new ConnectorError("config", `not a Zendesk subdomain: ${subdomain ?? "(none)"}`);
  return template.replace("{subdomain}", subdomain).replace(/\/+$/, "");
}

export function authorizeUrl(
  app: ZendeskApp,
  state: string,
  subdomain: string | undefined,
): string {
  const u = new URL(`${siteUrl(app.apiBaseTemplate, subdomain)}/oauth/authorizations/new`);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("client_id", app.clientId);
  u.searchParams.set("redirect_uri", app.redirectUri);
  u.searchParams.set("scope", SCOPES);
  u.searchParams.set("state", state);
  return u.toString();
}

async function grant(
  app: ZendeskApp,
  subdomain: string | undefined,
  body: Record<string, string>,
  now: number,
  what: string,
): Promise<Tokens> {
  // https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
  const t = await requestTokens({
    url: `${siteUrl(app.apiBaseTemplate, subdomain)}/oauth/tokens`,
    body: { json: { ...body, client_id: app.clientId, client_secret: app.clientSecret } },
    schema: TokenResponse,
    vendor: "Zendesk",
    what,
  });
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: now + t.expires_in * 1000,
  };
}

export const exchangeCode = (app: ZendeskApp, code: string, now: number, subdomain?: string) =>
  grant(
    app,
    subdomain,
    { grant_type: "authorization_code", code, redirect_uri: app.redirectUri, scope: SCOPES },
    now,
    "code exchange",
  );

export const refreshTokens = (
  app: ZendeskApp,
  refreshToken: string,
  now: number,
  subdomain?: string,
) =>
  grant(
    app,
    subdomain,
    { grant_type: "refresh_token", refresh_token: refreshToken },
    now,
    "token refresh",
  );
