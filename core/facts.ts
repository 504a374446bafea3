// Every account's records read once into what scoring needs: day numbers, flags and counts, in a few
// portfolio-wide typed columns. Records arrive as millions of small objects spread over a large heap;
// the portfolio context, the spans and the timelines all used to walk them (and parse their dates)
// again. Reading them once, account by account, into columns outside the JS heap keeps every later
// pass on small, dense data and adds almost nothing for the garbage collector to trace, so time grows
// with the portfolio and not with how big and scattered its heap is.
import { timeToDayNumber, toDayNumber } from "./day.ts";
import type { Engagement, Persona, Ticket, UsageSample } from "./model.ts";
import { isNegativeTicket } from "./text/sentiment.ts";
import type { AccountRecords } from "./timeline.ts";

export const PERSONAS: readonly Persona[] = ["executive", "champion", "influencer", "end_user"];
/** Persona column value for "no known persona". */
export const NO_PERSONA = -1;

/** Ticket flags (bits). */
export const T_NEGATIVE = 1;
export const T_BAD = 2;
export const T_GOOD = 4;
export const T_ESCALATED = 8;
/** Engagement flags (bits). */
export const E_INTERNAL = 1;
export const E_OUTBOUND = 2;
export const E_CUSTOMER_SPOKE = 4;
export const E_UNANSWERED = 8;

/** The columns of a portfolio (or of one account): row k of a kind is its k-th record in account order. */
export interface FactColumns {
  ticketDay: Float64Array;
  /** Day solved, when both that and the resolution time are known; NaN otherwise. */
  ticketSolvedDay: Float64Array;
  ticketResolutionMinutes: Float64Array;
  ticketReopens: Float64Array;
  ticketFlags: Uint8Array;
  /** Index into PERSONAS of the requester, NO_PERSONA when unknown. */
  ticketPersona: Int8Array;
  engagementDay: Float64Array;
  engagementFlags: Uint8Array;
  engagementPersona: Int8Array;
  usageDay: Float64Array;
  /** NaN when the sample has no count. */
  usageUsers: Float64Array;
  usageEvents: Float64Array;
}

/**
 * One account's part of the columns: rows [ticketFrom, ticketFrom + records.tickets.length) are its
 * tickets in the order of `records.tickets` (so ids, times and tags are read from the records), and
 * likewise for engagements and usage.
 */
export interface AccountFacts {
  records: AccountRecords;
  columns: FactColumns;
  ticketFrom: number;
  engagementFrom: number;
  usageFrom: number;
  /** First and last day with a ticket, engagement or usage sample (±Infinity without any). */
  first: number;
  last: number;
  /** First and last usage day (±Infinity without usage). */
  usageFirst: number;
  usageLast: number;
}

function columnsFor(tickets: number, engagements: number, usage: number): FactColumns {
  return {
    ticketDay: new Float64Array(tickets),
    ticketSolvedDay: new Float64Array(tickets),
    ticketResolutionMinutes: new Float64Array(tickets),
    ticketReopens: new Float64Array(tickets),
    ticketFlags: new Uint8Array(tickets),
    ticketPersona: new Int8Array(tickets),
    engagementDay: new Float64Array(engagements),
    engagementFlags: new Uint8Array(engagements),
    engagementPersona: new Int8Array(engagements),
    usageDay: new Float64Array(usage),
    usageUsers: new Float64Array(usage),
    usageEvents: new Float64Array(usage),
  };
}

function rowsOf(groups: readonly AccountRecords[]): [number, number, number] {
  let tickets = 0;
  let engagements = 0;
  let usage = 0;
  for (const g of groups) {
    tickets += g.tickets.length;
    engagements += g.engagements.length;
    usage += g.usage.length;
  }
  return [tickets, engagements, usage];
}

function fillAll(
  groups: readonly AccountRecords[],
  columns: FactColumns,
  moods?: TicketMoods,
): AccountFacts[] {
  const out: AccountFacts[] = new Array(groups.length);
  const at = { ticket: 0, engagement: 0, usage: 0 };
  for (let k = 0; k < groups.length; k++) out[k] = fill(groups[k]!, columns, at, moods);
  return out;
}

