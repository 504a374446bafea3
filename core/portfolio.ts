// What the whole portfolio says on each day: which sources are fresh, the usual rates, portfolio-wide
// usage dips, and product-wide incidents (found in incidents.ts).
import { toDayNumber, toDayString } from "./day.ts";
import {
  type AccountFacts,
  E_CUSTOMER_SPOKE,
  FACTS_BATCH,
  FactsPool,
  factsOf,
  spanOfFacts,
  ticketTrouble,
} from "./facts.ts";
import { detectIncidents, type Incident } from "./incidents.ts";
import type { PortfolioView } from "./signals/signal.ts";
import type { AccountRecords } from "./timeline.ts";

/**
 * A source that stopped or collapsed across the whole portfolio at once: an analytics outage or a
 * broken export, not every customer walking away on the same day. Accounts are scored without it
 * while it lasts (coverage drops) and one portfolio alert reports it.
 */
export interface DataOutage {
  source: keyof typeof STALE_DAYS;
  kind: "stopped" | "collapsed";
  /** First day without the source's usual data. */
  from: string;
  /** Last day of the outage; null while it goes on. */
  to: string | null;
  /** For a collapse: the lowest daily level against the usual one (0..1). */
  lowest?: number;
}

/** A day's portfolio usage below this share of the same weekday's usual level is a collapse… */
export const COLLAPSE_BELOW = 0.25;
/** …once it lasts this many days; it ends on the first day back above half the usual level. */
export const COLLAPSE_DAYS = 2;

export interface PortfolioContext extends PortfolioView {
  /** Sources that stopped or collapsed portfolio-wide, oldest first. */
  outages: readonly DataOutage[];
  /** Each account's record span, computed once here so scoring need not walk the records again. */
  spanOf(accountId: string): { first: number; last: number } | undefined;
  /** Day numbers spanned by the data. */
  firstDay: number;
  lastDay: number;
  isIncident(tag: string, dayNumber: number): boolean;
}

/** Days without any record after which a source counts as stale. */
export const STALE_DAYS = { tickets: 30, engagements: 30, usage: 7 } as const;

/** First and last day an account has records (scoring starts at its first record). */
export function accountSpan(r: AccountRecords): { first: number; last: number } {
  return spanOfFacts(factsOf(r));
}

/**
 * The portfolio context from every account's records, read a batch of accounts at a time into
 * `pool` (which the caller may reuse afterwards for its own batches).
 */
export function buildPortfolioContext(
  groups: readonly AccountRecords[],
  pool: FactsPool = new FactsPool(),
  options: ContextOptions = {},
): PortfolioContext {
  const builder = new ContextBuilder();
  for (let k = 0; k < groups.length; k += FACTS_BATCH)
    for (const f of pool.fill(groups.slice(k, k + FACTS_BATCH))) builder.add(f);
  return builder.finish(options);
}

/**
 * Counts per calendar day, for days not known in advance: the context is built account by account,
 * before the portfolio's span is known. Index 0 of `data` is day `base`.
 */
class DayCounts {
  private base = 0;
  private data = new Float64Array(0);

  add(day: number, v: number): void {
    if (this.data.length === 0) {
      this.base = day - 32;
      this.data = new Float64Array(64);
    }
    let i = day - this.base;
    if (i < 0 || i >= this.data.length) {
      const lo = Math.min(this.base, day);
      const hi = Math.max(this.base + this.data.length, day + 1);
      const size = Math.max(hi - lo, this.data.length * 2);
      const next = new Float64Array(size);
      const base = i < 0 ? hi - size : lo;
      next.set(this.data, this.base - base);
      this.base = base;
      this.data = next;
      i = day - base;
    }
    this.data[i]! += v;
  }

  /** Counts of days [from, from + length) at offsets [shift, shift + length) of a new array of `size`. */
  range(from: number, length: number, size: number, shift: number): Float64Array {
    const out = new Float64Array(size);
    for (let k = 0; k < length; k++) {
      const i = from + k - this.base;
      if (i >= 0 && i < this.data.length) out[k + shift] = this.data[i]!;
    }
    return out;
  }
}

