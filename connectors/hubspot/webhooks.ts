// HubSpot webhook deliveries: the event shape (a JSON array, up to 100 events per request) and what
// each event means for Ebb — a record to look at in the next sync, or a record gone now.
// https://developers.hubspot.com/docs/api-reference/webhooks-webhooks-v3/guide
import { z } from "zod";
import type { ChangeMark, ConnectorWebhooks, RecordBatch } from "../connector.ts";
import { ebbId } from "./map.ts";

export const HubSpotWebhookEvent = z.object({
  eventId: z.union([z.number(), z.string()]).transform(String),
  portalId: z.union([z.number(), z.string()]).transform(String),
  subscriptionType: z.string().regex(/^[a-z_]+\.[a-zA-Z_]+$/, "expected object.change"),
  objectId: z.union([z.number(), z.string()]).transform(String),
  occurredAt: z.number().int().nonnegative(),
  attemptNumber: z.number().int().nonnegative().optional(),
  propertyName: z.string().optional(),
});
export const HubSpotWebhookBody = z.array(HubSpotWebhookEvent).min(1).max(100);
export type HubSpotWebhookEvent = z.infer<typeof HubSpotWebhookEvent>;

const DELETED_KIND: Record<string, { kind: RecordBatch["deleted"][number]["kind"]; type: string }> =
  {
    company: { kind: "accounts", type: "company" },
    contact: { kind: "stakeholders", type: "contact" },
    ticket: { kind: "tickets", type: "ticket" },
  };

/** One event as a change mark; deletions name the normalized record to remove. */
export function toChangeMark(e: HubSpotWebhookEvent): ChangeMark {
  const [object = "", change = ""] = e.subscriptionType.split(".");
  const gone = change === "deletion" ? DELETED_KIND[object] : undefined;
  return {
    eventId: e.eventId,
    vendor: "hubspot",
    objectType: object,
    objectId: e.objectId,
    change,
    occurredAt: e.occurredAt,
    ...(gone ? { deleted: { kind: gone.kind, id: ebbId(gone.type, e.objectId) } } : {}),
  };
}

/** A delivery's events as change marks, grouped by the portal (the install) each names. */
export const parseHubSpotWebhooks: ConnectorWebhooks["parse"] = (body) => {
  const events = HubSpotWebhookBody.safeParse(body);
  if (!events.success)
    return {
      ok: false,
      message: events.error.issues
        .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
        .join("; "),
    };
  const byPortal = new Map<string, ChangeMark[]>();
  for (const e of events.data) {
    const list = byPortal.get(e.portalId) ?? [];
    list.push(toChangeMark(e));
    byPortal.set(e.portalId, list);
  }
  return {
    ok: true,
    installs: [...byPortal].map(([externalId, marks]) => ({ externalId, marks })),
  };
};
