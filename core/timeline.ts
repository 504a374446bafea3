// One account's records laid out as daily prefix sums over typed arrays, so that every signal reads
// any window in O(1) and scoring day D+1 reuses what was built for day D.
import { timeToDayNumber, toDayNumber } from "./day.ts";
import {
  type AccountFacts,
  E_CUSTOMER_SPOKE,
  E_INTERNAL,
  E_OUTBOUND,
  E_UNANSWERED,
  factsOf,
  NO_PERSONA,
  PERSONAS,
  T_BAD,
  T_ESCALATED,
  T_GOOD,
  T_NEGATIVE,
} from "./facts.ts";
import type {
  Account,
  Engagement,
  Milestone,
  Persona,
  Stakeholder,
  Ticket,
  UsageSample,
} from "./model.ts";

/** The records of one account (any array may be empty). */
export interface AccountRecords {
  account: Account;
  stakeholders: Stakeholder[];
  tickets: Ticket[];
  engagements: Engagement[];
  usage: UsageSample[];
  milestones: Milestone[];
}

/** A ticket reduced to what signals need, with its day index. */
export interface TicketFact {
  id: string;
  /** Creation time (ISO), for ordering within a day. */
  at: string;
  dayIndex: number;
  negative: boolean;
  bad: boolean;
  escalated: boolean;
  reopens: number;
  tags: string[];
  requesterId: string | undefined;
  /** Part of a product-wide incident: counted by the portfolio alert, not against the account. */
  incident: boolean;
}

export interface EngagementFact {
  id: string;
  at: string;
  dayIndex: number;
  direction: Engagement["direction"];
  unanswered: boolean;
  persona: Persona | undefined;
}

/** An account with no records yet. */
export function emptyRecords(account: Account): AccountRecords {
  return { account, stakeholders: [], tickets: [], engagements: [], usage: [], milestones: [] };
}

/** A milestone with its days as indices (`doneIndex` is Infinity while not done). */
export interface MilestoneFact {
  id: string;
  name: string;
  dueIndex: number;
  doneIndex: number;
}

/** A stakeholder with the day index they left (Infinity if they have not; NaN if gone at an unknown time). */
export interface StakeholderFact {
  id: string;
  label: string;
  persona: Persona | undefined;
  leftIndex: number;
}

/** Daily series, each a prefix sum: `s[i + 1] - s[a]` is the total over day indices a..i. */
export const SERIES = [
  "tickets",
  "negative",
  "bad",
  "good",
  "reopens",
  "escalations",
  "resolutionMinutes",
  "resolved",
  "incidentTickets",
  "inbound",
  "outbound",
  "unanswered",
  "usageUsers",
  "usageEvents",
  "usageDays",
  "contactExecutive",
  "contactChampion",
  "contactInfluencer",
  "contactEnd_user",
] as const;
export type SeriesName = (typeof SERIES)[number];

export interface Timeline {
  account: Account;
  /** Day number of index 0. */
  origin: number;
  /** Number of days covered. */
  length: number;
  series: Record<SeriesName, Float64Array>;
  /** The tags of the account's own (non-incident) tickets, in first-seen order… */
  tags: string[];
  /** …and for each, the prefix sums of those tickets carrying it. */
  tagArrays: Float64Array[];
  /** Index of the last day ≤ i with inbound contact (a ticket, an inbound or replied engagement); -1 if none. */
  lastInbound: Int32Array;
  tickets: TicketFact[];
  engagements: EngagementFact[];
  stakeholders: StakeholderFact[];
  milestones: MilestoneFact[];
  /** Personas that have at least one stakeholder on record. */
  personas: Set<Persona>;
  /** Irritated or badly rated tickets with a known requester, outside incidents, by day. */
  unhappyTickets: { id: string; dayIndex: number; requesterId: string }[];
  /** Day index of the first record (ticket, engagement or usage); baselines never reach before it. */
  firstIndex: number;
  customerSinceIndex: number | undefined;
  renewalIndex: number | undefined;
}

/** Which ticket tags are part of a product-wide incident on a given day number (the portfolio context). */
export interface IncidentLookup {
  isIncident(tag: string, dayNumber: number): boolean;
}

const NO_INCIDENTS: IncidentLookup = { isIncident: () => false };

/** History loaded before the first scored day: a year plus two quarters, for seasonal baselines. */
export const LOOKBACK_DAYS = 364 + 14 + 180;

/**
 * Reusable typed-array storage: a backtest over 10,000 accounts builds 10,000 timelines, and
 * reusing one set of buffers keeps allocation (and GC) out of the hot loop. A timeline built from
 * these buffers is valid until the next one is built.
 */
export class TimelineBuffers {
  private capacity = 0;
  private arrays = {} as Record<SeriesName, Float64Array>;
  private last = new Int32Array(0);
  /** Per-tag arrays, handed out in order and reused by the next timeline. */
  private tags: Float64Array[] = [];
  private tagsTaken = 0;

