// Segment's HTTP Tracking API as Ebb receives it: the calls it reads (track, identify, group, and
// batches of them), their documented size limits (32 KB a call, 500 KB a batch), and what each
// becomes for daily usage. Segment's own rules: every call needs a userId or an anonymousId, a
// track needs its `event`, and `messageId` is what a retry is recognised by.
// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
import { z } from "zod";

export const MAX_CALL_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

/** The call types Ebb reads; page, screen and alias are accepted and not counted (see `readCall`). */
export type CallType = "track" | "identify" | "group";

/** One call, reduced to what daily usage needs. */
export type UsageCall =
  | {
      type: "track";
      messageId: string;
      /** `userId`, or `anon:` and the anonymousId: one person either way. */
      user: string;
      /** UTC day of the event's own time: a late event lands on its day, not on arrival's. */
      day: string;
      event: string;
      feature?: string;
      /** The group named on the call itself (`context.groupId`), ahead of the user's group. */
      groupId?: string;
    }
  | { type: "identify"; messageId: string; user: string; groupId?: string }
  | {
      type: "group";
      messageId: string;
      user: string;
      groupId: string;
      /** A domain the group's traits name (`domain`, or the host of `website`). */
      domain?: string;
    };

/** Why one call was refused, as Segment would say it, with where it was. */
export interface RefusedCall {
  index: number;
  messageId?: string;
  code: "payload_too_large" | "missing_identifier" | "missing_event" | "invalid_call";
  message: string;
}

const Str = z.string().trim().min(1).max(500);
const Time = z.union([z.string(), z.number()]).optional();
const Call = z.looseObject({
  type: z.string().optional(),
  messageId: z.string().max(500).optional(),
  userId: z.union([z.string(), z.number()]).optional().nullable(),
  anonymousId: z.union([z.string(), z.number()]).optional().nullable(),
  event: z.string().optional().nullable(),
  groupId: z.union([z.string(), z.number()]).optional().nullable(),
  timestamp: Time,
  originalTimestamp: Time,
  properties: z.looseObject({}).optional().nullable(),
  traits: z.looseObject({}).optional().nullable(),
  context: z.looseObject({}).optional().nullable(),
});

/** Bytes of a call as JSON (what the limits count). */
export function sizeOf(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

const idOf = (v: unknown): string | undefined => {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  return t && t.length <= 500 ? t : undefined;
};

function dayOf(value: unknown, receivedAt: number): string | null {
  if (value === undefined || value === null || value === "") return null;
  const ms = typeof value === "number" ? value : Date.parse(String(value));
  if (!Number.isFinite(ms)) return null;
  // A clock far in the future is the sender's, not the event's: it lands on the day received.
  return new Date(Math.min(ms, receivedAt + 86_400_000)).toISOString().slice(0, 10);
}

function domainOf(traits: Record<string, unknown> | null | undefined): string | undefined {
  const d = traits?.domain ?? traits?.website;
  if (typeof d !== "string" || !d.trim()) return undefined;
  try {
    const host = new URL(d.includes("://") ? d : `https://${d}`).hostname;
    return host.replace(/^www\./, "").toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Read one call (`type` as the endpoint says it when the call does not): what it means for usage,
 * `null` for a call type Ebb does not count (page, screen, alias: accepted, nothing stored), or why
 * it is refused. `fallbackId` stands in for a missing messageId (the call's position in a
 * request), as Segment's libraries always set one.
 */
export function readCall(
  raw: unknown,
  endpointType: CallType | undefined,
  index: number,
  receivedAt: number,
  fallbackId: () => string,
): UsageCall | RefusedCall | null {
  if (sizeOf(raw) > MAX_CALL_BYTES)
    return {
      index,
      ...(typeof (raw as { messageId?: unknown })?.messageId === "string"
        ? { messageId: (raw as { messageId: string }).messageId }
        : {}),
      code: "payload_too_large",
      message: `call ${index} is larger than Segment's limit of 32 KB a call`,
    };
  const parsed = Call.safeParse(raw);
  if (!parsed.success)
    return {
      index,
      code: "invalid_call",
      message: `call ${index}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "call"}: ${i.message}`).join("; ")}`,
    };
  const c = parsed.data;
  const messageId = idOf(c.messageId) ?? fallbackId();
  const type = (c.type ?? endpointType)?.toLowerCase();
  const userId = idOf(c.userId);
  const anonymousId = idOf(c.anonymousId);
  const refused = (code: RefusedCall["code"], message: string): RefusedCall => ({
    index,
    messageId,
    code,
    message,
  });
  if (!userId && !anonymousId)
    return refused("missing_identifier", `call ${index} has neither a userId nor an anonymousId`);
  const user = userId ?? `anon:${anonymousId}`;
  const contextGroup = idOf(c.context?.groupId);
  switch (type) {
    case "track": {
      const event = typeof c.event === "string" ? c.event.trim() : "";
      if (!event) return refused("missing_event", `track call ${index} has no event name`);
      const day =
        dayOf(c.timestamp ?? c.originalTimestamp, receivedAt) ?? dayOf(receivedAt, receivedAt);
      const feature = Str.safeParse(c.properties?.feature);
      return {
        type: "track",
        messageId,
        user,
        day: day as string,
        event,
        ...(feature.success ? { feature: feature.data } : {}),
        ...(contextGroup ? { groupId: contextGroup } : {}),
      };
    }
    case "identify": {
      const company = c.traits?.company as { id?: unknown } | undefined;
      const groupId = contextGroup ?? idOf(c.traits?.groupId) ?? idOf(company?.id);
      return { type: "identify", messageId, user, ...(groupId ? { groupId } : {}) };
    }
    case "group": {
      const groupId = idOf(c.groupId);
      if (!groupId) return refused("invalid_call", `group call ${index} has no groupId`);
      const domain = domainOf(c.traits);
      return { type: "group", messageId, user, groupId, ...(domain ? { domain } : {}) };
    }
    case "page":
    case "screen":
    case "alias":
      return null;
    default:
      return refused("invalid_call", `call ${index} has an unknown type "${String(type)}"`);
  }
}

export function isRefused(x: UsageCall | RefusedCall | null): x is RefusedCall {
  return x !== null && "code" in x;
}