/**
 * Whether each account's tickets read as upset, from the first time they were read. Sentiment is
 * the costliest part of reading a ticket, and one scoring reads every ticket twice (for the
 * portfolio context, then for the scores). One byte a ticket, for as long as one FactsPool lives.
 */
class TicketMoods {
  private readonly byAccount = new Map<AccountRecords, Uint8Array>();
  private buffer = new Uint8Array(0);
  private used = 0;

  /** The readings of `records`' tickets if they were read before, else undefined. */
  readBefore(records: AccountRecords): Uint8Array | undefined {
    const m = this.byAccount.get(records);
    return m && m.length === records.tickets.length ? m : undefined;
  }

  /** Room for the readings of `records`' tickets, to be filled as they are read. */
  reserve(records: AccountRecords): Uint8Array {
    const n = records.tickets.length;
    if (this.used + n > this.buffer.length) {
      // A new block; views into earlier blocks stay valid.
      this.buffer = new Uint8Array(Math.max(n, 1 << 16));
      this.used = 0;
    }
    const m = this.buffer.subarray(this.used, this.used + n);
    this.used += n;
    this.byAccount.set(records, m);
    return m;
  }
}

/** One account's facts (its own small columns). */
export function factsOf(records: AccountRecords): AccountFacts {
  return fillAll([records], columnsFor(...rowsOf([records])))[0]!;
}

/**
 * Columns reused from one batch of accounts to the next, so a portfolio is read in batches of
 * bounded size: facts returned by `fill` are valid until its next call. (Fresh columns for a whole
 * large portfolio would be a large allocation outside the heap, which makes V8 collect — and trace
 * the whole input heap — once per few dozen megabytes.)
 */
export class FactsPool {
  private columns = columnsFor(0, 0, 0);
  private moods = new TicketMoods();

  fill(groups: readonly AccountRecords[]): AccountFacts[] {
    const [tickets, engagements, usage] = rowsOf(groups);
    // Rows left from a previous batch are overwritten or never read: every row read is written first.
    const c = this.columns;
    if (
      tickets > c.ticketDay.length ||
      engagements > c.engagementDay.length ||
      usage > c.usageDay.length
    ) {
      const grow = (need: number, have: number) => Math.max(need, Math.ceil(have * 1.5));
      this.columns = columnsFor(
        grow(tickets, c.ticketDay.length),
        grow(engagements, c.engagementDay.length),
        grow(usage, c.usageDay.length),
      );
    }
    return fillAll(groups, this.columns, this.moods);
  }
}

/** Accounts per batch when a portfolio is read through a FactsPool. */
export const FACTS_BATCH = 256;

function fill(
  records: AccountRecords,
  c: FactColumns,
  at: { ticket: number; engagement: number; usage: number },
  moods: TicketMoods | undefined,
): AccountFacts {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const personaById = new Map<string, number>();
  for (const st of records.stakeholders)
    personaById.set(st.id, st.persona ? PERSONAS.indexOf(st.persona) : NO_PERSONA);
  const persona = (id: string | undefined) =>
    id === undefined ? NO_PERSONA : (personaById.get(id) ?? NO_PERSONA);

  const ticketFrom = at.ticket;
  const known = moods?.readBefore(records);
  const mood = known ? undefined : moods?.reserve(records);
  const tickets = records.tickets;
  for (let k = 0; k < tickets.length; k++) {
    const t = tickets[k]!;
    const r = at.ticket++;
    let upset: boolean;
    if (known) upset = known[k] === 1;
    else {
      upset = isNegativeTicket(t.subject, t.text);
      if (mood) mood[k] = upset ? 1 : 0;
    }
    const day = timeToDayNumber(t.createdAt);
    if (day < first) first = day;
    if (day > last) last = day;
    c.ticketDay[r] = day;
    c.ticketSolvedDay[r] =
      t.solvedAt && t.resolutionMinutes !== undefined ? timeToDayNumber(t.solvedAt) : Number.NaN;
    c.ticketResolutionMinutes[r] = t.resolutionMinutes ?? 0;
    c.ticketReopens[r] = t.reopens ?? 0;
    c.ticketFlags[r] = ticketFlags(t, upset);
    c.ticketPersona[r] = persona(t.requesterId);
  }

  const engagementFrom = at.engagement;
  for (const e of records.engagements) {
    const r = at.engagement++;
    const day = timeToDayNumber(e.at);
    if (day < first) first = day;
    if (day > last) last = day;
    c.engagementDay[r] = day;
    c.engagementFlags[r] = engagementFlags(e);
    c.engagementPersona[r] = persona(e.stakeholderId);
  }

  const usageFrom = at.usage;
  let usageFirst = Number.POSITIVE_INFINITY;
  let usageLast = Number.NEGATIVE_INFINITY;
  for (const u of records.usage) {
    const r = at.usage++;
    const day = toDayNumber(u.day);
    c.usageDay[r] = day;
    c.usageUsers[r] = u.activeUsers ?? Number.NaN;
    c.usageEvents[r] = u.events ?? Number.NaN;
    if (day < usageFirst) usageFirst = day;
    if (day > usageLast) usageLast = day;
  }
  if (usageFirst < first) first = usageFirst;
  if (usageLast > last) last = usageLast;
  return {
    records,
    columns: c,
    ticketFrom,
    engagementFrom,
    usageFrom,
    first,
    last,
    usageFirst,
    usageLast,
  };
}

