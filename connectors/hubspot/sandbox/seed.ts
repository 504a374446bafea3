// Seeds a sandbox portal from an interchange portfolio: the model written the way HubSpot holds it
// (companies with usage as property history, contacts, tickets, engagements, milestone tasks).
import type { Portfolio } from "../../../core/model.ts";
import { DEFAULT_SETTINGS, type HubSpotSettings } from "../settings.ts";
import { appendHistory, type ObjectType, PortalState, type StoredObject } from "./state.ts";

const PRIORITY = { low: "LOW", normal: "MEDIUM", high: "HIGH", urgent: "URGENT" } as const;
const STAGE = { new: "1", open: "2", pending: "3", solved: "4", closed: "4" } as const;

export interface Seeded {
  state: PortalState;
  /** Interchange id → HubSpot id, per record kind (for comparing results across the round trip). */
  ids: Map<string, string>;
}

/** `modifiedAt`: when every seeded object was last modified (default: now). */
export function seedPortal(
  p: Portfolio,
  s: HubSpotSettings = DEFAULT_SETTINGS,
  modifiedAt = new Date(),
  state = new PortalState(),
): Seeded {
  const ids = new Map<string, string>();
  const stamp = modifiedAt.toISOString();
  const make = (
    type: ObjectType,
    sourceId: string,
    props: Record<string, string | undefined>,
    createdAt = stamp,
  ): StoredObject => {
    const id = state.newId();
    ids.set(`${type}:${sourceId}`, id);
    const properties: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(props)) if (v !== undefined) properties[k] = v;
    properties.hs_object_id = id;
    properties.hs_lastmodifieddate = stamp;
    properties.createdate ??= createdAt;
    if (type === "contacts") properties.lastmodifieddate = stamp;
    const o: StoredObject = {
      id,
      properties,
      history: {},
      createdAt,
      updatedAt: stamp,
      archived: false,
    };
    state.put(type, o);
    return o;
  };

  const owners = new Map<string, string>();
  for (const a of p.accounts) {
    if (a.ownerId && !owners.has(a.ownerId)) {
      const id = String(70_000 + owners.size + 1);
      owners.set(a.ownerId, id);
      state.owners.set(id, { id, email: a.ownerEmail ?? `${a.ownerId}@example.com` });
    }
  }
  const churnAt = new Map(
    p.outcomes.filter((o) => o.kind === "churned").map((o) => [o.accountId, o.at]),
  );
  for (const a of p.accounts) {
    const c = make("companies", a.id, {
      name: a.name,
      domain: a.domain,
      hubspot_owner_id: a.ownerId ? owners.get(a.ownerId) : undefined,
      hs_lifecyclestage_customer_date: a.customerSince
        ? `${a.customerSince}T00:00:00.000Z`
        : undefined,
      lifecyclestage: "customer",
      [s.renewalProperty]: a.renewalAt,
      [s.arrProperty]: a.arr === undefined ? undefined : String(a.arr),
      [s.churnProperty]: churnAt.get(a.id),
    });
    c.history = {};
  }
  const companyOf = (accountId: string) => ids.get(`companies:${accountId}`);
  // Usage: one history entry per day per property, at midnight UTC.
  for (const u of p.usage) {
    const id = companyOf(u.accountId);
    const c = id ? state.objects.companies.get(id) : undefined;
    if (!c) continue;
    const at = `${u.day}T00:00:00.000Z`;
    if (u.activeUsers !== undefined)
      appendHistory(c, s.usageProperties.activeUsers, String(u.activeUsers), at);
    if (u.events !== undefined) appendHistory(c, s.usageProperties.events, String(u.events), at);
  }
  for (const c of state.objects.companies.values()) {
    for (const [k, h] of Object.entries(c.history)) {
      h.sort((x, y) => (x.timestamp < y.timestamp ? -1 : 1));
      const last = h[h.length - 1];
      if (last) c.properties[k] = last.value;
    }
  }
  for (const st of p.stakeholders) {
    const [first, ...rest] = (st.name ?? "").split(" ");
    const o = make("contacts", st.id, {
      firstname: first || undefined,
      lastname: rest.join(" ") || undefined,
      email: st.email,
      jobtitle: st.title,
      [s.personaProperty]: st.persona,
      [s.leftAtProperty]: st.leftAt,
    });
    const company = companyOf(st.accountId);
    if (company) state.associatePrimary("contacts", o.id, company);
  }
  const contactOf = (id: string | undefined) => (id ? ids.get(`contacts:${id}`) : undefined);
  for (const t of p.tickets) {
    const o = make(
      "tickets",
      t.id,
      {
        subject: t.subject,
        content: t.text,
        createdate: t.createdAt,
        closed_date: t.solvedAt,
        hs_pipeline: "0",
        hs_pipeline_stage: STAGE[t.status],
        hs_ticket_priority: t.priority ? PRIORITY[t.priority] : undefined,
        [s.ticketProperties.tags]: t.tags.join(";"),
        [s.ticketProperties.satisfaction]: t.satisfaction,
        [s.ticketProperties.reopens]: t.reopens === undefined ? undefined : String(t.reopens),
        [s.ticketProperties.escalated]: t.escalated ? "true" : undefined,
        hs_time_to_first_agent_reply:
          t.firstReplyMinutes === undefined ? undefined : String(t.firstReplyMinutes * 60_000),
        time_to_close:
          t.resolutionMinutes === undefined ? undefined : String(t.resolutionMinutes * 60_000),
      },
      t.createdAt,
    );
    const company = companyOf(t.accountId);
    if (company) state.associatePrimary("tickets", o.id, company);
    const contact = contactOf(t.requesterId);
    if (contact) state.associate("tickets", o.id, "contacts", contact);
  }
  for (const e of p.engagements) {
    const type: ObjectType =
      e.kind === "call"
        ? "calls"
        : e.kind === "email"
          ? "emails"
          : e.kind === "meeting"
            ? "meetings"
            : e.kind === "note"
              ? "notes"
              : "tasks";
    const props: Record<string, string | undefined> = { hs_timestamp: e.at };
    if (type === "calls") {
      props.hs_call_direction = e.direction === "inbound" ? "INBOUND" : "OUTBOUND";
      props.hs_call_status =
        e.outcome === "completed"
          ? "COMPLETED"
          : e.outcome === "unanswered"
            ? "NO_ANSWER"
            : undefined;
    } else if (type === "emails") {
      props.hs_email_direction = e.direction === "inbound" ? "INCOMING_EMAIL" : "EMAIL";
      if (e.outcome) props[s.outcomeProperty] = e.outcome;
    } else if (type === "meetings") {
      props.hs_meeting_outcome =
        e.outcome === "completed" ? "COMPLETED" : e.outcome === "no_show" ? "NO_SHOW" : undefined;
    } else if (type === "tasks") {
      // A task engagement is work done at `at`: a completed task, completed then.
      props.hs_task_subject = "Follow up";
      props.hs_task_status = "COMPLETED";
      props.hs_task_completion_date = e.at;
    }
    const o = make(type, e.id, props, e.at);
    const company = companyOf(e.accountId);
    if (company) state.associate(type, o.id, "companies", company);
    const contact = contactOf(e.stakeholderId);
    if (contact) state.associate(type, o.id, "contacts", contact);
  }
  for (const m of p.milestones) {
    const o = make("tasks", m.id, {
      hs_task_subject: `${s.milestonePrefix}${m.name}`,
      hs_timestamp: `${m.dueAt}T00:00:00.000Z`,
      hs_task_status: m.doneAt ? "COMPLETED" : "NOT_STARTED",
      hs_task_completion_date: m.doneAt ? `${m.doneAt}T00:00:00.000Z` : undefined,
    });
    const company = companyOf(m.accountId);
    if (company) state.associate("tasks", o.id, "companies", company);
  }
  return { state, ids };
}
