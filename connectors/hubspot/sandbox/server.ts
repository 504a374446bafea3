// A local HTTP emulator of the HubSpot API subset Ebb uses, with HubSpot's paths, payload shapes and
// limits (110 requests per 10 s, search 5 per second, 200 per search page, 10,000 results per
// query), switchable faults, and a log of every call. The official SDK talks to it unchanged; only
// `basePath` differs. This file composes the parts: OAuth, faults, limits, the CRM routes, control.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { control } from "./control.ts";
import { route } from "./crm.ts";
import { applyFaults, type Fault } from "./faults.ts";
import { readBody, replies } from "./http.ts";
import { createRateLimits, type RateLimitOptions } from "./limits.ts";
import { createOAuth, INITIAL_TOKEN, type OAuthOptions } from "./oauth.ts";
import { missingScopeBody, requiredScope } from "./scopes.ts";
import { PortalState } from "./state.ts";

export type { Fault, FaultKind } from "./faults.ts";

/**
 * HubSpot's search index trails writes (VENDORS.md: search is eventually consistent, a record
 * written moments ago can be missing from results); the length is not published, so the sandbox
 * keeps new objects out of search for a couple of seconds by default.
 */
export const SEARCH_LAG_MS = 2000;

export interface SandboxOptions extends RateLimitOptions, OAuthOptions {
  state?: PortalState;
  /** How long a new object stays out of search results (HubSpot's index lags writes). */
  searchLagMs?: number;
  faults?: Fault[];
  now?: () => number;
}

export interface HubSpotSandbox {
  url: string;
  state: PortalState;
  /** A valid access token for tests that skip OAuth. */
  token: string;
  faults: Fault[];
  /** How long a new object stays out of search results. */
  searchLagMs: number;
  /** Calls refused with 429 because a client went over the limits (not injected faults). */
  limitHits: number;
  /** API calls so far (the numbering faults' `atCall` uses). */
  callCount(): number;
  close(): Promise<void>;
}

export async function startHubSpotSandbox(options: SandboxOptions = {}): Promise<HubSpotSandbox> {
  const state = options.state ?? new PortalState();
  const now = options.now ?? Date.now;
  let callNo = 0;
  const reply = replies(() => callNo);
  const oauth = createOAuth(options, now, reply);
  const limits = createRateLimits(options);
  const sandbox: HubSpotSandbox = {
    url: "",
    state,
    token: INITIAL_TOKEN,
    faults: options.faults ?? [],
    searchLagMs: options.searchLagMs ?? SEARCH_LAG_MS,
    limitHits: 0,
    callCount: () => callNo,
    close: async () => {},
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const raw = await readBody(req);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const method = req.method ?? "GET";
    const query = url.search.slice(1);
    const record = (status: number) =>
      state.calls.push({ method, path, ...(query ? { query } : {}), status, at: now() });

    if (oauth.handle(req, res, url, path, raw, record)) return;
    if (path.startsWith("/__sandbox/")) return control(res, path, method, raw, sandbox, reply);

    callNo++;
    // Injected faults first: they model HubSpot misbehaving, whatever the client does.
    const faulted = await applyFaults(sandbox.faults, callNo, path, res, reply, {
      record,
      expireTokens: () => oauth.expireAll(),
    });
    if (faulted) return;

    if (!oauth.authorized(req)) {
      record(401);
      return reply.error(
        res,
        401,
        "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
        { category: "INVALID_AUTHENTICATION" },
      );
    }

    const scope = requiredScope(method, path);
    if (scope && state.withheldScopes.has(scope)) {
      record(403);
      const { message, extra } = missingScopeBody(scope);
      return reply.error(res, 403, message, extra);
    }

    const admitted = limits.admit(path, now());
    if (!admitted.ok) {
      sandbox.limitHits++;
      record(429);
      return reply.error(
        res,
        429,
        "You have reached your secondly limit.",
        { errorType: "RATE_LIMIT", policyName: admitted.policy, category: "RATE_LIMITS" },
        { ...admitted.headers, "retry-after": String(admitted.retryAfterS) },
      );
    }

    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        record(400);
        return reply.error(res, 400, "Invalid input JSON");
      }
    }
    const result = route(state, method, path, url.searchParams, body, now, sandbox.searchLagMs);
    record(result.status);
    reply.send(res, result.status, result.body, admitted.headers);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        reply.error(res, 500, `sandbox failure: ${(e as Error).message}`, {
          category: "INTERNAL_ERROR",
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  sandbox.url = `http://127.0.0.1:${port}`;
  sandbox.close = () =>
    new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  server.keepAliveTimeout = 1000;
  return sandbox;
}
