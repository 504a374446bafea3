// Incremental, resumable pull: for each object type, keyset pages of CRM Search on
// (last modified ≥ since, hs_object_id > last id) sorted by id — so the 10,000-result cap never
// bites and a crash resumes from the last stored page — with associations read in bulk per page.
import type { ConnectorContext, PullPage, RecordBatch } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { emptyBatch } from "../records.ts";
import {
  ASSOCIATION_BATCH,
  BATCH_READ,
  createHubSpotApi,
  HISTORY_BATCH_READ,
  type HubSpotApi,
  SEARCH_PAGE,
} from "./client.ts";
import {
  DEDUPE_PROPERTY,
  ENGAGEMENT_TYPES,
  type EngagementType,
  ebbId,
  toAccount,
  toEngagement,
  toStakeholder,
  toTicket,
  toUsage,
} from "./map.ts";
import type { HubSpotObject } from "./schemas.ts";
import type { HubSpotSettings } from "./settings.ts";

export const PULL_STEPS = [
  "companies",
  "contacts",
  "tickets",
  ...ENGAGEMENT_TYPES,
  "archived",
] as const;
export type PullStep = (typeof PULL_STEPS)[number];

/** Where a pull stands; saved with each page's records, in the same transaction. */
export interface HubSpotCursor {
  /** The step under way (the field keeps its first name: saved cursors resume across versions). */
  stage: PullStep;
  /** Last HubSpot id stored in this stage (keyset position). */
  lastId: string;
  /** This pass reads objects modified at or after this (ms); 0 on the first, full pass. */
  since: number;
  /** When this pass began (ms): the next pass starts from it, minus the overlap. */
  passStartedAt: number;
  /** For the archived stage: which type and page. */
  archivedType?: string;
  archivedAfter?: string;
  /** When deleted records were last swept (ms). */
  archivedSweptAt?: number;
  /**
   * On the first, full pass only: the second lane, which reads object types from the last one
   * backwards through the list endpoint (the 110-per-10-s budget) while the search lane reads from
   * the first one forwards (search's own 5 per second); the lanes meet in the middle.
   */
  list?: ListLane;
  /**
   * What HubSpot refused this connection (403: a scope the install lacks), by object type or
   * "owners", with HubSpot's reason. The pull goes on without it; a refused type is read in full
   * on each later pass until a read of it succeeds, so nothing from before the grant is missed.
   */
  refused?: Record<string, string>;
}

/** Where the list lane stands: the type it reads, its page, and whether it has met the search lane. */
export interface ListLane {
  stage: ListStep;
  after?: string;
  /** The list lane has read every type after the search lane's. */
  done?: boolean;
  /** The search lane has reached the list lane's types and waits for it to finish. */
  searchWaiting?: boolean;
}

/** The types the list lane may read (companies need their usage history: always the search lane). */
type ListStep = Exclude<PullStep, "companies" | "archived">;
const LAST_LISTED: ListStep = "tasks";

const CONTACT_PROPS = ["firstname", "lastname", "email", "jobtitle"];
const TICKET_PROPS = [
  "subject",
  "content",
  "createdate",
  "closed_date",
  "hs_pipeline_stage",
  "hs_ticket_priority",
  "hs_time_to_first_agent_reply",
  "time_to_close",
];
const ENGAGEMENT_PROPS: Record<EngagementType, string[]> = {
  calls: ["hs_timestamp", "hs_call_direction", "hs_call_status"],
  emails: ["hs_timestamp", "hs_email_direction"],
  meetings: ["hs_timestamp", "hs_meeting_outcome"],
  notes: ["hs_timestamp"],
  tasks: [
    "hs_timestamp",
    "hs_task_subject",
    "hs_task_status",
    "hs_task_completion_date",
    DEDUPE_PROPERTY,
  ],
};
const ARCHIVED_TYPES = ["contacts", "tickets", ...ENGAGEMENT_TYPES] as const;

