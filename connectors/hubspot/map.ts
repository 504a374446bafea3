// Pure mapping between HubSpot objects and Ebb's normalized model. Missing stays undefined: an
// absent HubSpot value is "unknown", never an empty string or a zero.

import type {
  Account,
  Engagement,
  HealthSnapshot,
  Milestone,
  Persona,
  Stakeholder,
  Task,
  Ticket,
} from "../../core/model.ts";
import { signalLabel, topReasons } from "../../core/reasons.ts";
import { personaFromTitle } from "../records.ts";
import type { HubSpotObject } from "./schemas.ts";
import type { HubSpotSettings } from "./settings.ts";

/** Ebb's id for a HubSpot object: the vendor and object type keep ids from different portals' objects apart. */
export const ebbId = (type: string, hubspotId: string): string => `hs-${type}-${hubspotId}`;

const ENGAGEMENT_TYPES = ["calls", "emails", "meetings", "notes", "tasks"] as const;
export type EngagementType = (typeof ENGAGEMENT_TYPES)[number];
export { ENGAGEMENT_TYPES };

function prop(o: HubSpotObject, name: string): string | undefined {
  const v = o.properties[name];
  return v === null || v === undefined || v === "" ? undefined : v;
}

/** A HubSpot datetime (ISO or epoch ms) as ISO-8601 UTC. */
function time(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function day(v: string | undefined): string | undefined {
  return time(v)?.slice(0, 10);
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function toAccount(
  o: HubSpotObject,
  s: HubSpotSettings,
  ownerEmails: ReadonlyMap<string, string>,
): Account {
  const owner = prop(o, "hubspot_owner_id");
  const a: Account = {
    id: ebbId("company", o.id),
    name: prop(o, "name") ?? `Company ${o.id}`,
    externalIds: { hubspot: o.id },
  };
  const domain = prop(o, "domain");
  if (domain) a.domain = domain;
  if (owner) {
    a.ownerId = owner;
    const email = ownerEmails.get(owner);
    if (email) a.ownerEmail = email;
  }
  const since = day(prop(o, "hs_lifecyclestage_customer_date"));
  if (since) a.customerSince = since;
  const renewal = day(prop(o, s.renewalProperty));
  if (renewal) a.renewalAt = renewal;
  const arr = num(prop(o, s.arrProperty));
  if (arr !== undefined && arr >= 0) a.arr = arr;
  return a;
}

/** Persona from the configured property, else from the job title. */
export function personaOf(o: HubSpotObject, s: HubSpotSettings): Persona | undefined {
  const explicit = prop(o, s.personaProperty);
  if (
    explicit === "executive" ||
    explicit === "champion" ||
    explicit === "influencer" ||
    explicit === "end_user"
  )
    return explicit;
  const title = prop(o, "jobtitle");
  if (!title) return undefined;
  return personaFromTitle(title);
}

export function toStakeholder(
  o: HubSpotObject,
  companyId: string,
  s: HubSpotSettings,
): Stakeholder {
  const name = [prop(o, "firstname"), prop(o, "lastname")].filter(Boolean).join(" ");
  const leftAt = time(prop(o, s.leftAtProperty));
  const st: Stakeholder = {
    id: ebbId("contact", o.id),
    accountId: ebbId("company", companyId),
    active: !leftAt && !o.archived,
  };
  if (name) st.name = name;
  const email = prop(o, "email");
  if (email) st.email = email;
  const title = prop(o, "jobtitle");
  if (title) st.title = title;
  const persona = personaOf(o, s);
  if (persona) st.persona = persona;
  if (leftAt) st.leftAt = leftAt;
  return st;
}

const PRIORITY: Record<string, Ticket["priority"]> = {
  LOW: "low",
  MEDIUM: "normal",
  HIGH: "high",
  URGENT: "urgent",
};
/** HubSpot's default support pipeline stages. */
const STAGE_STATUS: Record<string, Ticket["status"]> = {
  "1": "new",
  "2": "open",
  "3": "pending",
  "4": "closed",
};

export function toTicket(
  o: HubSpotObject,
  companyId: string,
  contactId: string | undefined,
  s: HubSpotSettings,
): Ticket | undefined {
  const createdAt = time(prop(o, "createdate"));
  if (!createdAt) return undefined;
  const closedAt = time(prop(o, "closed_date"));
  const stage = prop(o, "hs_pipeline_stage");
  const t: Ticket = {
    id: ebbId("ticket", o.id),
    accountId: ebbId("company", companyId),
    createdAt,
    status: (stage ? STAGE_STATUS[stage] : undefined) ?? (closedAt ? "closed" : "open"),
    tags: (prop(o, s.ticketProperties.tags) ?? "").split(";").filter(Boolean),
  };
  if (contactId) t.requesterId = ebbId("contact", contactId);
  if (closedAt) t.solvedAt = closedAt;
  const priority = PRIORITY[prop(o, "hs_ticket_priority") ?? ""];
  if (priority) t.priority = priority;
  const subject = prop(o, "subject");
  if (subject) t.subject = subject;
  const text = prop(o, "content");
  if (text) t.text = text;
  const csat = prop(o, s.ticketProperties.satisfaction);
  if (csat === "good" || csat === "bad") t.satisfaction = csat;
  const reopens = num(prop(o, s.ticketProperties.reopens));
  if (reopens !== undefined && reopens > 0) t.reopens = reopens;
  if (prop(o, s.ticketProperties.escalated) === "true") t.escalated = true;
  const firstReplyMs = num(prop(o, "hs_time_to_first_agent_reply"));
  if (firstReplyMs !== undefined) t.firstReplyMinutes = firstReplyMs / 60_000;
  const closeMs = num(prop(o, "time_to_close"));
  if (closeMs !== undefined) t.resolutionMinutes = closeMs / 60_000;
  return t;
}

/** An engagement (call, email, meeting, note, task), or a milestone when a task is one. */
export function toEngagement(
  type: EngagementType,
  o: HubSpotObject,
  companyId: string,
  contactId: string | undefined,
  s: HubSpotSettings,
): { engagement?: Engagement; milestone?: Milestone } {
  // Ebb's own follow-up tasks are its writes, not the customer's activity.
  if (type === "tasks" && prop(o, DEDUPE_PROPERTY)) return {};
  const at = time(prop(o, "hs_timestamp"));
  if (!at) return {};
  const accountId = ebbId("company", companyId);
  if (type === "tasks") {
    const subject = prop(o, "hs_task_subject") ?? "";
    if (subject.startsWith(s.milestonePrefix)) {
      const m: Milestone = {
        id: ebbId("milestone", o.id),
        accountId,
        name: subject.slice(s.milestonePrefix.length),
        dueAt: at.slice(0, 10),
      };
      const done = day(prop(o, "hs_task_completion_date"));
      if (prop(o, "hs_task_status") === "COMPLETED" && done) m.doneAt = done;
      return { milestone: m };
    }
  }
  // A task's `hs_timestamp` is its due date, a plan rather than something that happened: a task is
  // activity only once completed, at its completion time.
  const happened =
    type === "tasks"
      ? prop(o, "hs_task_status") === "COMPLETED"
        ? time(prop(o, "hs_task_completion_date"))
        : undefined
      : at;
  if (!happened) return {};
  const e: Engagement = {
    id: ebbId(type.slice(0, -1), o.id),
    accountId,
    kind: KIND[type],
    direction: directionOf(type, o),
    at: happened,
  };
  if (contactId) e.stakeholderId = ebbId("contact", contactId);
  const outcome = outcomeOf(type, o, s);
  if (outcome) e.outcome = outcome;
  return { engagement: e };
}

const KIND: Record<EngagementType, Engagement["kind"]> = {
  calls: "call",
  emails: "email",
  meetings: "meeting",
  notes: "note",
  tasks: "task",
};

function directionOf(type: EngagementType, o: HubSpotObject): Engagement["direction"] {
  if (type === "calls") return prop(o, "hs_call_direction") === "INBOUND" ? "inbound" : "outbound";
  if (type === "emails")
    return prop(o, "hs_email_direction") === "INCOMING_EMAIL" ? "inbound" : "outbound";
  if (type === "meetings") return "outbound";
  return "internal";
}

function outcomeOf(
  type: EngagementType,
  o: HubSpotObject,
  s: HubSpotSettings,
): Engagement["outcome"] {
  if (type === "calls") {
    const status = prop(o, "hs_call_status");
    if (status === "COMPLETED") return "completed";
    if (status === "NO_ANSWER" || status === "BUSY" || status === "FAILED") return "unanswered";
  }
  if (type === "meetings") {
    const outcome = prop(o, "hs_meeting_outcome");
    if (outcome === "COMPLETED") return "completed";
    if (outcome === "NO_SHOW") return "no_show";
  }
  // HubSpot does not mark an email as replied; an integration (or Ebb's reply matching) records it here.
  const explicit = prop(o, s.outcomeProperty);
  if (
    explicit === "replied" ||
    explicit === "unanswered" ||
    explicit === "completed" ||
    explicit === "no_show"
  )
    return explicit;
  return undefined;
}

/** Daily usage from a company's property history: one sample per day, the day's last value. */
export function toUsage(
  o: HubSpotObject,
  s: HubSpotSettings,
): { accountId: string; day: string; activeUsers?: number; events?: number }[] {
  const byDay = new Map<
    string,
    { accountId: string; day: string; activeUsers?: number; events?: number }
  >();
  const accountId = ebbId("company", o.id);
  const read = (property: string, field: "activeUsers" | "events") => {
    const history = [...(o.propertiesWithHistory?.[property] ?? [])].sort((a, b) =>
      String(ts(a.timestamp)).localeCompare(String(ts(b.timestamp))),
    );
    for (const h of history) {
      const n = num(h.value ?? undefined);
      const d = ts(h.timestamp).slice(0, 10);
      if (n === undefined || n < 0 || !Number.isInteger(n)) continue;
      const row = byDay.get(d) ?? { accountId, day: d };
      row[field] = n;
      byDay.set(d, row);
    }
  };
  read(s.usageProperties.activeUsers, "activeUsers");
  read(s.usageProperties.events, "events");
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

function ts(t: string | Date): string {
  return t instanceof Date ? t.toISOString() : (time(t) ?? "");
}

/** The Ebb property group and the company properties Ebb writes (created once at install). */
export const EBB_GROUP = "ebb";
export const SCORE_PROPERTIES = {
  score: "ebb_health_score",
  band: "ebb_health_band",
  trend: "ebb_health_trend",
  coverage: "ebb_health_coverage",
  reasons: "ebb_health_reasons",
  scoredAt: "ebb_scored_at",
} as const;
/** Task property carrying Ebb's dedupe key, so a retried push finds the task it already made. */
export const DEDUPE_PROPERTY = "ebb_dedupe_key";

/**
 * A snapshot as company property values: the score with its top reasons, so no number is
 * unexplained. A customer who has churned gets a final state instead of its last band: band
 * `churned`, score, trend and coverage cleared (HubSpot clears a property written as ""), the reason
 * saying so, dated the churn day.
 */
export function scoreProperties(s: HealthSnapshot, churnedAt?: string): Record<string, string> {
  if (churnedAt)
    return {
      [SCORE_PROPERTIES.score]: "",
      [SCORE_PROPERTIES.band]: "churned",
      [SCORE_PROPERTIES.trend]: "",
      [SCORE_PROPERTIES.coverage]: "",
      [SCORE_PROPERTIES.reasons]: `Churned on ${churnedAt}; Ebb no longer scores this customer.`,
      [SCORE_PROPERTIES.scoredAt]: churnedAt,
    };
  const reasons = topReasons(s).map((g) => `${signalLabel(g.key)}: ${g.evidence}`);
  return {
    [SCORE_PROPERTIES.score]: String(s.score),
    [SCORE_PROPERTIES.band]: s.band,
    [SCORE_PROPERTIES.trend]: s.trend,
    [SCORE_PROPERTIES.coverage]: String(s.coverage),
    [SCORE_PROPERTIES.reasons]: reasons.length ? reasons.join("\n") : "No warning signs.",
    [SCORE_PROPERTIES.scoredAt]: s.day,
  };
}

const TASK_PRIORITY: Record<Task["priority"], string> = {
  low: "LOW",
  normal: "MEDIUM",
  high: "HIGH",
  urgent: "HIGH",
};

/** A Task as HubSpot task properties. */
export function taskProperties(t: Task, ownerId: string | undefined): Record<string, string> {
  return {
    hs_task_subject: t.title,
    hs_task_body: t.body,
    hs_task_status: "NOT_STARTED",
    hs_task_priority: TASK_PRIORITY[t.priority],
    hs_timestamp: `${t.dueAt}T09:00:00.000Z`,
    [DEDUPE_PROPERTY]: t.dedupeKey,
    ...(ownerId ? { hubspot_owner_id: ownerId } : {}),
  };
}