/**
 * The portfolio context, built from one account's facts at a time (so a large portfolio never needs
 * every account's facts at once) and finished when all have been added.
 */
export class ContextBuilder {
  private firstDay = Number.POSITIVE_INFINITY;
  private lastDay = Number.NEGATIVE_INFINITY;
  private readonly spanById = new Map<string, { first: number; last: number }>();
  private readonly source = {
    tickets: { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY },
    engagements: { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY },
    usage: { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY },
  };
  // Usage level per alive account per day (alive: between its first and last usage day).
  private readonly users = new DayCounts();
  private readonly events = new DayCounts();
  private readonly alive = new DayCounts();
  /** Accounts between their first and last record, as +1/-1 steps. */
  private readonly spanSteps = new DayCounts();
  // Customer contacts per day (tickets, inbound or answered engagements), across the portfolio.
  private readonly contacts = new DayCounts();
  /** Per tag: accounts filing on it each day. */
  private readonly tagAccounts = new Map<string, DayCounts>();
  /**
   * Every ticket's day, account and tags, for counting an incident's tickets once it is known:
   * as numbers (accounts and distinct tag lists by index), so a large portfolio's tickets cost a
   * few bytes each and keep none of its records alive.
   */
  private ticketDays = new Int32Array(1024);
  private ticketAccounts = new Int32Array(1024);
  private ticketTags = new Int32Array(1024);
  private readonly accountIndex: string[] = [];
  private readonly tagLists: string[][] = [];
  private readonly tagListIndex = new Map<string, number>();
  private tickets = 0;
  private trouble = 0;
  private accountDays = 0;

  private seeSource(k: keyof ContextBuilder["source"], d: number): void {
    const s = this.source[k];
    if (d < s.first) s.first = d;
    if (d > s.last) s.last = d;
  }

  private addTicket(day: number, account: number, tags: string[]): void {
    const n = this.tickets - 1;
    if (n >= this.ticketDays.length) {
      const grow = (a: Int32Array) => {
        const next = new Int32Array(a.length * 2);
        next.set(a);
        return next;
      };
      this.ticketDays = grow(this.ticketDays);
      this.ticketAccounts = grow(this.ticketAccounts);
      this.ticketTags = grow(this.ticketTags);
    }
    const key = tags.join("\u0000");
    let list = this.tagListIndex.get(key);
    if (list === undefined) {
      list = this.tagLists.push([...tags]) - 1;
      this.tagListIndex.set(key, list);
    }
    this.ticketDays[n] = day;
    this.ticketAccounts[n] = account;
    this.ticketTags[n] = list;
  }

  add(r: AccountFacts): void {
    const id = r.records.account.id;
    const span = spanOfFacts(r);
    this.spanById.set(id, span);
    // The portfolio's span is that of its records; a contract date alone does not stretch it.
    if (Number.isFinite(span.last)) {
      if (span.first < this.firstDay) this.firstDay = span.first;
      if (span.last > this.lastDay) this.lastDay = span.last;
    }
    if (Number.isFinite(span.first) && Number.isFinite(span.last)) {
      this.accountDays += span.last - span.first + 1;
      this.spanSteps.add(span.first, 1);
      this.spanSteps.add(span.last + 1, -1);
    }
    const c = r.columns;
    const seen = new Set<string>();
    const accountNo = this.accountIndex.push(id) - 1;
    for (let k = 0; k < r.records.tickets.length; k++) {
      const row = r.ticketFrom + k;
      const d = c.ticketDay[row]!;
      const flags = c.ticketFlags[row]!;
      const tags = r.records.tickets[k]!.tags;
      this.seeSource("tickets", d);
      this.tickets++;
      this.trouble += ticketTrouble(flags, c.ticketReopens[row]!);
      for (const tag of tags) {
        const key = `${d}|${tag}`;
        if (seen.has(key)) continue;
        seen.add(key);
        let a = this.tagAccounts.get(tag);
        if (!a) {
          a = new DayCounts();
          this.tagAccounts.set(tag, a);
        }
        a.add(d, 1);
      }
      this.contacts.add(d, 1);
      this.addTicket(d, accountNo, tags);
    }
    const engagementTo = r.engagementFrom + r.records.engagements.length;
    for (let row = r.engagementFrom; row < engagementTo; row++) {
      const d = c.engagementDay[row]!;
      this.seeSource("engagements", d);
      if (c.engagementFlags[row]! & E_CUSTOMER_SPOKE) this.contacts.add(d, 1);
    }
    const usageTo = r.usageFrom + r.records.usage.length;
    for (let row = r.usageFrom; row < usageTo; row++) {
      const d = c.usageDay[row]!;
      const au = c.usageUsers[row]!;
      const ev = c.usageEvents[row]!;
      if (!Number.isNaN(au)) this.users.add(d, au);
      if (!Number.isNaN(ev)) this.events.add(d, ev);
    }
    if (Number.isFinite(r.usageFirst)) {
      this.seeSource("usage", r.usageFirst);
      this.seeSource("usage", r.usageLast);
      this.alive.add(r.usageFirst, 1);
      this.alive.add(r.usageLast + 1, -1);
    }
  }