export async function* pullHubSpot(
  ctx: ConnectorContext,
  s: HubSpotSettings,
  saved: HubSpotCursor | undefined,
  api: HubSpotApi = createHubSpotApi(ctx),
): AsyncGenerator<PullPage<HubSpotCursor>> {
  let cursor: HubSpotCursor = saved ?? {
    stage: "companies",
    lastId: "0",
    since: 0,
    passStartedAt: 0,
  };
  if (cursor.passStartedAt === 0)
    cursor = {
      ...cursor,
      passStartedAt: ctx.now(),
      // A full pass reads with both budgets at once.
      ...(cursor.since === 0 ? { list: { stage: LAST_LISTED } } : {}),
    };
  const read = await readOwners(api);
  const owners = read.owners;
  cursor = refusing(cursor, "owners", read.refused);
  const page = (records: RecordBatch, c: HubSpotCursor, done: boolean) => ({
    records,
    cursor: c,
    done,
    refused: Object.entries(c.refused ?? {}).map(([objectType, reason]) => ({
      objectType,
      reason,
    })),
  });
  for (;;) {
    if (cursor.stage === "archived") {
      const p = await archivedPage(api, cursor, s, ctx.now());
      yield page(p.records, p.cursor, p.done);
      if (p.done) return;
      cursor = p.cursor;
      continue;
    }
    const lane = cursor.list;
    // The two lanes' next pages are read at the same time, then yielded one after the other: each
    // yielded cursor holds what is stored, so a crash between them re-reads only the second.
    const [bySearch, byList] = await Promise.all([
      lane?.searchWaiting ? undefined : searchStep(ctx, api, cursor, s, owners),
      lane && !lane.done ? listStep(ctx, api, lane, s, owners) : undefined,
    ]);
    let next: HubSpotCursor = bySearch ? meet(bySearch.cursor, cursor.stage, ctx.now(), s) : cursor;
    if (bySearch) {
      // Until the list page is stored too, the cursor keeps the list lane where it was.
      const done = next.passStartedAt === 0;
      yield page(bySearch.records, next, done);
      if (done) return;
    }
    if (byList) {
      const waiting = next.list?.searchWaiting;
      next = meet(
        {
          ...refusing(next, byList.type, byList.refused),
          list: { ...byList.lane, ...(waiting ? { searchWaiting: true } : {}) },
        },
        next.stage,
        ctx.now(),
        s,
      );
      const done = next.passStartedAt === 0;
      yield page(byList.records, next, done);
      if (done) return;
    }
    cursor = next;
  }
}

/**
 * A 403 from HubSpot on one object type: the reason, to skip that type and go on. Anything else
 * (401 included: the token is bad for everything) is thrown on.
 */
function refusal(e: unknown): string {
  if (e instanceof ConnectorError && e.code === "forbidden") return e.message;
  throw e;
}

/** The cursor with `what` refused for `reason`, or (no reason) cleared: a read of it succeeded. */
function refusing(c: HubSpotCursor, what: string, reason: string | undefined): HubSpotCursor {
  if (!reason && !c.refused?.[what]) return c;
  const { [what]: _, ...rest } = c.refused ?? {};
  const refused = reason ? { ...rest, [what]: reason } : rest;
  const { refused: __, ...without } = c;
  return Object.keys(refused).length > 0 ? { ...without, refused } : without;
}

/**
 * One yield's worth of the search lane: up to five search pages (1,000 objects), so associations are
 * read 1,000 at a time — the v4 batch maximum — rather than once per search page.
 */
async function searchStep(
  ctx: ConnectorContext,
  api: HubSpotApi,
  cursor: HubSpotCursor,
  s: HubSpotSettings,
  owners: Map<string, string>,
): Promise<{ records: RecordBatch; cursor: HubSpotCursor }> {
  const type = cursor.stage as Exclude<PullStep, "archived">;
  const objects: HubSpotObject[] = [];
  let next: HubSpotCursor = cursor;
  const groups = type === "companies" ? 1 : GROUP_PAGES;
  const size = pageSize(type);
  try {
    for (let k = 0; k < groups; k++) {
      const page = await searchPage(api, type, next, s);
      objects.push(...page.results);
      const last = page.results[page.results.length - 1];
      const more = page.results.length === size && page.total > page.results.length;
      if (more && last) {
        next = { ...next, lastId: last.id };
        continue;
      }
      // The whole type is read: a refusal from an earlier pass is over.
      next = nextStep(refusing(next, type, undefined), type, ctx.now(), s);
      break;
    }
    return { records: await mapPage(ctx, api, type, objects, s, owners), cursor: next };
  } catch (e) {
    // Refused: this type is skipped for now, its records kept as they are.
    const reason = refusal(e);
    return {
      records: emptyBatch(),
      cursor: nextStep(refusing(cursor, type, reason), type, ctx.now(), s),
    };
  }
}