/** First and last day of an account's records; without any, its life is known only from its contract start. */
export function spanOfFacts(f: AccountFacts): { first: number; last: number } {
  const since = f.records.account.customerSince;
  if (!Number.isFinite(f.first) && since) return { first: toDayNumber(since), last: f.last };
  return { first: f.first, last: f.last };
}

function ticketFlags(t: Ticket, upset: boolean): number {
  return (
    (upset ? T_NEGATIVE : 0) |
    (t.satisfaction === "bad" ? T_BAD : t.satisfaction === "good" ? T_GOOD : 0) |
    (t.escalated === true ? T_ESCALATED : 0)
  );
}

function engagementFlags(e: Engagement): number {
  const spoke =
    e.direction === "inbound" ||
    e.outcome === "replied" ||
    (e.kind === "meeting" && e.outcome === "completed");
  return (
    (e.direction === "internal" ? E_INTERNAL : e.direction === "outbound" ? E_OUTBOUND : 0) |
    (spoke ? E_CUSTOMER_SPOKE : 0) |
    (e.outcome === "unanswered" || e.outcome === "no_show" ? E_UNANSWERED : 0)
  );
}

/** Support trouble a ticket adds to the portfolio's rate: bad rating, escalation, reopens, irritation. */
export function ticketTrouble(flags: number, reopens: number): number {
  return (
    (flags & T_BAD ? 1.5 : 0) +
    (flags & T_ESCALATED ? 1.5 : 0) +
    0.75 * reopens +
    (flags & T_NEGATIVE ? 1 : 0)
  );
}

/**
 * What one record adds to the portfolio's daily aggregates (portfolio.ts), read the same way as
 * `fill` reads it: its day, customer contact, usage counts, support trouble and tags. A store keeps
 * these with each record so the aggregates follow every write without reading the portfolio.
 */
export interface RecordContribution {
  day: number;
  contact: number;
  users: number | null;
  events: number | null;
  trouble: number;
  tags: readonly string[];
}

export function contributionOf(
  record:
    | { kind: "tickets"; record: Ticket }
    | { kind: "engagements"; record: Engagement }
    | { kind: "usage"; record: UsageSample },
): RecordContribution {
  const none = { contact: 0, users: null, events: null, trouble: 0, tags: [] };
  if (record.kind === "tickets") {
    const t = record.record;
    const flags = ticketFlags(t, isNegativeTicket(t.subject, t.text));
    return {
      ...none,
      day: timeToDayNumber(t.createdAt),
      contact: 1,
      trouble: ticketTrouble(flags, t.reopens ?? 0),
      tags: t.tags,
    };
  }
  if (record.kind === "engagements") {
    const e = record.record;
    return {
      ...none,
      day: timeToDayNumber(e.at),
      contact: engagementFlags(e) & E_CUSTOMER_SPOKE ? 1 : 0,
    };
  }
  const u = record.record;
  return {
    ...none,
    day: toDayNumber(u.day),
    users: u.activeUsers ?? null,
    events: u.events ?? null,
  };
}
