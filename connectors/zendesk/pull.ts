// Incremental, resumable pull in three stages, each from its own saved position: organizations by
// the time-based export (start time plus the items already read at that second, since the export
// repeats them at page edges), end-users and tickets (with their metric sets) by the cursor-based
// exports, whose after_cursor is kept across passes. A page's records and the cursor after them are
// stored together, so a crash resumes at the page that was in flight.
import type { ConnectorContext, PullPage, RecordBatch } from "../connector.ts";
import { emptyBatch } from "../records.ts";
import { createZendeskApi, type ZendeskApi } from "./client.ts";
import {
  domainAccountId,
  emailDomain,
  orgId,
  ticketId,
  toAccount,
  toStakeholder,
  toTicket,
} from "./map.ts";
import type { ZendeskTicket, ZendeskUser } from "./schemas.ts";
import type { ZendeskSettings } from "./settings.ts";

export interface ZendeskCursor {
  stage: "organizations" | "users" | "tickets";
  organizations: {
    /** Unix seconds: the next page starts here. */
    startTime: number;
    /** `id@updated_at` of the items already read at `startTime` (the export repeats them). */
    seen: string[];
  };
  /** The user export's after_cursor (absent before its first page). */
  users: { cursor?: string };
  tickets: { cursor?: string };
}

/** Zendesk refuses a time-based export starting within the last minute. */
const TOO_RECENT_S = 60;

const initial = (): ZendeskCursor => ({
  stage: "organizations",
  organizations: { startTime: 0, seen: [] },
  users: {},
  tickets: {},
});

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The account a user belongs to: their organization, else their email's company domain. */
function accountOfUser(u: ZendeskUser): { id: string; domain?: string } | undefined {
  if (u.organization_id) return { id: orgId(u.organization_id) };
  const domain = emailDomain(u.email);
  return domain ? { id: domainAccountId(domain), domain } : undefined;
}

function addDomainAccount(batch: RecordBatch, domain: string, have: Set<string>) {
  const id = domainAccountId(domain);
  if (have.has(id)) return;
  have.add(id);
  // Joins the tenant's one account with this domain, or stands alone named by it.
  batch.accounts.push({ id, name: domain, domain });
}

export async function* pullZendesk(
  ctx: ConnectorContext,
  s: ZendeskSettings,
  saved: ZendeskCursor | undefined,
  api: ZendeskApi = createZendeskApi(ctx),
): AsyncGenerator<PullPage<ZendeskCursor>> {
  let cursor = structuredClone(saved ?? initial());
  if (cursor.stage === "organizations") {
    for (;;) {
      const start = cursor.organizations.startTime;
      if (start > ctx.now() / 1000 - TOO_RECENT_S) break;
      const page = await api.exportOrganizations(start, s.pageSize);
      const seen = new Set(cursor.organizations.seen);
      const batch = emptyBatch();
      for (const o of page.organizations) {
        if (seen.has(`${o.id}@${o.updated_at}`)) continue;
        if (o.deleted_at) batch.deleted.push({ kind: "accounts", id: orgId(o.id) });
        else batch.accounts.push(toAccount(o, s));
      }
      const last = page.organizations.at(-1);
      let end = page.end_time ?? (last ? seconds(last.updated_at) : start);
      // Nothing new and still at the start second: that second is read in full (a page holds a
      // second's items together), so the next page starts after it rather than asking again.
      if (
        end === start &&
        !page.end_of_stream &&
        batch.accounts.length + batch.deleted.length === 0
      )
        end = start + 1;
      // The items at the end time come again on the next page: remember them (with those of
      // earlier pages at the same second, when a page did not move the time on).
      const atEnd = page.organizations
        .filter((o) => seconds(o.updated_at) === end)
        .map((o) => `${o.id}@${o.updated_at}`);
      cursor = {
        ...cursor,
        organizations: {
          startTime: end,
          seen: end === start ? [...seen, ...atEnd] : atEnd,
        },
      };
      const endOfStream = page.end_of_stream || page.organizations.length === 0;
      if (endOfStream) cursor = { ...cursor, stage: "users" };
      yield { records: batch, cursor, done: false };
      if (endOfStream) break;
    }
    cursor = { ...cursor, stage: "users" };
  }
  if (cursor.stage === "users") {
    for (;;) {
      const page = await api.exportUsers(
        cursor.users.cursor ? { cursor: cursor.users.cursor } : { startTime: 0 },
        s.pageSize,
      );
      const batch = emptyBatch();
      const domains = new Set<string>();
      for (const u of page.users) {
        if (u.role !== "end-user") continue;
        const account = accountOfUser(u);
        if (!account) continue;
        if (account.domain) addDomainAccount(batch, account.domain, domains);
        batch.stakeholders.push(toStakeholder(u, account.id, s));
      }
      cursor = {
        ...cursor,
        users: { cursor: page.after_cursor ?? cursor.users.cursor },
        ...(page.end_of_stream ? { stage: "tickets" as const } : {}),
      };
      yield { records: batch, cursor, done: false };
      if (page.end_of_stream) break;
    }
  }
  for (;;) {
    const page = await api.exportTickets(
      cursor.tickets.cursor ? { cursor: cursor.tickets.cursor } : { startTime: 0 },
      s.pageSize,
    );
    const metrics = new Map((page.metric_sets ?? []).map((m) => [m.ticket_id, m]));
    const batch = emptyBatch();
    const orphans = page.tickets.filter((t) => !t.organization_id && t.requester_id);
    const requesters = await requesterAccounts(api, orphans);
    const domains = new Set<string>();
    for (const t of page.tickets) {
      if (t.status === "deleted") {
        batch.deleted.push({ kind: "tickets", id: ticketId(t.id) });
        continue;
      }
      const account = t.organization_id
        ? { id: orgId(t.organization_id) }
        : requesters.get(t.requester_id ?? 0);
      // A ticket from nobody's company (a free-mail requester without an organization) is no
      // account's evidence.
      if (!account) continue;
      if (account.domain) addDomainAccount(batch, account.domain, domains);
      const ticket = toTicket(t, metrics.get(t.id), account.id, s);
      if (ticket) batch.tickets.push(ticket);
    }
    cursor = {
      ...cursor,
      tickets: { cursor: page.after_cursor ?? cursor.tickets.cursor },
      ...(page.end_of_stream ? { stage: "organizations" as const } : {}),
    };
    yield { records: batch, cursor, done: page.end_of_stream };
    if (page.end_of_stream) return;
  }
}

/** The accounts of the requesters of tickets without an organization, read 100 users a call. */
async function requesterAccounts(
  api: ZendeskApi,
  tickets: ZendeskTicket[],
): Promise<Map<number, { id: string; domain?: string }>> {
  const ids = [...new Set(tickets.map((t) => t.requester_id as number))];
  const out = new Map<number, { id: string; domain?: string }>();
  for (let k = 0; k < ids.length; k += 100) {
    const { users } = await api.usersById(ids.slice(k, k + 100));
    for (const u of users) {
      const account = accountOfUser(u);
      if (account) out.set(u.id, account);
    }
  }
  return out;
}
