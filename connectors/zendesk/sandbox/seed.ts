// Seeds a sandbox account from an interchange portfolio, written the way Zendesk holds it:
// organizations (domain names, Ebb's configurable organization fields), end-users (user fields for
// persona, title and the day they left), tickets with their metric sets (reply and resolution
// minutes, reopens, solved time) and CSAT, an escalation as a tag.
import type { Portfolio } from "../../../core/model.ts";
import { DEFAULT_SETTINGS, type ZendeskSettings } from "../settings.ts";
import { AccountState, iso } from "./state.ts";

export interface Seeded {
  state: AccountState;
  /** Interchange id → Zendesk id, by kind (`accounts:…`, `stakeholders:…`, `tickets:…`). */
  ids: Map<string, number>;
}

const seconds = (t: string) => Math.floor(Date.parse(t) / 1000);

/**
 * `modifiedAt` (ms): every record's last change is within the hour before it, organizations a few
 * to a second (as a bulk import leaves them: the time-based export repeats them at page edges).
 */
export function seedAccount(
  p: Portfolio,
  s: ZendeskSettings = DEFAULT_SETTINGS,
  modifiedAt = Date.now() - 5 * 60_000,
  state = new AccountState(),
): Seeded {
  const ids = new Map<string, number>();
  const base = Math.floor(modifiedAt / 1000) - 3600;
  let n = 0;
  const stamp = (perSecond: number) => base + Math.floor(n++ / perSecond);
  const f = s.organizationFields;
  const u = s.userFields;
  for (const a of p.accounts) {
    const id = state.newId();
    ids.set(`accounts:${a.id}`, id);
    const created = a.customerSince ? `${a.customerSince}T00:00:00Z` : iso(base);
    state.put(
      state.organizations,
      id,
      {
        id,
        name: a.name,
        domain_names: [a.domain, ...(a.otherDomains ?? [])].filter((d): d is string => !!d),
        external_id: null,
        tags: [],
        organization_fields: {
          [f.owner]: a.ownerEmail ?? null,
          [f.renewal]: a.renewalAt ?? null,
          [f.customerSince]: a.customerSince ?? null,
          [f.arr]: a.arr ?? null,
        },
        created_at: created,
        updated_at: created,
        deleted_at: null,
      },
      stamp(3),
    );
  }
  n = 0;
  for (const st of p.stakeholders) {
    const id = state.newId();
    ids.set(`stakeholders:${st.id}`, id);
    state.put(
      state.users,
      id,
      {
        id,
        name: st.name ?? st.email ?? `User ${id}`,
        email: st.email ?? null,
        role: "end-user",
        active: st.active,
        organization_id: ids.get(`accounts:${st.accountId}`) ?? null,
        user_fields: {
          [u.persona]: st.persona ?? null,
          [u.title]: st.title ?? null,
          [u.leftAt]: st.leftAt ? st.leftAt.slice(0, 10) : null,
        },
        created_at: iso(base),
        updated_at: iso(base),
      },
      stamp(10),
    );
  }
  n = 0;
  for (const t of p.tickets) {
    const id = state.newId();
    ids.set(`tickets:${t.id}`, id);
    const solved = t.status === "solved" || t.status === "closed";
    state.put(
      state.tickets,
      id,
      {
        id,
        created_at: t.createdAt,
        updated_at: t.createdAt,
        status: t.status,
        priority: t.priority ?? null,
        tags: [...t.tags, ...(t.escalated ? [s.escalationTag] : [])],
        subject: t.subject ?? null,
        description: t.text ?? null,
        requester_id: t.requesterId ? (ids.get(`stakeholders:${t.requesterId}`) ?? null) : null,
        organization_id: ids.get(`accounts:${t.accountId}`) ?? null,
        satisfaction_rating: t.satisfaction
          ? { score: t.satisfaction }
          : solved
            ? { score: "offered" }
            : null,
        type: "question",
        via: { channel: "email" },
      },
      stamp(50),
    );
    state.metrics.set(id, {
      id: id + 5_000_000,
      ticket_id: id,
      reopens: t.reopens ?? 0,
      replies: t.firstReplyMinutes === undefined ? 0 : 1,
      solved_at: solved && t.solvedAt ? iso(seconds(t.solvedAt)) : null,
      reply_time_in_minutes: {
        calendar: t.firstReplyMinutes ?? null,
        business: t.firstReplyMinutes ?? null,
      },
      full_resolution_time_in_minutes: {
        calendar: solved ? (t.resolutionMinutes ?? null) : null,
        business: solved ? (t.resolutionMinutes ?? null) : null,
      },
      created_at: t.createdAt,
      updated_at: t.createdAt,
    });
  }
  // The agents who answer them (not stakeholders: the pull leaves them out).
  const agent = state.newId();
  state.put(
    state.users,
    agent,
    {
      id: agent,
      name: "Sam Agent",
      email: "sam@support.example",
      role: "admin",
      active: true,
      organization_id: null,
      user_fields: {},
      created_at: iso(base),
      updated_at: iso(base),
    },
    base,
  );
  return { state, ids };
}