  /** Zeroed series of exactly `length + 1` entries (views over reused buffers). */
  take(length: number): { series: Record<SeriesName, Float64Array>; lastInbound: Int32Array } {
    if (length > this.capacity) {
      this.capacity = Math.max(length, Math.ceil(this.capacity * 1.5));
      for (const name of SERIES) this.arrays[name] = new Float64Array(this.capacity + 1);
      this.last = new Int32Array(this.capacity);
      this.tags = [];
    }
    this.tagsTaken = 0;
    const series = {} as Record<SeriesName, Float64Array>;
    for (const name of SERIES) {
      const view = this.arrays[name].subarray(0, length + 1);
      view.fill(0);
      series[name] = view;
    }
    return { series, lastInbound: this.last.subarray(0, length) };
  }

  /** A zeroed array of `length + 1` entries for one tag's series. */
  tag(length: number): Float64Array {
    let buffer = this.tags[this.tagsTaken];
    if (!buffer) {
      buffer = new Float64Array(this.capacity + 1);
      this.tags.push(buffer);
    }
    this.tagsTaken++;
    const view = buffer.subarray(0, length + 1);
    view.fill(0);
    return view;
  }
}

function clampIndex(dayNumber: number, origin: number, length: number): number {
  const i = dayNumber - origin;
  return i < 0 ? -1 : i >= length ? -1 : i;
}

/**
 * Lay out one account's records between `origin` and `origin + length - 1` (day numbers).
 * Records outside the range are ignored for the daily series (stakeholders and milestones are kept whole).
 */
export function buildTimeline(
  records: AccountRecords,
  origin: number,
  length: number,
  incidents: IncidentLookup = NO_INCIDENTS,
  buffers: TimelineBuffers = new TimelineBuffers(),
): Timeline {
  return timelineOf(factsOf(records), origin, length, incidents, buffers);
}

