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
    // Token metadata: which portal and user an access token belongs to.
    const info = /^\/oauth\/v1\/access-tokens\/([^/]+)$/.exec(path);
    if (info && method === "GET") {
      const expiry = tokens.get(decodeURIComponent(info[1] ?? ""));
      record(expiry === undefined ? 404 : 200);
      if (expiry === undefined) reply.error(res, 404, "token not found");
      else
        reply.send(res, 200, {
          token: info[1],
          user: options.user ?? "admin@sandbox.example",
          hub_domain: "sandbox.example",
          scopes: ["oauth"],
          hub_id: options.portalId ?? 4_000_001,
          app_id: 1_000_001,
          expires_in: Math.max(0, Math.round((Math.min(expiry, now() + ttl) - now()) / 1000)),
          user_id: 9_001,
          token_type: "access",
        });
      return true;
    }
    if (path === "/oauth/v1/token" && method === "POST") {
      const form = new URLSearchParams(raw);
      const okClient =
        form.get("client_id") === (options.clientId ?? "sandbox-client") &&
        form.get("client_secret") === (options.clientSecret ?? "sandbox-secret");
      const grant = form.get("grant_type");
      const valid =
        okClient &&
        ((grant === "authorization_code" && form.get("code") === "sandbox-code") ||
          (grant === "refresh_token" && refreshTokens.has(form.get("refresh_token") ?? "")));
      record(valid ? 200 : 400);
      if (!valid) {
        reply.send(res, 400, {
          status: "BAD_REFRESH_TOKEN",
          message: "missing or unknown refresh token",
        });
        return true;
      }
      const token = `sandbox-token-${++issued}`;
      tokens.set(token, now() + ttl);
      reply.send(res, 200, {
        token_type: "bearer",
        access_token: token,
        refresh_token: "sandbox-refresh-token",
        expires_in: Math.round(ttl / 1000),
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