/** One yield's worth of the list lane: up to ten list pages (1,000 objects) of its type. */
async function listStep(
  ctx: ConnectorContext,
  api: HubSpotApi,
  lane: ListLane,
  s: HubSpotSettings,
  owners: Map<string, string>,
): Promise<{ records: RecordBatch; lane: ListLane; type: ListStep; refused?: string }> {
  const objects: HubSpotObject[] = [];
  let after = lane.after;
  let next: ListLane = lane;
  const previous = PULL_STEPS[PULL_STEPS.indexOf(lane.stage) - 1] as ListStep;
  try {
    for (let k = 0; k < ASSOCIATION_BATCH / LIST_PAGE; k++) {
      const page = await api.list(lane.stage, after, propertiesFor(lane.stage, s));
      objects.push(...page.results);
      after = page.paging?.next?.after;
      if (!after) {
        // This type is read: the lane moves back one type.
        next = { stage: previous };
        break;
      }
      next = { ...lane, after };
    }
    const records = await mapPage(ctx, api, lane.stage, objects, s, owners);
    return { records, lane: next, type: lane.stage };
  } catch (e) {
    // Refused: the lane skips this type.
    return {
      records: emptyBatch(),
      lane: { stage: previous },
      type: lane.stage,
      refused: refusal(e),
    };
  }
}

/**
 * Where the lanes meet. Each owns the type it is on, and the search lane's is always before the list
 * lane's. The search lane, done with its type, waits if the next one is the list lane's (or the list
 * lane is done); the list lane, done with its type, is done if the one before is the search lane's.
 * When both have met, the search lane goes on past the last listed type (the deletion sweep, or the
 * pass's end).
 */
function meet(
  cursor: HubSpotCursor,
  searchWasOn: PullStep,
  now: number,
  s: HubSpotSettings,
): HubSpotCursor {
  const lane = cursor.list;
  if (!lane) return cursor;
  const at = (x: PullStep) => PULL_STEPS.indexOf(x);
  let next: ListLane = lane;
  if (cursor.stage !== searchWasOn && (lane.done || at(cursor.stage) >= at(lane.stage)))
    next = { ...next, searchWaiting: true };
  // A waiting search lane has finished the type before the one its cursor names, and owns neither.
  const searchOwns = at(cursor.stage) - (next.searchWaiting ? 1 : 0);
  if (!next.done && next.after === undefined && at(next.stage) <= searchOwns)
    next = { ...next, done: true };
  if (next.done && next.searchWaiting) {
    const { list: _, ...rest } = cursor;
    return nextStep({ ...rest, stage: LAST_LISTED, lastId: "0" }, LAST_LISTED, now, s);
  }
  return { ...cursor, list: next };
}

/** Search pages gathered before associations are read (5 × 200 = the v4 batch maximum of 1,000). */
const GROUP_PAGES = ASSOCIATION_BATCH / SEARCH_PAGE;
/** Objects per list page (HubSpot's maximum for list endpoints). */
const LIST_PAGE = 100;

/** Deleted records are swept at most this often (HubSpot's archived listings are not incremental). */
export const ARCHIVED_SWEEP_MS = 24 * 60 * 60_000;

function nextStep(
  cursor: HubSpotCursor,
  type: PullStep,
  now: number,
  s: HubSpotSettings,
): HubSpotCursor {
  const following = PULL_STEPS[PULL_STEPS.indexOf(type) + 1] ?? "archived";
  if (following !== "archived" || now - (cursor.archivedSweptAt ?? 0) >= ARCHIVED_SWEEP_MS)
    return { ...cursor, stage: following, lastId: "0" };
  return endOfPass(cursor, s);
}

