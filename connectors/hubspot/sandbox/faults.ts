// Switchable faults: HubSpot misbehaving on chosen calls, whatever the client does.
import type { ServerResponse } from "node:http";
import type { Reply } from "./http.ts";

export type FaultKind = "rate_limit" | "server_error" | "malformed" | "slow" | "expire_token";

export interface Fault {
  kind: FaultKind;
  /** 1-based number of the first API call it hits. */
  atCall: number;
  /** How many consecutive calls it hits (default 1). */
  count?: number;
  /** For `slow`: delay in ms. */
  delayMs?: number;
  /** Only calls whose path contains this. */
  pathIncludes?: string;
}

/**
 * Apply the faults that hit API call `callNo` on `path`: answer for HubSpot (true when answered), or
 * only act (a delay, tokens expired) and let the call go on.
 */
export async function applyFaults(
  faults: readonly Fault[],
  callNo: number,
  path: string,
  res: ServerResponse,
  reply: Reply,
  hooks: { record(status: number): void; expireTokens(): void },
): Promise<boolean> {
  for (const f of faults) {
    const hit =
      callNo >= f.atCall &&
      callNo < f.atCall + (f.count ?? 1) &&
      (!f.pathIncludes || path.includes(f.pathIncludes));
    if (!hit) continue;
    if (f.kind === "slow") await new Promise((r) => setTimeout(r, f.delayMs ?? 1000));
    if (f.kind === "rate_limit") {
      hooks.record(429);
      reply.error(
        res,
        429,
        "You have reached your ten_secondly_rolling limit.",
        { errorType: "RATE_LIMIT", policyName: "TEN_SECONDLY_ROLLING", category: "RATE_LIMITS" },
        { "retry-after": "1" },
      );
      return true;
    }
    if (f.kind === "server_error") {
      hooks.record(502);
      reply.error(res, 502, "Bad gateway", { category: "INTERNAL_ERROR" });
      return true;
    }
    if (f.kind === "malformed") {
      hooks.record(200);
      reply.send(res, 200, '{"results": [{"id": "1", "properties": ');
      return true;
    }
    if (f.kind === "expire_token") hooks.expireTokens();
  }
  return false;
}
