// HubSpot webhook deliveries: the event shape (a JSON array, up to 100 events per request) and what
// each event means for Ebb — a record to look at in the next sync, or a record gone now.
// https://developers.hubspot.com/docs/api-reference/webhooks-webhooks-v3/guide
import { z } from "zod";
import type { ChangeMark, ConnectorWebhooks, RecordBatch } from "../connector.ts";
import { ebbId } from "./map.ts";
import { propertiesFor } from "./pull.ts";
import { DEFAULT_SETTINGS, type HubSpotSettings } from "./settings.ts";

const Id = z.union([z.number(), z.string()]).transform(String);

export const HubSpotWebhookEvent = z.object({
  eventId: Id,
  portalId: Id,
  /** `company.merge` (legacy, per object) or `object.merge` (generic, with `objectTypeId`). */
  subscriptionType: z.string().regex(/^[a-z_]+\.[a-zA-Z_]+$/, "expected object.change"),
  objectId: Id,
  objectTypeId: z.string().optional(),
  occurredAt: z.number().int().nonnegative(),
  attemptNumber: z.number().int().nonnegative().optional(),
  propertyName: z.string().optional(),
  /** Merges: the surviving record, the records merged into it, and a new id when one was made. */
  primaryObjectId: Id.optional(),
  mergedObjectIds: z.array(Id).optional(),
  newObjectId: Id.optional(),
});
export const HubSpotWebhookBody = z.array(HubSpotWebhookEvent).min(1).max(100);
export type HubSpotWebhookEvent = z.infer<typeof HubSpotWebhookEvent>;

/** Generic events name their object by type id (HubSpot's object type ids). */
const OBJECT_TYPE_IDS: Record<string, string> = {
  "0-1": "contact",
  "0-2": "company",
  "0-5": "ticket",
  "0-48": "call",
  "0-49": "email",
  "0-47": "meeting",
  "0-46": "note",
  "0-27": "task",
};

/** The normalized kind of record each HubSpot object becomes, and its id prefix (map.ts). */
const RECORD_KIND: Record<string, RecordBatch["deleted"][number]["kind"]> = {
  company: "accounts",
  contact: "stakeholders",
  ticket: "tickets",
  call: "engagements",
  email: "engagements",
  meeting: "engagements",
  note: "engagements",
  task: "engagements",
};

const LEGACY_OBJECTS = { company: "companies", contact: "contacts", ticket: "tickets" } as const;
const GENERIC_OBJECTS = {
  call: "calls",
  email: "emails",
  meeting: "meetings",
  note: "notes",
  task: "tasks",
} as const;

/**
 * The app's webhooks component (extension/src/app/webhooks/webhooks-hsmeta.json, platform 2025.2):
 * creation, deletion, merge, restore and association changes of companies, contacts and tickets;
 * creation, deletion, restore and association changes of the engagement objects; a change to any
 * property the pull reads; and a contact's privacy deletion. Everything it subscribes to is mapped
 * by `toChangeMark`; a test keeps the committed file equal to this.
 */
export function webhooksComponent(targetUrl: string, s: HubSpotSettings = DEFAULT_SETTINGS) {
  const legacy = Object.entries(LEGACY_OBJECTS).flatMap(([o, type]) => [
    ...["creation", "deletion", "merge", "restore", "associationChange"].map((c) => ({
      subscriptionType: `${o}.${c}`,
      active: true,
    })),
    ...propertiesFor(type, s).map((propertyName) => ({
      subscriptionType: `${o}.propertyChange`,
      propertyName,
      active: true,
    })),
  ]);
  const generic = Object.entries(GENERIC_OBJECTS).flatMap(([o, type]) => [
    ...["creation", "deletion", "restore", "associationChange"].map((c) => ({
      subscriptionType: `object.${c}`,
      objectType: o,
      active: true,
    })),
    ...propertiesFor(type, s).map((propertyName) => ({
      subscriptionType: "object.propertyChange",
      objectType: o,
      propertyName,
      active: true,
    })),
  ]);
  return {
    uid: "ebb_webhooks",
    type: "webhooks",
    config: {
      settings: { targetUrl, maxConcurrentRequests: 10 },
      subscriptions: {
        crmObjects: generic,
        legacyCrmObjects: legacy,
        hubEvents: [{ subscriptionType: "contact.privacyDeletion", active: true }],
      },
    },
  };
}

/**
 * One event as a change mark. Deletions (and a contact's privacy deletion) remove the record at once;
 * a company merge moves the merged companies' records to the surviving one; any other merge removes
 * the merged records (the next sync reads the survivor). Everything else is looked at by the next sync.
 */
export function toChangeMark(e: HubSpotWebhookEvent): ChangeMark {
  const [head = "", change = ""] = e.subscriptionType.split(".");
  const object = head === "object" ? (OBJECT_TYPE_IDS[e.objectTypeId ?? ""] ?? "") : head;
  const kind = RECORD_KIND[object];
  const mark: ChangeMark = {
    eventId: e.eventId,
    vendor: "hubspot",
    objectType: object || head,
    objectId: e.objectId,
    change,
    occurredAt: e.occurredAt,
  };
  if (!kind) return mark;
  const gone = (ids: string[]) => ids.map((id) => ({ kind, id: ebbId(object, id) }));
  if (change === "deletion" || change === "privacyDeletion")
    return { ...mark, deleted: gone([e.objectId]) };
  if (change === "merge") {
    const survivor = e.newObjectId ?? e.primaryObjectId ?? e.objectId;
    const losers = [
      ...(e.mergedObjectIds ?? []),
      ...(e.primaryObjectId ? [e.primaryObjectId] : []),
    ].filter((id) => id !== survivor);
    const merged = { ...mark, objectId: survivor };
    if (kind === "accounts")
      return {
        ...merged,
        merged: losers.map((id) => ({
          from: ebbId("company", id),
          into: ebbId("company", survivor),
          intoExternalId: survivor,
        })),
      };
    return { ...merged, deleted: gone(losers) };
  }
  return mark;
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