/** The pass is complete: the next one reads what changed since this one began, with an overlap. */
function endOfPass(cursor: HubSpotCursor, s: HubSpotSettings): HubSpotCursor {
  return {
    stage: "companies",
    lastId: "0",
    since: cursor.passStartedAt - s.overlapMs,
    passStartedAt: 0,
    ...(cursor.archivedSweptAt === undefined ? {} : { archivedSweptAt: cursor.archivedSweptAt }),
    ...(cursor.refused ? { refused: cursor.refused } : {}),
  };
}

function searchPage(
  api: HubSpotApi,
  type: Exclude<PullStep, "archived">,
  cursor: HubSpotCursor,
  s: HubSpotSettings,
) {
  const modified = type === "contacts" ? "lastmodifieddate" : "hs_lastmodifieddate";
  const filters: { propertyName: string; operator: "GTE" | "GT"; value: string }[] = [
    { propertyName: "hs_object_id", operator: "GT", value: cursor.lastId },
  ];
  // A type HubSpot refused before is read in full once it is granted.
  if (cursor.since > 0 && !cursor.refused?.[type])
    filters.push({ propertyName: modified, operator: "GTE", value: String(cursor.since) });
  return api.search(type, {
    filterGroups: [{ filters }],
    sorts: [{ propertyName: "hs_object_id", direction: "ASCENDING" }],
    properties: propertiesFor(type, s),
    limit: pageSize(type),
  });
}

/**
 * Companies come 100 to a page, each page its own yield: their usage history (hundreds of samples a
 * company) makes a company page tens of thousands of records, and a Worker isolate has 128 MB. A page
 * costs one search call and two batch reads of its usage history (50 companies each, HubSpot's limit
 * for reads with history).
 */
export const COMPANY_PAGE = BATCH_READ;
const pageSize = (type: Exclude<PullStep, "archived">) =>
  type === "companies" ? COMPANY_PAGE : SEARCH_PAGE;

/** The properties the pull reads of each object type (the webhook subscriptions follow them). */
export function propertiesFor(type: PullStep, s: HubSpotSettings): string[] {
  if (type === "companies")
    return [
      "name",
      "domain",
      "hubspot_owner_id",
      "hs_lifecyclestage_customer_date",
      s.renewalProperty,
      s.arrProperty,
      s.churnProperty,
    ];
  if (type === "contacts") return [...CONTACT_PROPS, s.personaProperty, s.leftAtProperty];
  if (type === "tickets") return [...TICKET_PROPS, ...Object.values(s.ticketProperties)];
  if (type === "archived") return [];
  return [...ENGAGEMENT_PROPS[type], s.outcomeProperty];
}

/** Owners' emails by id; refused (no owners scope), accounts are read without their owner. */
async function readOwners(
  api: HubSpotApi,
): Promise<{ owners: Map<string, string>; refused?: string }> {
  const owners = new Map<string, string>();
  let after: string | undefined;
  try {
    do {
      const page = await api.owners(after);
      for (const o of page.results) if (o.email) owners.set(o.id, o.email);
      after = page.paging?.next?.after;
    } while (after);
  } catch (e) {
    return { owners: new Map(), refused: refusal(e) };
  }
  return { owners };
}

/**
 * The company (or contact) each object belongs to, read in bulk (one call per 1,000 objects, never
 * one per record), following a record's own association paging: the association labelled Primary
 * (a contact's or ticket's primary company) when there is one, else the lowest id.
 */
async function associatedOwner(
  api: HubSpotApi,
  from: string,
  to: string,
  ids: string[],
): Promise<Map<string, string>> {
  const best = new Map<string, { id: string; primary: boolean }>();
  let inputs: { id: string; after?: string }[] = ids.map((id) => ({ id }));
  while (inputs.length > 0) {
    const more: { id: string; after: string }[] = [];
    for (let k = 0; k < inputs.length; k += ASSOCIATION_BATCH) {
      const res = await api.associations(from, to, inputs.slice(k, k + ASSOCIATION_BATCH));
      for (const r of res.results) {
        for (const x of r.to) {
          const id = String(x.toObjectId);
          const primary = (x.associationTypes ?? []).some((t) => t.label === "Primary");
          const held = best.get(r._from.id);
          if (
            !held ||
            (primary && !held.primary) ||
            (primary === held.primary && Number(id) < Number(held.id))
          )
            best.set(r._from.id, { id, primary });
        }
        const after = r.paging?.next?.after;
        if (after) more.push({ id: r._from.id, after });
      }
    }
    inputs = more;
  }
  return new Map([...best].map(([k, v]) => [k, v.id]));
}