  finish(options: ContextOptions = {}): PortfolioContext {
    let { firstDay, lastDay } = this;
    if (!Number.isFinite(firstDay)) firstDay = lastDay = 0;
    if (!Number.isFinite(lastDay)) lastDay = firstDay;
    const length = lastDay - firstDay + 1;
    const tagAccounts = new Map<string, Float64Array>();
    for (const [tag, counts] of this.tagAccounts)
      tagAccounts.set(tag, counts.range(firstDay, length, length, 0));
    const { ticketDays, ticketAccounts, ticketTags, tagLists, tickets: count } = this;
    const counter: IncidentTickets = {
      count(tags, from, to) {
        let tickets = 0;
        const accounts = new Set<number>();
        const hit = tagLists.map((list) => list.some((tag) => tags.includes(tag)));
        for (let k = 0; k < count; k++) {
          const d = ticketDays[k]!;
          if (d >= from && d <= to && hit[ticketTags[k]!]) {
            tickets++;
            accounts.add(ticketAccounts[k]!);
          }
        }
        return { tickets, accounts: accounts.size };
      },
    };
    return contextFromAggregates(
      {
        firstDay,
        lastDay,
        tickets: this.tickets,
        trouble: this.trouble,
        accountDays: this.accountDays,
        source: this.source,
      },
      {
        users: this.users.range(firstDay, length, length, 0),
        events: this.events.range(firstDay, length, length, 0),
        contacts: this.contacts.range(firstDay, length, length, 0),
        spanSteps: this.spanSteps.range(firstDay, length, length, 0),
        aliveSteps: this.alive.range(firstDay, length + 1, length + 1, 0),
        tagAccounts,
      },
      counter,
      this.spanById,
      options,
    );
  }
}

/** Portfolio-wide totals, over every account's records. */
export interface PortfolioTotals {
  /** First and last day with a record (0 and 0 for a portfolio without any). */
  firstDay: number;
  lastDay: number;
  tickets: number;
  /** Support trouble of every ticket (facts.ts `ticketTrouble`). */
  trouble: number;
  /** Days between each account's first and last record, summed. */
  accountDays: number;
  /** First and last day each source delivered a record. */
  source: Record<keyof typeof STALE_DAYS, { first: number; last: number }>;
}

/**
 * Per-day counts across the portfolio, day `firstDay + i` at index i for the days of the span (one
 * more for `aliveSteps`: the day after the last).
 */
export interface DailyAggregates {
  /** Active users and events, summed over accounts. */
  users: Float64Array;
  events: Float64Array;
  /** Customer contacts: tickets, and engagements where the customer spoke. */
  contacts: Float64Array;
  /** +1 on each account's first record day, -1 on the day after its last. */
  spanSteps: Float64Array;
  /** The same over each account's first and last usage day. */
  aliveSteps: Float64Array;
  /** Per ticket tag: accounts that filed a ticket with it that day. */
  tagAccounts: Map<string, Float64Array>;
}

