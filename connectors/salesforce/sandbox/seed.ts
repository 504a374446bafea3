// Seeds a sandbox org from an interchange portfolio, written the way Salesforce holds it: users who
// own accounts, Accounts (Website, owner, customer-since and ARR fields), Contacts (persona, active,
// left-on fields), Cases (status and priority picklists, escalation, CSAT, topics, reopen and
// first-response fields), Tasks (emails, calls, notes with subtype, call type and disposition),
// Events (meetings with their outcome field) and renewal Opportunities (closed won or lost for each
// outcome, the next one open on the renewal date).
import type { Portfolio } from "../../../core/model.ts";
import { DEFAULT_SETTINGS, type SalesforceSettings } from "../settings.ts";
import { OrgState } from "./state.ts";

export interface Seeded {
  state: OrgState;
  /** Interchange id → Salesforce id, by kind (`accounts:…`, `stakeholders:…`, `tickets:…`, …). */
  ids: Map<string, string>;
}

const STATUS = {
  new: "New",
  open: "Working",
  pending: "On Hold",
  solved: "Closed",
  closed: "Closed",
};
const PRIORITY = { low: "Low", normal: "Medium", high: "High", urgent: "Critical" };
const DISPOSITION = {
  completed: "Completed",
  unanswered: "No Answer",
  replied: "Replied",
  no_show: "No Show",
};
const SUBTYPE = { email: "Email", call: "Call", note: "Task", task: "Task", meeting: "Task" };

/**
 * `modifiedAt` (ms): every record's SystemModstamp is within the hour before it, `perSecond` records
 * sharing each second (a data load stamps many rows alike: page edges fall inside a second).
 */