async function mapPage(
  ctx: ConnectorContext,
  api: HubSpotApi,
  type: Exclude<PullStep, "archived">,
  objects: HubSpotObject[],
  s: HubSpotSettings,
  owners: Map<string, string>,
): Promise<RecordBatch> {
  const batch = emptyBatch();
  if (objects.length === 0) return batch;
  const ids = objects.map((o) => o.id);
  if (type === "companies") {
    const usageProps = [s.usageProperties.activeUsers, s.usageProperties.events];
    for (let k = 0; k < ids.length; k += HISTORY_BATCH_READ) {
      const read = await api.readWithHistory(
        "companies",
        ids.slice(k, k + HISTORY_BATCH_READ),
        [],
        usageProps,
      );
      for (const o of read.results) batch.usage.push(...toUsage(o, s));
      // A company deleted between the search and this read: its usage is not read, and it is said.
      for (const e of read.errors ?? [])
        ctx.log("hubspot.batch_read_missing", {
          type: "companies",
          ids: e.context?.ids ?? [],
          category: e.category,
          message: e.message,
        });
    }
    for (const o of objects) {
      batch.accounts.push(toAccount(o, s, owners));
      const churned = o.properties[s.churnProperty];
      if (churned)
        batch.outcomes.push({
          accountId: ebbId("company", o.id),
          kind: "churned",
          at: churned.slice(0, 10),
        });
    }
    return batch;
  }
  const companies = await associatedOwner(api, type, "companies", ids);
  if (type === "contacts") {
    for (const o of objects) {
      const company = companies.get(o.id);
      if (company) batch.stakeholders.push(toStakeholder(o, company, s));
    }
    return batch;
  }
  const contacts = await associatedOwner(api, type, "contacts", ids);
  for (const o of objects) {
    const company = companies.get(o.id);
    if (!company) continue;
    if (type === "tickets") {
      const t = toTicket(o, company, contacts.get(o.id), s);
      if (t) batch.tickets.push(t);
      continue;
    }
    const { engagement, milestone } = toEngagement(type, o, company, contacts.get(o.id), s);
    if (engagement) batch.engagements.push(engagement);
    if (milestone) batch.milestones.push(milestone);
  }
  return batch;
}

/** Deleted (archived) contacts, tickets and engagements, 100 a page, as removals. */
async function archivedPage(
  api: HubSpotApi,
  cursor: HubSpotCursor,
  s: HubSpotSettings,
  now: number,
): Promise<PullPage<HubSpotCursor>> {
  const type = cursor.archivedType ?? ARCHIVED_TYPES[0];
  const batch = emptyBatch();
  let page: Awaited<ReturnType<HubSpotApi["listArchived"]>>;
  try {
    page = await api.listArchived(type, cursor.archivedAfter);
  } catch (e) {
    // Refused: this type's deletions wait until it is granted; the sweep goes on.
    refusal(e);
    page = { results: [] };
  }
  const kind =
    type === "contacts" ? "stakeholders" : type === "tickets" ? "tickets" : "engagements";
  const prefix =
    type === "contacts" ? "contact" : type === "tickets" ? "ticket" : type.slice(0, -1);
  for (const o of page.results) batch.deleted.push({ kind, id: ebbId(prefix, o.id) });
  const after = page.paging?.next?.after;
  if (after)
    return {
      records: batch,
      cursor: { ...cursor, archivedType: type, archivedAfter: after },
      done: false,
    };
  const nextType =
    ARCHIVED_TYPES[ARCHIVED_TYPES.indexOf(type as (typeof ARCHIVED_TYPES)[number]) + 1];
  if (nextType)
    return {
      records: batch,
      cursor: { ...cursor, archivedType: nextType, archivedAfter: undefined },
      done: false,
    };
  return { records: batch, cursor: endOfPass({ ...cursor, archivedSweptAt: now }, s), done: true };
}
