// Zendesk records to Ebb's model: organizations → accounts, end-users → stakeholders, tickets with
// their metric sets → tickets; and Ebb's health into organization fields.
import type {
  Account,
  HealthSnapshot,
  Persona,
  Priority,
  Stakeholder,
  Ticket,
} from "../../core/model.ts";
import { Persona as PersonaSchema } from "../../core/model.ts";
import { topReasons } from "../../core/reasons.ts";
import type {
  ZendeskMetricSet,
  ZendeskOrganization,
  ZendeskTicket,
  ZendeskUser,
} from "./schemas.ts";
import type { ZendeskSettings } from "./settings.ts";

export const orgId = (id: number) => `zd-org-${id}`;
export const userId = (id: number) => `zd-user-${id}`;
export const ticketId = (id: number) => `zd-ticket-${id}`;
/** The account of requesters without an organization, named by their email domain. */
export const domainAccountId = (domain: string) => `zd-domain-${domain}`;

/** Mailbox providers: a requester on one of these names no company. */
const FREE_MAIL = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "yahoo.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "gmx.de",
  "web.de",
  "mail.com",
  "yandex.com",
]);

export const emailDomain = (email: string | null | undefined): string | undefined => {
  const d = email?.split("@")[1]?.trim().toLowerCase();
  return d && !FREE_MAIL.has(d) ? d : undefined;
};

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined;
const day = (v: unknown): string | undefined => {
  const t = text(v);
  return t && /^\d{4}-\d{2}-\d{2}/.test(t) ? t.slice(0, 10) : undefined;
};

/** Zendesk times are ISO with seconds and a Z; the model keeps them as they come. */
const time = (t: string) => new Date(t).toISOString().replace(".000Z", "Z");

export function toAccount(o: ZendeskOrganization, s: ZendeskSettings): Account {
  const f = o.organization_fields ?? {};
  const domains = (o.domain_names ?? []).map((d) => d.trim().toLowerCase()).filter(Boolean);
  const owner = text(f[s.organizationFields.owner]);
  const arr = Number(f[s.organizationFields.arr]);
  const a: Account = {
    id: orgId(o.id),
    name: o.name,
    externalIds: { zendesk: String(o.id) },
  };
  if (domains[0]) a.domain = domains[0];
  if (domains.length > 1) a.otherDomains = domains.slice(1);
  if (o.external_id) a.linkedIds = [o.external_id];
  if (owner) {
    a.ownerId = owner;
    a.ownerEmail = owner;
  }
  const renewal = day(f[s.organizationFields.renewal]);
  if (renewal) a.renewalAt = renewal;
  const since = day(f[s.organizationFields.customerSince]);
  if (since) a.customerSince = since;
  if (f[s.organizationFields.arr] != null && Number.isFinite(arr) && arr >= 0) a.arr = arr;
  return a;
}

export function personaOf(u: ZendeskUser, s: ZendeskSettings): Persona | undefined {
  const p = PersonaSchema.safeParse(text(u.user_fields?.[s.userFields.persona])?.toLowerCase());
  return p.success ? p.data : undefined;
}

/** An end-user of an organization (or, without one, of an email domain's account) as a stakeholder. */
export function toStakeholder(u: ZendeskUser, accountId: string, s: ZendeskSettings): Stakeholder {
  const st: Stakeholder = { id: userId(u.id), accountId, active: u.active };
  if (u.name) st.name = u.name;
  if (u.email) st.email = u.email;
  const title = text(u.user_fields?.[s.userFields.title]);
  if (title) st.title = title;
  const persona = personaOf(u, s);
  if (persona) st.persona = persona;
  const left = day(u.user_fields?.[s.userFields.leftAt]);
  if (left) st.leftAt = `${left}T00:00:00Z`;
  return st;
}

const STATUS: Record<string, Ticket["status"]> = {
  new: "new",
  open: "open",
  pending: "pending",
  hold: "pending",
  solved: "solved",
  closed: "closed",
};
const PRIORITIES = new Set<Priority>(["low", "normal", "high", "urgent"]);

/** A ticket with its metric set; undefined for a deleted ticket (the pull removes it). */
export function toTicket(
  t: ZendeskTicket,
  metrics: ZendeskMetricSet | undefined,
  accountId: string,
  s: ZendeskSettings,
): Ticket | undefined {
  const status = STATUS[t.status];
  if (!status) return undefined;
  const tags = t.tags ?? [];
  const out: Ticket = {
    id: ticketId(t.id),
    accountId,
    createdAt: time(t.created_at),
    status,
    tags: tags.filter((g) => g !== s.escalationTag),
  };
  if (t.requester_id) out.requesterId = userId(t.requester_id);
  if (t.priority && PRIORITIES.has(t.priority as Priority)) out.priority = t.priority as Priority;
  if (t.subject) out.subject = t.subject;
  if (t.description) out.text = t.description;
  const score = t.satisfaction_rating?.score;
  if (score === "good" || score === "bad") out.satisfaction = score;
  if (tags.includes(s.escalationTag)) out.escalated = true;
  if (metrics) {
    if (metrics.reopens) out.reopens = metrics.reopens;
    const reply = metrics.reply_time_in_minutes?.calendar;
    if (reply != null) out.firstReplyMinutes = reply;
    if ((status === "solved" || status === "closed") && metrics.solved_at) {
      out.solvedAt = time(metrics.solved_at);
      const resolution = metrics.full_resolution_time_in_minutes?.calendar;
      if (resolution != null) out.resolutionMinutes = resolution;
    }
  }
  return out;
}

/** The organization fields Ebb creates at install and writes its health into. */
export const HEALTH_FIELDS = {
  score: { key: "ebb_health_score", title: "Ebb health score", type: "integer" },
  band: { key: "ebb_health_band", title: "Ebb health band", type: "text" },
  trend: { key: "ebb_health_trend", title: "Ebb health trend", type: "text" },
  coverage: { key: "ebb_health_coverage", title: "Ebb data coverage (%)", type: "integer" },
  reasons: { key: "ebb_top_reasons", title: "Ebb top reasons", type: "textarea" },
  scoredAt: { key: "ebb_scored_at", title: "Ebb scored on", type: "date" },
} as const;

/** The organization tag an at-risk customer carries, for views and triggers. */
export const AT_RISK_TAG = "ebb_at_risk";

/** What Ebb writes into an organization's fields for a snapshot (a churned customer says so). */
export function healthFields(snapshot: HealthSnapshot, churnedAt?: string): Record<string, string> {
  if (churnedAt)
    return {
      [HEALTH_FIELDS.score.key]: "",
      [HEALTH_FIELDS.band.key]: "churned",
      [HEALTH_FIELDS.trend.key]: "",
      [HEALTH_FIELDS.coverage.key]: "",
      [HEALTH_FIELDS.reasons.key]: `Churned on ${churnedAt}.`,
      [HEALTH_FIELDS.scoredAt.key]: churnedAt,
    };
  return {
    [HEALTH_FIELDS.score.key]: String(Math.round(snapshot.score)),
    [HEALTH_FIELDS.band.key]: snapshot.band,
    [HEALTH_FIELDS.trend.key]: snapshot.trend,
    [HEALTH_FIELDS.coverage.key]: String(Math.round(snapshot.coverage * 100)),
    [HEALTH_FIELDS.reasons.key]: topReasons(snapshot)
      .map((r) => r.evidence)
      .join("\n"),
    [HEALTH_FIELDS.scoredAt.key]: snapshot.day,
  };
}
