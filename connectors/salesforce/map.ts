// Salesforce records to Ebb's model: Account → account, Contact → stakeholder, Case → ticket, Task
// and Event → engagement, renewal Opportunity → outcome (and the next open one's close date → the
// account's renewal); and Ebb's health into the packaged Account fields and Tasks.
import type {
  Account,
  Engagement,
  HealthSnapshot,
  Outcome,
  Stakeholder,
  Task,
  Ticket,
} from "../../core/model.ts";
import { Persona as PersonaSchema } from "../../core/model.ts";
import { signalLabel, topReasons } from "../../core/reasons.ts";
import { personaFromTitle } from "../records.ts";
import type { SalesforceSettings } from "./settings.ts";

/** A record as the REST API returns it: fields by API name, parent relationships as objects. */
export type SfRecord = Record<string, unknown> & { Id: string };

export const accountId = (id: string) => `sf-account-${id}`;
export const contactId = (id: string) => `sf-contact-${id}`;
export const caseId = (id: string) => `sf-case-${id}`;
export const taskId = (id: string) => `sf-task-${id}`;
export const eventId = (id: string) => `sf-event-${id}`;

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined;
const num = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};
const day = (v: unknown): string | undefined => {
  const t = text(v);
  return t && /^\d{4}-\d{2}-\d{2}/.test(t) ? t.slice(0, 10) : undefined;
};
/** Salesforce writes `2024-01-08T14:18:00.000+0000`; the model keeps ISO-8601 in UTC. */
export const sfTime = (v: unknown): string | undefined => {
  const t = text(v);
  if (!t) return undefined;
  const ms = Date.parse(t.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
};
/** A dotted field (`Owner.Email`) through parent relationships. */
export const field = (r: Record<string, unknown>, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      r,
    );

/** `https://www.acme.com/about` → `acme.com`. */
export function domainOf(website: unknown): string | undefined {
  const w = text(website)?.trim().toLowerCase();
  if (!w) return undefined;
  const host = w
    .replace(/^[a-z]+:\/\//, "")
    .split(/[/?#:]/)[0]
    ?.replace(/^www\./, "");
  return host?.includes(".") ? host : undefined;
}

export function toAccount(r: SfRecord, s: SalesforceSettings): Account {
  const a: Account = {
    id: accountId(r.Id),
    name: text(r.Name) ?? r.Id,
    externalIds: { salesforce: r.Id },
  };
  const domain = domainOf(r.Website);
  if (domain) a.domain = domain;
  const owner = text(r.OwnerId);
  if (owner) a.ownerId = owner;
  const email = text(field(r, "Owner.Email"));
  if (email) a.ownerEmail = email;
  const since = day(r[s.account.customerSince]);
  if (since) a.customerSince = since;
  const arr = num(r[s.account.arr]);
  if (arr !== undefined && arr >= 0) a.arr = arr;
  // The account query carries its next open renewal (a child subquery, earliest first).
  const next = (r.Opportunities as { records?: Record<string, unknown>[] } | null | undefined)
    ?.records?.[0];
  const renewal = day(next?.CloseDate);
  if (renewal) a.renewalAt = renewal;
  return a;
}

export function toStakeholder(r: SfRecord, s: SalesforceSettings): Stakeholder | undefined {
  const account = text(r.AccountId);
  if (!account) return undefined;
  const active = r[s.contact.active];
  const st: Stakeholder = {
    id: contactId(r.Id),
    accountId: accountId(account),
    active: active !== false && active !== "false",
  };
  const name = text(r.Name);
  if (name) st.name = name;
  const email = text(r.Email);
  if (email) st.email = email;
  const title = text(r.Title);
  if (title) st.title = title;
  const persona = PersonaSchema.safeParse(text(r[s.contact.persona])?.toLowerCase());
  if (persona.success) st.persona = persona.data;
  else if (title) st.persona = personaFromTitle(title);
  const left = day(r[s.contact.leftAt]);
  if (left) st.leftAt = `${left}T00:00:00.000Z`;
  return st;
}

/**
 * A contact moved to another account (Contact.Account's field history): a departure from the
 * account it left — the person as they are now, inactive there since the move. Their record under
 * the new account is the contact itself.
 */
export function toDeparture(r: SfRecord, s: SalesforceSettings): Stakeholder | undefined {
  const left = text(r.OldValue);
  const contact = text(r.ContactId);
  const at = sfTime(r.CreatedDate);
  if (!left?.startsWith("001") || !contact || !at) return undefined;
  const c = (r.Contact ?? {}) as Record<string, unknown>;
  const st: Stakeholder = {
    id: `${contactId(contact)}-at-${left}`,
    accountId: accountId(left),
    active: false,
    leftAt: at,
  };
  const name = text(c.Name);
  if (name) st.name = name;
  const email = text(c.Email);
  if (email) st.email = email;
  const title = text(c.Title);
  if (title) st.title = title;
  const persona = PersonaSchema.safeParse(text(c[s.contact.persona])?.toLowerCase());
  if (persona.success) st.persona = persona.data;
  else if (title) st.persona = personaFromTitle(title);
  return st;
}

export function toTicket(r: SfRecord, s: SalesforceSettings): Ticket | undefined {
  const account = text(r.AccountId);
  const created = sfTime(r.CreatedDate);
  if (!account || !created) return undefined;
  const closed = r.IsClosed === true;
  const status =
    s.caseStatuses[text(r.Status) ?? ""] ?? (closed ? ("solved" as const) : ("open" as const));
  const tags = (text(r[s.case.tags]) ?? "")
    .split(";")
    .map((t) => t.trim())
    .filter(Boolean);
  const t: Ticket = {
    id: caseId(r.Id),
    accountId: accountId(account),
    createdAt: created,
    status,
    tags,
  };
  const contact = text(r.ContactId);
  if (contact) t.requesterId = contactId(contact);
  const priority = s.casePriorities[text(r.Priority) ?? ""];
  if (priority) t.priority = priority;
  const subject = text(r.Subject);
  if (subject) t.subject = subject;
  const description = text(r.Description);
  if (description) t.text = description;
  const csat = r[s.case.csat];
  const score = num(csat);
  if (score !== undefined) {
    if (score >= 4) t.satisfaction = "good";
    else if (score <= 2) t.satisfaction = "bad";
  } else if (csat === "good" || csat === "bad") t.satisfaction = csat;
  const reopens = num(r[s.case.reopens]);
  if (reopens !== undefined && reopens > 0) t.reopens = Math.round(reopens);
  if (r.IsEscalated === true) t.escalated = true;
  const reply = num(r[s.case.firstReplyMinutes]);
  if (reply !== undefined && reply >= 0) t.firstReplyMinutes = reply;
  const closedAt = sfTime(r.ClosedDate);
  if ((status === "solved" || status === "closed") && closedAt) {
    t.solvedAt = closedAt;
    t.resolutionMinutes = Math.max(
      0,
      Math.round((Date.parse(closedAt) - Date.parse(created)) / 60_000),
    );
  }
  return t;
}

const OUTCOMES: Record<string, Engagement["outcome"]> = {
  completed: "completed",
  "no show": "no_show",
  no_show: "no_show",
  "no answer": "unanswered",
  unanswered: "unanswered",
  "left voicemail": "unanswered",
  busy: "unanswered",
  replied: "replied",
};
const outcomeOf = (v: unknown) => OUTCOMES[text(v)?.trim().toLowerCase() ?? ""];
const DIRECTIONS: Record<string, Engagement["direction"]> = {
  inbound: "inbound",
  outbound: "outbound",
  internal: "internal",
};

/** A Task (email, call, note or to-do) as an engagement; Ebb's own tasks are not engagements. */
export function taskToEngagement(r: SfRecord): Engagement | undefined {
  const account = text(r.AccountId);
  const at = sfTime(r.CompletedDateTime) ?? sfTime(r.CreatedDate);
  if (!account || !at) return undefined;
  const subtype = text(r.TaskSubtype)?.toLowerCase();
  const kind: Engagement["kind"] =
    text(r.Type)?.toLowerCase() === "note"
      ? "note"
      : subtype === "email" || subtype === "listemail"
        ? "email"
        : subtype === "call"
          ? "call"
          : "task";
  const direction =
    DIRECTIONS[text(r.CallType)?.toLowerCase() ?? ""] ??
    (kind === "note" ? "internal" : "outbound");
  const e: Engagement = { id: taskId(r.Id), accountId: accountId(account), kind, direction, at };
  const who = text(r.WhoId);
  if (who?.startsWith("003")) e.stakeholderId = contactId(who);
  const outcome = outcomeOf(r.CallDisposition);
  if (outcome) e.outcome = outcome;
  return e;
}

/** An Event as a meeting; the configured field says whether it was held. */
export function eventToEngagement(r: SfRecord, s: SalesforceSettings): Engagement | undefined {
  const account = text(r.AccountId);
  const at = sfTime(r.StartDateTime) ?? sfTime(r.ActivityDateTime);
  if (!account || !at) return undefined;
  const e: Engagement = {
    id: eventId(r.Id),
    accountId: accountId(account),
    kind: "meeting",
    direction: "outbound",
    at,
  };
  const who = text(r.WhoId);
  if (who?.startsWith("003")) e.stakeholderId = contactId(who);
  const outcome = outcomeOf(r[s.eventOutcome]);
  if (outcome) e.outcome = outcome;
  return e;
}

/**
 * A closed renewal as an outcome: lost → churned; won → expanded above the account's ARR, downgraded
 * below it, renewed otherwise. An open renewal is no outcome (its date is the account's renewal).
 */
export function toOutcome(r: SfRecord, s: SalesforceSettings): Outcome | undefined {
  const account = text(r.AccountId);
  const at = day(r.CloseDate);
  if (!account || !at || r.IsClosed !== true) return undefined;
  if (!s.renewalTypes.includes(text(r.Type) ?? "")) return undefined;
  if (r.IsWon !== true) return { accountId: accountId(account), kind: "churned", at };
  const amount = num(r.Amount);
  const arr = num(field(r, `Account.${s.account.arr}`));
  const kind =
    amount !== undefined && arr !== undefined && arr > 0
      ? amount > arr
        ? "expanded"
        : amount < arr
          ? "downgraded"
          : "renewed"
      : "renewed";
  return { accountId: accountId(account), kind, at };
}

/**
 * The packaged Account fields Ebb writes its health into, by their API names in a subscriber org
 * (the package's namespace, `ebb`, prefixes them: package/ holds them as `Health_Score__c`, …).
 */
export const NAMESPACE = "ebb";
export const HEALTH_FIELDS = {
  score: "ebb__Health_Score__c",
  band: "ebb__Health_Band__c",
  trend: "ebb__Health_Trend__c",
  coverage: "ebb__Coverage__c",
  reasons: "ebb__Top_Reasons__c",
  scoredAt: "ebb__Scored_On__c",
  series: "ebb__Score_Series__c",
} as const;

/**
 * The packaged Activity field that keys Ebb's tasks (Text, External ID, unique, case-sensitive): a
 * retried push upserts the task it made instead of making a second.
 */
export const TASK_KEY_FIELD = "ebb__Task_Key__c";

/** Long Text Area fields hold 32,768 characters; reasons are cut well before that. */
const REASONS_MAX = 32_000;

/**
 * A snapshot as Account field values: score, band, trend, coverage (%), reasons with their evidence
 * (a JSON list the card reads), the day, and the 90-day series as `day:score` pairs. A churned
 * customer shows that instead of its last band.
 */
export function healthFields(
  s: HealthSnapshot,
  series: { day: string; score: number }[] = [],
  churnedAt?: string,
): Record<string, string | number | null> {
  if (churnedAt)
    return {
      [HEALTH_FIELDS.score]: null,
      [HEALTH_FIELDS.band]: "churned",
      [HEALTH_FIELDS.trend]: null,
      [HEALTH_FIELDS.coverage]: null,
      [HEALTH_FIELDS.reasons]: JSON.stringify([
        {
          label: "Churned",
          evidence: `Churned on ${churnedAt}; Ebb no longer scores this customer.`,
        },
      ]),
      [HEALTH_FIELDS.scoredAt]: churnedAt,
      [HEALTH_FIELDS.series]: null,
    };
  const reasons = topReasons(s).map((g) => ({
    key: g.key,
    label: signalLabel(g.key),
    risk: Math.round(g.risk * 100) / 100,
    evidence: g.evidence,
  }));
  return {
    [HEALTH_FIELDS.score]: Math.round(s.score),
    [HEALTH_FIELDS.band]: s.band,
    [HEALTH_FIELDS.trend]: s.trend,
    [HEALTH_FIELDS.coverage]: Math.round(s.coverage * 100),
    [HEALTH_FIELDS.reasons]: JSON.stringify(reasons).slice(0, REASONS_MAX),
    [HEALTH_FIELDS.scoredAt]: s.day,
    [HEALTH_FIELDS.series]: series
      .map((p) => `${p.day.replaceAll("-", "")}:${Math.round(p.score)}`)
      .join(" "),
  };
}

const TASK_PRIORITY: Record<Task["priority"], string> = {
  low: "Low",
  normal: "Normal",
  high: "High",
  urgent: "High",
};

/** An Ebb task as a Salesforce Task on the account, keyed for upsert; closed when its episode is. */
export function taskRecord(
  t: Task,
  account: string,
  ownerId: string | undefined,
): Record<string, string> {
  if (t.action === "close") return { [TASK_KEY_FIELD]: t.dedupeKey, Status: "Completed" };
  return {
    [TASK_KEY_FIELD]: t.dedupeKey,
    WhatId: account,
    Subject: t.title.slice(0, 255),
    Description: t.body.slice(0, 32_000),
    ActivityDate: t.dueAt,
    Priority: TASK_PRIORITY[t.priority],
    Status: "Not Started",
    ...(ownerId ? { OwnerId: ownerId } : {}),
  };
}