/** `buildTimeline` from an account's facts (read once by `factsOf`). */
export function timelineOf(
  facts: AccountFacts,
  origin: number,
  length: number,
  incidents: IncidentLookup = NO_INCIDENTS,
  buffers: TimelineBuffers = new TimelineBuffers(),
): Timeline {
  const records = facts.records;
  const { series, lastInbound } = buffers.take(length);
  const s = series;
  // By persona index (facts.ts PERSONAS order).
  const contactSeries = [
    s.contactExecutive,
    s.contactChampion,
    s.contactInfluencer,
    s.contactEnd_user,
  ];
  const first = facts.first;
  const c = facts.columns;

  const tagSeries = new Map<string, Float64Array>();
  const tickets: TicketFact[] = [];
  for (let k = 0; k < records.tickets.length; k++) {
    const row = facts.ticketFrom + k;
    const day = c.ticketDay[row]!;
    const i = clampIndex(day, origin, length);
    if (i < 0) continue;
    const t = records.tickets[k]!;
    const incident = t.tags.some((tag) => incidents.isIncident(tag, day));
    const flags = c.ticketFlags[row]!;
    const fact: TicketFact = {
      at: t.createdAt,
      id: t.id,
      dayIndex: i,
      negative: (flags & T_NEGATIVE) !== 0,
      bad: (flags & T_BAD) !== 0,
      escalated: (flags & T_ESCALATED) !== 0,
      reopens: c.ticketReopens[row]!,
      tags: t.tags,
      requesterId: t.requesterId,
      incident,
    };
    tickets.push(fact);
    // Contact from the customer, incident or not: they are reaching out.
    s.inbound[i + 1]! += 1;
    const persona = c.ticketPersona[row]!;
    if (persona !== NO_PERSONA) contactSeries[persona]![i + 1]! += 1;
    if (incident) {
      s.incidentTickets[i + 1]! += 1;
      continue;
    }
    s.tickets[i + 1]! += 1;
    if (fact.negative) s.negative[i + 1]! += 1;
    if (fact.bad) s.bad[i + 1]! += 1;
    if (flags & T_GOOD) s.good[i + 1]! += 1;
    if (fact.reopens) s.reopens[i + 1]! += fact.reopens;
    if (fact.escalated) s.escalations[i + 1]! += 1;
    for (const tag of t.tags) {
      let ts = tagSeries.get(tag);
      if (!ts) {
        ts = buffers.tag(length);
        tagSeries.set(tag, ts);
      }
      ts[i + 1]! += 1;
    }
    const solvedDay = c.ticketSolvedDay[row]!;
    if (!Number.isNaN(solvedDay)) {
      const j = clampIndex(solvedDay, origin, length);
      if (j >= 0) {
        s.resolutionMinutes[j + 1]! += c.ticketResolutionMinutes[row]!;
        s.resolved[j + 1]! += 1;
      }
    }
  }
  // Chronological, to the minute: evidence lists read in order, whatever order the source sent.
  tickets.sort((a, b) => a.dayIndex - b.dayIndex || (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  const engagements: EngagementFact[] = [];
  for (let k = 0; k < records.engagements.length; k++) {
    const row = facts.engagementFrom + k;
    const i = clampIndex(c.engagementDay[row]!, origin, length);
    const flags = c.engagementFlags[row]!;
    if (i < 0 || flags & E_INTERNAL) continue;
    const spoke = (flags & E_CUSTOMER_SPOKE) !== 0;
    const unanswered = (flags & E_UNANSWERED) !== 0;
    if (spoke) s.inbound[i + 1]! += 1;
    if (flags & E_OUTBOUND) s.outbound[i + 1]! += 1;
    if (unanswered) s.unanswered[i + 1]! += 1;
    const persona = c.engagementPersona[row]!;
    if (persona !== NO_PERSONA && spoke) contactSeries[persona]![i + 1]! += 1;
    const e = records.engagements[k]!;
    engagements.push({
      id: e.id,
      dayIndex: i,
      at: e.at,
      direction: e.direction,
      unanswered,
      persona: persona === NO_PERSONA ? undefined : PERSONAS[persona],
    });
  }
  engagements.sort((a, b) => a.dayIndex - b.dayIndex || (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  const usageUsers = s.usageUsers;
  const usageEvents = s.usageEvents;
  const usageDays = s.usageDays;
  const usageTo = facts.usageFrom + records.usage.length;
  for (let row = facts.usageFrom; row < usageTo; row++) {
    const i = clampIndex(c.usageDay[row]!, origin, length);
    if (i < 0) continue;
    // Several features may share a day: events add up; active users of the account are at least
    // those of its busiest feature, so take the maximum rather than double-count.
    const au = c.usageUsers[row]!;
    if (!Number.isNaN(au) && au > usageUsers[i + 1]!) usageUsers[i + 1] = au;
    const ev = c.usageEvents[row]!;
    if (!Number.isNaN(ev)) usageEvents[i + 1]! += ev;
    usageDays[i + 1] = 1;
  }

  for (const name of SERIES) {
    const a = s[name];
    for (let i = 1; i <= length; i++) a[i]! += a[i - 1]!;
  }
  for (const a of tagSeries.values()) for (let i = 1; i <= length; i++) a[i]! += a[i - 1]!;

  let last = -1;
  const inbound = s.inbound;
  for (let i = 0; i < length; i++) {
    if (inbound[i + 1]! > inbound[i]!) last = i;
    lastInbound[i] = last;
  }

  const since = records.account.customerSince
    ? toDayNumber(records.account.customerSince)
    : undefined;
  // History starts at the first record: a contract signed years before the data began says nothing
  // about what happened in between.
  const firstDay = !Number.isFinite(first) && since !== undefined ? since : first;
  const renewal = records.account.renewalAt ? toDayNumber(records.account.renewalAt) : undefined;
  return {
    account: records.account,
    origin,
    length,
    series,
    tags: [...tagSeries.keys()],
    tagArrays: [...tagSeries.values()],
    lastInbound,
    tickets,
    engagements,
    stakeholders: records.stakeholders.map((st) => ({
      id: st.id,
      label: st.name ?? st.email ?? st.id,
      persona: st.persona,
      leftIndex: st.leftAt
        ? timeToDayNumber(st.leftAt) - origin
        : st.active
          ? Number.POSITIVE_INFINITY
          : Number.NaN,
    })),
    personas: new Set(records.stakeholders.flatMap((st) => (st.persona ? [st.persona] : []))),
    unhappyTickets: tickets.flatMap((x) =>
      !x.incident && (x.negative || x.bad) && x.requesterId
        ? [{ id: x.id, dayIndex: x.dayIndex, requesterId: x.requesterId }]
        : [],
    ),
    milestones: records.milestones.map((m) => ({
      id: m.id,
      name: m.name,
      dueIndex: toDayNumber(m.dueAt) - origin,
      doneIndex: m.doneAt ? toDayNumber(m.doneAt) - origin : Number.POSITIVE_INFINITY,
    })),
    firstIndex: Number.isFinite(firstDay) ? firstDay - origin : length,
    customerSinceIndex: since === undefined ? undefined : since - origin,
    renewalIndex: renewal === undefined ? undefined : renewal - origin,
  };
}

/** Total of a series over day indices a..b inclusive (clamped to the timeline). */
export function sum(series: Float64Array, a: number, b: number): number {
  const lo = Math.max(a, 0);
  const hi = b >= series.length - 1 ? series.length - 2 : b;
  if (hi < lo) return 0;
  return series[hi + 1]! - series[lo]!;
}

/**
 * The items of a day-sorted list (tickets, engagements) on day indices a..b: a slice found by binary
 * search, so evidence lists cost what is in the window, not the account's whole history.
 */
export function within<T extends { dayIndex: number }>(
  list: readonly T[],
  a: number,
  b: number,
): T[] {
  const lo = firstAtOrAfter(list, a);
  const hi = firstAtOrAfter(list, b + 1);
  return list.slice(lo, hi);
}

/** Index of the first item on or after day index `day` in a day-sorted list. */
export function firstAtOrAfter(list: readonly { dayIndex: number }[], day: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.dayIndex < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