/** Tickets (and their accounts) carrying any of `tags` on days [from, to]: an incident's size. */
export interface IncidentTickets {
  count(tags: readonly string[], from: number, to: number): { tickets: number; accounts: number };
}

/**
 * The portfolio context from its aggregates: what a store keeps as records arrive, or what
 * `buildPortfolioContext` adds up account by account. Spans of single accounts are optional: a
 * scorer reads an account's own span from its facts when the context does not have it.
 */
export function contextFromAggregates(
  totals: PortfolioTotals,
  daily: DailyAggregates,
  counter: IncidentTickets,
  spans: Map<string, { first: number; last: number }> = new Map(),
  options: ContextOptions = {},
): PortfolioContext {
  const { firstDay, lastDay, tickets, trouble, accountDays, source } = totals;
  const length = lastDay - firstDay + 1;
  // Day i of the portfolio at index i + 1: ready to become prefix sums.
  const shifted = (a: Float64Array) => {
    const out = new Float64Array(length + 1);
    out.set(a.subarray(0, length), 1);
    return out;
  };
  const users = shifted(daily.users);
  const events = shifted(daily.events);
  const contacts = shifted(daily.contacts);
  const alive = new Float64Array(length + 2);
  alive.set(daily.aliveSteps.subarray(0, length + 1), 0);
  const tagAccounts = new Map<string, Float64Array>();
  for (const [tag, counts] of daily.tagAccounts) tagAccounts.set(tag, shifted(counts));
  for (let i = 1; i <= length; i++) alive[i]! += alive[i - 1]!;
  for (let i = 1; i <= length; i++) {
    users[i]! += users[i - 1]!;
    events[i]! += events[i - 1]!;
  }
  const aliveSum = new Float64Array(length + 1);
  for (let i = 0; i < length; i++) aliveSum[i + 1] = aliveSum[i]! + alive[i]!;
  const win = (a: Float64Array, lo: number, hi: number) => {
    const l = Math.max(0, lo - firstDay);
    const h = Math.min(length - 1, hi - firstDay);
    return h < l ? 0 : a[h + 1]! - a[l]!;
  };
  const perAlive = (lo: number, hi: number) => {
    const n = win(aliveSum, lo, hi);
    return n > 0 ? (win(users, lo, hi) + win(events, lo, hi) / 10) / n : 0;
  };
  const usageRatioAt = (d: number): number => {
    const recent = perAlive(d - 13, d);
    const usual = perAlive(d - 104, d - 14);
    return usual > 0 && recent > 0 ? recent / usual : 1;
  };

  const aliveAccounts = new Float64Array(length);
  aliveAccounts.set(daily.spanSteps.subarray(0, length));
  for (let i = 1; i < length; i++) aliveAccounts[i]! += aliveAccounts[i - 1]!;
  const spanAlive = new Float64Array(length + 1);
  for (let i = 0; i < length; i++) spanAlive[i + 1] = spanAlive[i]! + aliveAccounts[i]!;
  for (let i = 1; i <= length; i++) contacts[i]! += contacts[i - 1]!;
  const perAccount = (lo: number, hi: number) => {
    const n = win(spanAlive, lo, hi);
    return n > 0 ? win(contacts, lo, hi) / n : 0;
  };
  const contactRatioAt = (d: number): number => {
    const recent = perAccount(d - 44, d);
    const usual = perAccount(d - 224, d - 45);
    return usual > 0 && recent > 0 ? recent / usual : 1;
  };
  const incidents = detectIncidents(tagAccounts, aliveAccounts, firstDay, counter);
  const windows = new Map<string, { from: number; to: number }[]>();
  for (const inc of incidents) {
    for (const tag of inc.tags) {
      const list = windows.get(tag) ?? [];
      list.push({ from: toDayNumber(inc.from), to: toDayNumber(inc.to) });
      windows.set(tag, list);
    }
  }
  const complete = Math.min(lastDay, options.completeThrough ?? lastDay);
  const dailyLevel = (d: number) => {
    const n = win(aliveSum, d, d);
    return n > 0 ? (win(users, d, d) + win(events, d, d) / 10) / n : 0;
  };
  const outages = detectOutages(source, firstDay, complete, dailyLevel);
  const per30 = accountDays > 0 ? 30 / accountDays : 0;
  return new Context({
    outages,
    // Only an explicit last complete day holds days back: without one, every day is complete.
    completeThrough: options.completeThrough ?? Number.POSITIVE_INFINITY,
    firstDay,
    lastDay,
    troublePer30: trouble * per30,
    ticketsPer30: tickets * per30,
    troublePerTicket: tickets > 0 ? trouble / tickets : 0,
    incidents,
    spans,
    windows,
    source,
    usageRatioAt,
    usageLevelAt: (d: number) => perAlive(d - 27, d),
    contactRatioAt,
  });
}