export function seedOrg(
  p: Portfolio,
  s: SalesforceSettings = DEFAULT_SETTINGS,
  modifiedAt = Date.now() - 5 * 60_000,
  perSecond = 50,
  state = new OrgState(),
): Seeded {
  const ids = new Map<string, string>();
  const base = Math.floor(modifiedAt / 1000) * 1000 - 3_600_000;
  let n = 0;
  const stamp = () => base + Math.floor(n++ / perSecond) * 1000;
  const users = new Map<string, string>();
  const userOf = (key: string | undefined, email: string | undefined) => {
    const k = key ?? email;
    if (!k) return undefined;
    let id = users.get(k);
    if (!id) {
      id = state.insert(
        "User",
        { Name: email?.split("@")[0] ?? k, Email: email ?? `${k}@example.invalid`, IsActive: true },
        base,
      );
      users.set(k, id);
    }
    return id;
  };
  const arrOf = new Map<string, number | undefined>();
  for (const a of p.accounts) {
    const id = state.insert(
      "Account",
      {
        Name: a.name,
        Website: a.domain ? `https://www.${a.domain}` : null,
        OwnerId: userOf(a.ownerId, a.ownerEmail) ?? null,
        Type: "Customer",
        [s.account.customerSince]: a.customerSince ?? null,
        [s.account.arr]: a.arr ?? null,
      },
      stamp(),
      a.customerSince ? Date.parse(a.customerSince) : base,
    );
    ids.set(`accounts:${a.id}`, id);
    arrOf.set(a.id, a.arr);
  }
  const account = (id: string) => ids.get(`accounts:${id}`) ?? null;
  for (const st of p.stakeholders) {
    const [first, ...last] = (st.name ?? "").split(" ");
    const id = state.insert(
      "Contact",
      {
        AccountId: account(st.accountId),
        FirstName: first || null,
        LastName: last.join(" ") || first || st.email || "Unknown",
        Email: st.email ?? null,
        Title: st.title ?? null,
        [s.contact.persona]: st.persona ?? null,
        [s.contact.active]: st.active,
        [s.contact.leftAt]: st.leftAt ? st.leftAt.slice(0, 10) : null,
      },
      stamp(),
      base,
    );
    ids.set(`stakeholders:${st.id}`, id);
  }
  const contact = (id: string | undefined) => (id ? (ids.get(`stakeholders:${id}`) ?? null) : null);
  for (const t of p.tickets) {
    const solved = t.status === "solved" || t.status === "closed";
    const id = state.insert(
      "Case",
      {
        AccountId: account(t.accountId),
        ContactId: contact(t.requesterId),
        Subject: t.subject ?? null,
        Description: t.text ?? null,
        Status: STATUS[t.status],
        Priority: t.priority ? PRIORITY[t.priority] : null,
        IsEscalated: t.escalated ?? false,
        Origin: "Email",
        ClosedDate:
          solved && t.solvedAt ? new Date(t.solvedAt).toISOString().replace("Z", "+0000") : null,
        [s.case.tags]: t.tags.length ? t.tags.join(";") : null,
        [s.case.csat]: t.satisfaction === "good" ? 5 : t.satisfaction === "bad" ? 1 : null,
        [s.case.reopens]: t.reopens ?? null,
        [s.case.firstReplyMinutes]: t.firstReplyMinutes ?? null,
      },
      stamp(),
      Date.parse(t.createdAt),
    );
    ids.set(`tickets:${t.id}`, id);
  }
  for (const e of p.engagements) {
    const at = new Date(e.at).toISOString().replace("Z", "+0000");
    if (e.kind === "meeting") {
      const id = state.insert(
        "Event",
        {
          WhatId: account(e.accountId),
          WhoId: contact(e.stakeholderId),
          Subject: "Meeting",
          StartDateTime: at,
          ActivityDateTime: at,
          EndDateTime: new Date(Date.parse(e.at) + 30 * 60_000).toISOString().replace("Z", "+0000"),
          [s.eventOutcome]: e.outcome ? DISPOSITION[e.outcome] : null,
        },
        stamp(),
        Date.parse(e.at),
      );
      ids.set(`engagements:${e.id}`, id);
      continue;
    }
    const id = state.insert(
      "Task",
      {
        WhatId: account(e.accountId),
        WhoId: contact(e.stakeholderId),
        Subject:
          e.kind === "note"
            ? "Note"
            : e.kind === "email"
              ? "Email"
              : e.kind === "call"
                ? "Call"
                : "To do",
        TaskSubtype: SUBTYPE[e.kind],
        Type:
          e.kind === "note"
            ? "Note"
            : e.kind === "email"
              ? "Email"
              : e.kind === "call"
                ? "Call"
                : "Other",
        CallType: e.direction[0]?.toUpperCase() + e.direction.slice(1),
        CallDisposition: e.outcome ? DISPOSITION[e.outcome] : null,
        Status: "Completed",
        Priority: "Normal",
        ActivityDate: e.at.slice(0, 10),
        CompletedDateTime: at,
      },
      stamp(),
      Date.parse(e.at),
    );
    ids.set(`engagements:${e.id}`, id);
  }
  const renewal = s.renewalTypes[0] ?? "Renewal";
  for (const o of p.outcomes) {
    const arr = arrOf.get(o.accountId);
    const amount =
      arr === undefined
        ? null
        : o.kind === "expanded"
          ? arr * 1.2
          : o.kind === "downgraded"
            ? arr * 0.8
            : arr;
    state.insert(
      "Opportunity",
      {
        AccountId: account(o.accountId),
        Name: `Renewal ${o.at}`,
        Type: renewal,
        StageName: o.kind === "churned" ? "Closed Lost" : "Closed Won",
        CloseDate: o.at,
        Amount: o.kind === "churned" ? null : amount,
      },
      stamp(),
      Date.parse(o.at) - 90 * 86_400_000,
    );
  }
  for (const a of p.accounts) {
    if (!a.renewalAt) continue;
    state.insert(
      "Opportunity",
      {
        AccountId: account(a.id),
        Name: `Renewal ${a.renewalAt}`,
        Type: renewal,
        StageName: "Negotiation/Review",
        CloseDate: a.renewalAt,
        Amount: a.arr ?? null,
      },
      stamp(),
      base,
    );
  }
  // A new-business opportunity: not a renewal, so neither an outcome nor a renewal date.
  const first = p.accounts[0];
  if (first)
    state.insert(
      "Opportunity",
      {
        AccountId: account(first.id),
        Name: "Add-on",
        Type: "New Business",
        StageName: "Closed Won",
        CloseDate: first.customerSince ?? "2024-01-01",
        Amount: 1000,
      },
      stamp(),
      base,
    );
  return { state, ids };
}
