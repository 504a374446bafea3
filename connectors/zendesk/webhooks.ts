// Zendesk webhook deliveries Ebb asks for at setup: organization and user events (Zendesk's event
// subscriptions: one event per delivery, `zen:event-type:…`), and ticket changes through a trigger
// whose webhook body Ebb writes itself. Each becomes a change mark (the record is read again at the
// next sync); a deleted organization or ticket is removed at once.
// https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/
import { z } from "zod";
import type { ChangeMark } from "../connector.ts";
import { orgId, ticketId } from "./map.ts";

/** The event types the organization-and-user webhook subscribes to. */
export const EVENT_SUBSCRIPTIONS = [
  "zen:event-type:organization.created",
  "zen:event-type:organization.deleted",
  "zen:event-type:organization.name_changed",
  "zen:event-type:organization.external_id_changed",
  "zen:event-type:organization.custom_field_changed",
  "zen:event-type:user.created",
  "zen:event-type:user.deleted",
  "zen:event-type:user.active_changed",
  "zen:event-type:user.organization_changed",
  "zen:event-type:user.custom_field_changed",
] as const;

/** What the ticket trigger sends: Ebb's own body, with Zendesk's placeholders filled in. */
export const TICKET_TRIGGER_BODY = JSON.stringify({
  type: "ebb:ticket.changed",
  id: "{{ticket.id}}-{{ticket.updated_at_with_timestamp}}",
  ticket_id: "{{ticket.id}}",
  status: "{{ticket.status}}",
  time: "{{ticket.updated_at_with_timestamp}}",
});

const ZendeskEvent = z.object({
  type: z
    .string()
    .regex(/^zen:event-type:[a-z_]+\.[a-z_]+$/, "expected zen:event-type:object.change"),
  id: z.string().min(1),
  time: z.string(),
  subject: z.string().regex(/^zen:[a-z_]+:\d+$/, "expected zen:object:id"),
  account_id: z.number().int().optional(),
});

const TicketTriggerEvent = z.object({
  type: z.literal("ebb:ticket.changed"),
  id: z.string().min(1),
  ticket_id: z.string().regex(/^\d+$/, "expected a ticket id"),
  status: z.string().optional(),
  time: z.string(),
});

/** One delivery's change marks, or what is wrong with it. */
export function parseZendeskWebhook(
  body: unknown,
): { ok: true; marks: ChangeMark[] } | { ok: false; message: string } {
  const ticket = TicketTriggerEvent.safeParse(body);
  if (ticket.success) {
    const t = ticket.data;
    const at = Date.parse(t.time);
    const mark: ChangeMark = {
      eventId: t.id,
      vendor: "zendesk",
      objectType: "ticket",
      objectId: t.ticket_id,
      change: t.status === "deleted" ? "deleted" : "changed",
      occurredAt: Number.isFinite(at) ? at : 0,
    };
    if (t.status === "deleted")
      mark.deleted = [{ kind: "tickets", id: ticketId(Number(t.ticket_id)) }];
    return { ok: true, marks: [mark] };
  }
  const e = ZendeskEvent.safeParse(body);
  if (!e.success) {
    const issue = e.error.issues[0];
    return {
      ok: false,
      message: `not a Zendesk event: ${issue?.path.join(".") || "body"}: ${issue?.message}`,
    };
  }
  const [, object, id] = e.data.subject.split(":") as [string, string, string];
  const change = e.data.type.slice(e.data.type.lastIndexOf(".") + 1);
  const at = Date.parse(e.data.time);
  const mark: ChangeMark = {
    eventId: e.data.id,
    vendor: "zendesk",
    objectType: object,
    objectId: id,
    change,
    occurredAt: Number.isFinite(at) ? at : 0,
  };
  if (object === "organization" && change === "deleted")
    mark.deleted = [{ kind: "accounts", id: orgId(Number(id)) }];
  return { ok: true, marks: [mark] };
}