/**
 * The finished context. A class rather than an object of closures: every portfolio scored shares
 * its methods, so the daily loop's calls into it keep one target from one run to the next (fresh
 * closures gave every run new call targets for the optimised signals to be deoptimised over).
 * The daily ratios are tabled once for the portfolio's span; days outside it (scoring past the
 * last record) are computed when asked.
 */
class Context implements PortfolioContext {
  readonly firstDay: number;
  readonly lastDay: number;
  readonly troublePer30: number;
  readonly ticketsPer30: number;
  readonly troublePerTicket: number;
  readonly incidents: readonly Incident[];
  readonly outages: readonly DataOutage[];
  readonly completeThrough: number;
  /** Per source: day-number spans in which it is not to be trusted (an outage and the 14 days after). */
  private readonly blind: Record<keyof typeof STALE_DAYS, { from: number; to: number }[]>;
  private readonly spans: Map<string, { first: number; last: number }>;
  private readonly windows: Map<string, { from: number; to: number }[]>;
  private readonly source: Record<keyof typeof STALE_DAYS, { first: number; last: number }>;
  /** Ratios for the days of the span (index 0 is firstDay); other days are computed when asked. */
  private readonly usageRatios: Float64Array;
  private readonly contactRatios: Float64Array;
  private readonly usageLevels: Float64Array;
  private readonly usageRatioAt: (d: number) => number;
  private readonly usageLevelAt: (d: number) => number;
  private readonly contactRatioAt: (d: number) => number;

