// Installing Ebb in a Zendesk account: the authorization code grant of a global OAuth client
// (identifier `zdg-…`) at the account's own address, `https://{subdomain}.zendesk.com`, with PKCE-free
// confidential exchange and refresh tokens. Every refresh rotates: Zendesk deletes the previous
// access and refresh tokens, so refreshes of one connection must never race (the connection gate
// runs them single-flight). node-zendesk has no call for the OAuth grant itself (only for managing
// tokens under /api/v2), so the two token requests are plain fetches to Zendesk's documented endpoint.

import { ConnectorError, codeForStatus } from "../errors.ts";
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
  let res: Response;
  try {
    // https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
    res = await fetch(`${siteUrl(app.apiBaseTemplate, subdomain)}/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        ...body,
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }),
    });
  } catch (e) {
    throw new ConnectorError("unavailable", `${what}: ${(e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let said = "";
    try {
      const b = JSON.parse(text) as { error?: string; error_description?: string };
      said = [b.error, b.error_description].filter(Boolean).join(": ");
    } catch {}
    // An invalid or reused grant is `invalid_grant` (400): the install's tokens are gone.
    const code = res.status === 400 || res.status === 401 ? "auth" : codeForStatus(res.status);
    throw new ConnectorError(
      code,
      `${what}: Zendesk answered ${res.status}${said ? ` (${said})` : ""}`,
      {
        status: res.status,
      },
    );
  }
  let parsed: ReturnType<typeof TokenResponse.safeParse>;
  try {
    parsed = TokenResponse.safeParse(JSON.parse(text));
  } catch {
    throw new ConnectorError("invalid_response", `${what}: Zendesk sent a body that is not JSON`);
  }
  if (!parsed.success)
    throw new ConnectorError(
      "invalid_response",
      `${what}: Zendesk's token answer lacks ${parsed.error.issues[0]?.path.join(".")}`,
    );
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresAt: now + parsed.data.expires_in * 1000,
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
