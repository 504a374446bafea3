// HubSpot's OAuth as the sandbox plays it: the consent screen (its admin always approves), the token
// endpoint (authorization code and refresh grants), token metadata, and the bearer check every API
// call passes.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reply } from "./http.ts";

export interface OAuthOptions {
  /** Access tokens issued by the token endpoint live this long (HubSpot: 30 minutes). */
  tokenTtlMs?: number;
  clientId?: string;
  clientSecret?: string;
  /** What the token-info endpoint reports (HubSpot's hub_id and installing user). */
  portalId?: number;
  user?: string;
}

/** The token every sandbox accepts from the start, for tests that skip OAuth. */
export const INITIAL_TOKEN = "sandbox-token-0";

export function createOAuth(options: OAuthOptions, now: () => number, reply: Reply) {
  const ttl = options.tokenTtlMs ?? 30 * 60_000;
  const tokens = new Map<string, number>([[INITIAL_TOKEN, Number.POSITIVE_INFINITY]]);
  const refreshTokens = new Set<string>(["sandbox-refresh-token"]);
  let issued = 0;

  /** Answer an OAuth route; false when `path` is not one. */
  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    path: string,
    raw: string,
    record: (status: number) => void,
  ): boolean {
    const method = req.method ?? "GET";
    // The consent screen: HubSpot sends the browser back to the app with a code and its state.
    if (path === "/oauth/authorize" && method === "GET") {
      const back = url.searchParams.get("redirect_uri");
      record(back ? 302 : 400);
      if (!back) {
        reply.error(res, 400, "missing redirect_uri");
        return true;
      }
      const to = new URL(back);
      to.searchParams.set("code", "sandbox-code");
      to.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: to.toString() });
      res.end();
      return true;
    }
    // HubSpot's date-versioned OAuth (PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json):
    // token and introspect take form bodies with the client's credentials; errors are the
    // standardized error body (category, correlationId, message). The v1 endpoints are deprecated
    // (unsupported from 2027-02-16) and not served here.
    if (path.startsWith("/oauth/v1/")) {
      record(404);
      reply.error(res, 404, "OAuth v1 endpoints are deprecated; use /oauth/2026-03/token", {
        category: "OBJECT_NOT_FOUND",
      });
      return true;
    }
    if (!path.startsWith("/oauth/")) return false;
    const form = new URLSearchParams(raw);
    const okClient =
      form.get("client_id") === (options.clientId ?? "sandbox-client") &&
      form.get("client_secret") === (options.clientSecret ?? "sandbox-secret");
    const refuse = (status: number, category: string, message: string) => {
      record(status);
      reply.error(res, status, message, { category });
      return true;
    };
    // Token metadata: which portal and user an access token belongs to.
    if (path === "/oauth/2026-03/token/introspect" && method === "POST") {
      if (!okClient) return refuse(400, "BAD_CLIENT_ID", "unknown client_id or client_secret");
      const token = form.get("token") ?? "";
      const expiry = tokens.get(token);
      if (expiry === undefined) return refuse(404, "OBJECT_NOT_FOUND", "token not found");
      record(200);
      reply.send(res, 200, {
        active: expiry > now(),
        token,
        token_type: "Bearer",
        token_use: "access_token",
        user: options.user ?? "admin@sandbox.example",
        user_id: 9_001,
        hub_domain: "sandbox.example",
        hub_id: options.portalId ?? 4_000_001,
        app_id: 1_000_001,
        client_id: options.clientId ?? "sandbox-client",
        is_private_distribution: false,
        scopes: ["oauth"],
        signed_access_token: {},
        expires_in: Math.max(0, Math.round((Math.min(expiry, now() + ttl) - now()) / 1000)),
      });
      return true;
    }
    if (path === "/oauth/2026-03/token" && method === "POST") {
      if (!okClient) return refuse(400, "BAD_CLIENT_ID", "unknown client_id or client_secret");
      const grant = form.get("grant_type");
      if (grant === "authorization_code" && form.get("code") !== "sandbox-code")
        return refuse(400, "BAD_AUTH_CODE", "missing or unknown auth code");
      if (grant === "refresh_token" && !refreshTokens.has(form.get("refresh_token") ?? ""))
        return refuse(400, "BAD_REFRESH_TOKEN", "missing or unknown refresh token");
      if (grant !== "authorization_code" && grant !== "refresh_token")
        return refuse(400, "BAD_GRANT_TYPE", `unsupported grant_type ${grant ?? "(none)"}`);
      const token = `sandbox-token-${++issued}`;
      tokens.set(token, now() + ttl);
      record(200);
      reply.send(res, 200, {
        token_type: "bearer",
        token_use: "access_token",
        access_token: token,
        refresh_token: "sandbox-refresh-token",
        expires_in: Math.round(ttl / 1000),
        hub_id: options.portalId ?? 4_000_001,
        user_id: 9_001,
        scopes: ["oauth"],
      });
      return true;
    }
    return false;
  }

  return {
    handle,
    /** Whether a request's bearer token is one the sandbox issued and has not expired. */
    authorized(req: IncomingMessage): boolean {
      const token = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
      const expiry = tokens.get(token);
      return expiry !== undefined && expiry > now();
    },
    expireAll(): void {
      for (const t of tokens.keys()) tokens.set(t, 0);
    },
  };
}
