// HubSpot's rate limits as the sandbox enforces them, over sliding windows of arrivals: a burst per
// 10 seconds for every call, and a per-second limit for searches. The headers HubSpot sends with them.

export interface RateLimitOptions {
  /** Requests per 10 s window (HubSpot: 110). */
  burstPer10s?: number;
  /** Search requests per second (HubSpot: 5). */
  searchPerSecond?: number;
}

export type Admission =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string>; policy: string; retryAfterS: number };

export function createRateLimits(options: RateLimitOptions) {
  const burst = options.burstPer10s ?? 110;
  const searchRate = options.searchPerSecond ?? 5;
  const window: number[] = [];
  const searchWindow: number[] = [];
  return {
    /** Admit a call on `path` at time `t`, or say how long to wait. */
    admit(path: string, t: number): Admission {
      while (window.length && (window[0] ?? 0) <= t - 10_000) window.shift();
      const isSearch = path.endsWith("/search");
      while (searchWindow.length && (searchWindow[0] ?? 0) <= t - 1000) searchWindow.shift();
      const headers = {
        "x-hubspot-ratelimit-max": String(burst),
        "x-hubspot-ratelimit-remaining": String(Math.max(0, burst - window.length - 1)),
        "x-hubspot-ratelimit-interval-milliseconds": "10000",
      };
      const searchFull = isSearch && searchWindow.length >= searchRate;
      if (window.length >= burst || searchFull) {
        const wait = searchFull ? (searchWindow[0] ?? t) + 1000 - t : (window[0] ?? t) + 10_000 - t;
        return {
          ok: false,
          headers,
          policy: isSearch ? "SECONDLY" : "TEN_SECONDLY_ROLLING",
          retryAfterS: Math.max(1, Math.ceil(wait / 1000)),
        };
      }
      window.push(t);
      if (isSearch) searchWindow.push(t);
      return { ok: true, headers };
    },
  };
}
