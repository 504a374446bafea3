// HubSpot's rate limits as the sandbox enforces them, over sliding windows of arrivals: a burst per
// 10 seconds for every call except those the spec exempts from it (CRM search and v4 association
// batches, `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`), a per-second limit for searches,
// and a 10-second window of their own for association batches. The headers HubSpot sends with them.

export interface RateLimitOptions {
  /** Requests per 10 s window (HubSpot: 110). */
  burstPer10s?: number;
  /** Search requests per second (HubSpot: 5). */
  searchPerSecond?: number;
  /** v4 association batch requests per 10 s (not published; the sandbox uses the burst limit). */
  associationsPer10s?: number;
}

export type Admission =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string>; policy: string; retryAfterS: number };

export function createRateLimits(options: RateLimitOptions) {
  const burst = options.burstPer10s ?? 110;
  const searchRate = options.searchPerSecond ?? 5;
  const associationRate = options.associationsPer10s ?? burst;
  const window: number[] = [];
  const searchWindow: number[] = [];
  const associationWindow: number[] = [];
  const trim = (w: number[], t: number, ms: number) => {
    while (w.length && (w[0] ?? 0) <= t - ms) w.shift();
  };
  return {
    /** Admit a call on `path` at time `t`, or say how long to wait. */
    admit(path: string, t: number): Admission {
      trim(window, t, 10_000);
      trim(searchWindow, t, 1000);
      trim(associationWindow, t, 10_000);
      const isSearch = path.endsWith("/search");
      const isAssociations = /^\/crm\/v4\/associations\/[^/]+\/[^/]+\/batch\//.test(path);
      const [own, max, ms, policy] = isSearch
        ? [searchWindow, searchRate, 1000, "SECONDLY"]
        : isAssociations
          ? [associationWindow, associationRate, 10_000, "TEN_SECONDLY_ROLLING"]
          : [window, burst, 10_000, "TEN_SECONDLY_ROLLING"];
      const headers = {
        "x-hubspot-ratelimit-max": String(max),
        "x-hubspot-ratelimit-remaining": String(Math.max(0, max - own.length - 1)),
        "x-hubspot-ratelimit-interval-milliseconds": String(ms),
      };
      if (own.length >= max) {
        const wait = (own[0] ?? t) + ms - t;
        return { ok: false, headers, policy, retryAfterS: Math.max(1, Math.ceil(wait / 1000)) };
      }
      own.push(t);
      return { ok: true, headers };
    },
  };
}