  constructor(c: {
    firstDay: number;
    lastDay: number;
    troublePer30: number;
    ticketsPer30: number;
    troublePerTicket: number;
    incidents: Incident[];
    outages: DataOutage[];
    completeThrough: number;
    spans: Map<string, { first: number; last: number }>;
    windows: Map<string, { from: number; to: number }[]>;
    source: Record<keyof typeof STALE_DAYS, { first: number; last: number }>;
    usageRatioAt: (d: number) => number;
    usageLevelAt: (d: number) => number;
    contactRatioAt: (d: number) => number;
  }) {
    this.firstDay = c.firstDay;
    this.lastDay = c.lastDay;
    this.troublePer30 = c.troublePer30;
    this.ticketsPer30 = c.ticketsPer30;
    this.troublePerTicket = c.troublePerTicket;
    this.incidents = c.incidents;
    this.outages = c.outages;
    this.completeThrough = c.completeThrough;
    this.blind = { tickets: [], engagements: [], usage: [] };
    for (const o of c.outages)
      this.blind[o.source].push({
        from: toDayNumber(o.from),
        // Windows reaching back over an outage read its missing days: wait until they have passed.
        to: o.to === null ? Number.POSITIVE_INFINITY : toDayNumber(o.to) + OUTAGE_SHADOW_DAYS,
      });
    this.spans = c.spans;
    this.windows = c.windows;
    this.source = c.source;
    this.usageRatioAt = c.usageRatioAt;
    this.usageLevelAt = c.usageLevelAt;
    this.contactRatioAt = c.contactRatioAt;
    const length = c.lastDay - c.firstDay + 1;
    this.usageRatios = new Float64Array(length);
    this.contactRatios = new Float64Array(length);
    this.usageLevels = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      this.usageRatios[i] = c.usageRatioAt(c.firstDay + i);
      this.usageLevels[i] = c.usageLevelAt(c.firstDay + i);
      this.contactRatios[i] = c.contactRatioAt(c.firstDay + i);
    }
  }

  spanOf(accountId: string): { first: number; last: number } | undefined {
    return this.spans.get(accountId);
  }

  usageRatio(d: number): number {
    const i = d - this.firstDay;
    return i >= 0 && i < this.usageRatios.length ? this.usageRatios[i]! : this.usageRatioAt(d);
  }

  usageLevel(d: number): number {
    const i = d - this.firstDay;
    return i >= 0 && i < this.usageLevels.length ? this.usageLevels[i]! : this.usageLevelAt(d);
  }

  contactRatio(d: number): number {
    const i = d - this.firstDay;
    return i >= 0 && i < this.contactRatios.length
      ? this.contactRatios[i]!
      : this.contactRatioAt(d);
  }

  isIncident(tag: string, day: number): boolean {
    const list = this.windows.get(tag);
    if (list === undefined) return false;
    for (const w of list) if (day >= w.from && day <= w.to) return true;
    return false;
  }

  sourceFresh(kind: keyof typeof STALE_DAYS, day: number): boolean {
    const s = this.source[kind];
    if (day < s.first || day - s.last > STALE_DAYS[kind]) return false;
    for (const b of this.blind[kind]) if (day >= b.from && day <= b.to) return false;
    return true;
  }
}

export type { Incident };

/** How the portfolio context is built beyond its aggregates. */
export interface ContextOptions {
  /**
   * The last complete day (a day number): days after it are still arriving (today, for a store
   * scoring as the day goes on) and never read as a collapse.
   */
  completeThrough?: number;
}

/** Days after an outage ends during which the source's windows (a fortnight's drop, four weeks' level) still hold its missing days. */
export const OUTAGE_SHADOW_DAYS = 28;

/**
 * Sources that stopped (their last record more than their stale days before the portfolio's last
 * complete day, while other sources go on) or, for usage, collapsed: the portfolio's daily level
 * per account below COLLAPSE_BELOW of the same weekday's over the four weeks before, for
 * COLLAPSE_DAYS days or more.
 */
function detectOutages(
  source: Record<keyof typeof STALE_DAYS, { first: number; last: number }>,
  firstDay: number,
  complete: number,
  level: (d: number) => number,
): DataOutage[] {
  const out: DataOutage[] = [];
  const u = source.usage;
  if (Number.isFinite(u.first)) {
    let start: number | null = null;
    let lowest = 1;
    for (let d = Math.max(firstDay, u.first) + 28; d <= Math.min(complete, u.last); d++) {
      const usual = (level(d - 7) + level(d - 14) + level(d - 21) + level(d - 28)) / 4;
      if (usual <= 0) continue;
      const share = level(d) / usual;
      if (start === null) {
        if (share < COLLAPSE_BELOW) {
          start = d;
          lowest = share;
        }
      } else if (share >= 0.5) {
        if (d - start >= COLLAPSE_DAYS)
          out.push({
            source: "usage",
            kind: "collapsed",
            from: toDayString(start),
            to: toDayString(d - 1),
            lowest,
          });
        start = null;
      } else lowest = Math.min(lowest, share);
    }
    if (start !== null && Math.min(complete, u.last) - start + 1 >= COLLAPSE_DAYS)
      out.push({ source: "usage", kind: "collapsed", from: toDayString(start), to: null, lowest });
  }
  for (const kind of Object.keys(STALE_DAYS) as (keyof typeof STALE_DAYS)[]) {
    const s = source[kind];
    if (!Number.isFinite(s.last)) continue;
    if (complete - s.last > STALE_DAYS[kind])
      out.push({ source: kind, kind: "stopped", from: toDayString(s.last + 1), to: null });
  }
  return out;
}
