// What the whole portfolio says on each day: which sources are fresh, the usual rates, portfolio-wide
// usage dips, and product-wide incidents (many accounts filing on one topic at once).
import { timeToDayNumber, toDayNumber, toDayString } from "./day.ts";
import type { PortfolioView } from "./signals/signal.ts";
import { isNegativeTicket } from "./text/sentiment.ts";
import type { AccountRecords } from "./timeline.ts";

/** A product-wide incident: reported once for the portfolio, not as a task per account. */
export interface Incident {
  /** The tags the incident's tickets carry (one incident often spikes a topic tag and a type tag at once). */
  tags: string[];
  /** First and last day (YYYY-MM-DD). */
  from: string;
  to: string;
  accounts: number;
  tickets: number;
}

export interface PortfolioContext extends PortfolioView {
  /** Each account's record span, computed once here so scoring need not walk the records again. */
  spanOf(accountId: string): { first: number; last: number } | undefined;
  /** Day numbers spanned by the data. */
  firstDay: number;
  lastDay: number;
  isIncident(tag: string, dayNumber: number): boolean;
}

/** Days without any record after which a source counts as stale. */
export const STALE_DAYS = { tickets: 30, engagements: 30, usage: 7 } as const;
const INCIDENT_WINDOW_DAYS = 3;
const INCIDENT_BASELINE_DAYS = 60;
const INCIDENT_MIN_HISTORY_DAYS = 30;

/** First and last day an account has records (scoring starts at its first record). */
export function accountSpan(r: AccountRecords): { first: number; last: number } {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const see = (d: number) => {
    if (d < first) first = d;
    if (d > last) last = d;
  };
  for (const t of r.tickets) see(timeToDayNumber(t.createdAt));
  for (const e of r.engagements) see(timeToDayNumber(e.at));
  for (const u of r.usage) see(toDayNumber(u.day));
  // Without any record, the account's life is known only from its contract start.
  if (!Number.isFinite(first) && r.account.customerSince)
    first = toDayNumber(r.account.customerSince);
  return { first, last };
}

export function buildPortfolioContext(groups: readonly AccountRecords[]): PortfolioContext {
  let firstDay = Number.POSITIVE_INFINITY;
  let lastDay = Number.NEGATIVE_INFINITY;
  const spanById = new Map<string, { first: number; last: number }>();
  const spans = groups.map((g) => {
    const s = accountSpan(g);
    spanById.set(g.account.id, s);
    // The portfolio's span is that of its records; a contract date alone does not stretch it.
    if (Number.isFinite(s.last)) {
      if (s.first < firstDay) firstDay = s.first;
      if (s.last > lastDay) lastDay = s.last;
    }
    return s;
  });
  if (!Number.isFinite(firstDay)) firstDay = lastDay = 0;
  if (!Number.isFinite(lastDay)) lastDay = firstDay;
  const length = lastDay - firstDay + 1;

  const source = {
    tickets: { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY },
    engagements: { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY },
    usage: { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY },
  };
  const seeSource = (k: keyof typeof source, d: number) => {
    const s = source[k];
    if (d < s.first) s.first = d;
    if (d > s.last) s.last = d;
  };

  // Usage level per alive account per day (alive: between its first and last usage day).
  const users = new Float64Array(length + 1);
  const events = new Float64Array(length + 1);
  const alive = new Float64Array(length + 2);
  // Customer contacts per day (tickets, inbound or answered engagements), across the portfolio.
  const contacts = new Float64Array(length + 1);
  const tagAccounts = new Map<string, Float64Array>();
  let tickets = 0;
  let trouble = 0;
  let accountDays = 0;
  for (let g = 0; g < groups.length; g++) {
    const r = groups[g]!;
    const span = spans[g]!;
    if (Number.isFinite(span.first) && Number.isFinite(span.last))
      accountDays += span.last - span.first + 1;
    const seen = new Set<string>();
    for (const t of r.tickets) {
      const d = timeToDayNumber(t.createdAt);
      seeSource("tickets", d);
      tickets++;
      trouble +=
        (t.satisfaction === "bad" ? 1.5 : 0) +
        (t.escalated ? 1.5 : 0) +
        0.75 * (t.reopens ?? 0) +
        (isNegativeTicket(t.subject, t.text) ? 1 : 0);
      for (const tag of t.tags) {
        const key = `${d}|${tag}`;
        if (seen.has(key)) continue;
        seen.add(key);
        let a = tagAccounts.get(tag);
        if (!a) {
          a = new Float64Array(length + 1);
          tagAccounts.set(tag, a);
        }
        a[d - firstDay + 1]! += 1;
      }
    }
    for (const t of r.tickets) contacts[timeToDayNumber(t.createdAt) - firstDay + 1]! += 1;
    for (const e of r.engagements) {
      const d = timeToDayNumber(e.at);
      seeSource("engagements", d);
      if (
        e.direction === "inbound" ||
        e.outcome === "replied" ||
        (e.kind === "meeting" && e.outcome === "completed")
      )
        contacts[d - firstDay + 1]! += 1;
    }
    let uFirst = Number.POSITIVE_INFINITY;
    let uLast = Number.NEGATIVE_INFINITY;
    for (const u of r.usage) {
      const d = toDayNumber(u.day);
      if (d < uFirst) uFirst = d;
      if (d > uLast) uLast = d;
      const i = d - firstDay + 1;
      users[i]! += u.activeUsers ?? 0;
      events[i]! += u.events ?? 0;
    }
    if (Number.isFinite(uFirst)) {
      seeSource("usage", uFirst);
      seeSource("usage", uLast);
      alive[uFirst - firstDay]! += 1;
      alive[uLast - firstDay + 1]! -= 1;
    }
  }
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
  const ratioCache = new Map<number, number>();
  const usageRatio = (d: number): number => {
    let r = ratioCache.get(d);
    if (r === undefined) {
      const recent = perAlive(d - 13, d);
      const usual = perAlive(d - 104, d - 14);
      r = usual > 0 && recent > 0 ? recent / usual : 1;
      ratioCache.set(d, r);
    }
    return r;
  };

  const aliveAccounts = new Float64Array(length);
  for (const s of spans) {
    if (!Number.isFinite(s.first)) continue;
    for (let d = Math.max(s.first, firstDay); d <= Math.min(s.last, lastDay); d++)
      aliveAccounts[d - firstDay]! += 1;
  }
  const spanAlive = new Float64Array(length + 1);
  for (let i = 0; i < length; i++) spanAlive[i + 1] = spanAlive[i]! + aliveAccounts[i]!;
  for (let i = 1; i <= length; i++) contacts[i]! += contacts[i - 1]!;
  const contactCache = new Map<number, number>();
  const contactRatio = (d: number): number => {
    let r = contactCache.get(d);
    if (r === undefined) {
      const perAccount = (lo: number, hi: number) => {
        const n = win(spanAlive, lo, hi);
        return n > 0 ? win(contacts, lo, hi) / n : 0;
      };
      const recent = perAccount(d - 44, d);
      const usual = perAccount(d - 224, d - 45);
      r = usual > 0 && recent > 0 ? recent / usual : 1;
      contactCache.set(d, r);
    }
    return r;
  };
  const incidents = detectIncidents(tagAccounts, aliveAccounts, firstDay, groups);
  const windows = new Map<string, { from: number; to: number }[]>();
  for (const inc of incidents) {
    for (const tag of inc.tags) {
      const list = windows.get(tag) ?? [];
      list.push({ from: toDayNumber(inc.from), to: toDayNumber(inc.to) });
      windows.set(tag, list);
    }
  }
  const per30 = accountDays > 0 ? 30 / accountDays : 0;
  return {
    spanOf: (id) => spanById.get(id),
    firstDay,
    lastDay,
    troublePer30: trouble * per30,
    ticketsPer30: tickets * per30,
    troublePerTicket: tickets > 0 ? trouble / tickets : 0,
    usageRatio,
    contactRatio,
    incidents,
    isIncident: (tag, day) => windows.get(tag)?.some((w) => day >= w.from && day <= w.to) ?? false,
    sourceFresh: (kind, day) => {
      const s = source[kind];
      return day >= s.first && day - s.last <= STALE_DAYS[kind];
    },
  };
}

/**
 * A tag is an incident on the days when, over three days, at least 5 accounts (and 3% of live
 * accounts) filed on it, and at least 4 times as many as usual for that tag.
 */
function detectIncidents(
  tagAccounts: Map<string, Float64Array>,
  aliveAccounts: Float64Array,
  firstDay: number,
  groups: readonly AccountRecords[],
): Incident[] {
  const found: { tag: string; from: number; to: number }[] = [];
  for (const [tag, counts] of tagAccounts) {
    // prefix sums in place would destroy the daily counts we need below; build a separate one
    const p = new Float64Array(counts.length);
    for (let i = 1; i < counts.length; i++) p[i] = p[i - 1]! + counts[i]!;
    const n = counts.length - 1;
    const sumDays = (lo: number, hi: number) => {
      const l = Math.max(0, lo);
      const h = Math.min(n - 1, hi);
      return h < l ? 0 : p[h + 1]! - p[l]!;
    };
    let open: { from: number; to: number } | null = null;
    // A spike needs a baseline: the first month of data cannot hold an incident.
    for (let i = INCIDENT_MIN_HISTORY_DAYS; i < n; i++) {
      const recent = sumDays(i - INCIDENT_WINDOW_DAYS + 1, i);
      // The usual rate over the baseline days that exist (the first weeks of data have fewer than 60).
      const baseFrom = Math.max(0, i - INCIDENT_WINDOW_DAYS - INCIDENT_BASELINE_DAYS + 1);
      const baseDays = i - INCIDENT_WINDOW_DAYS - baseFrom + 1;
      const usual = (sumDays(baseFrom, i - INCIDENT_WINDOW_DAYS) / baseDays) * INCIDENT_WINDOW_DAYS;
      const hot =
        recent >= Math.max(5, 0.03 * (aliveAccounts[i] ?? 0)) && recent >= 4 * (usual + 0.5);
      if (hot) {
        const from = i - INCIDENT_WINDOW_DAYS + 1;
        if (open && from <= open.to + 2) open.to = i;
        else {
          if (open) found.push({ tag, ...open });
          open = { from, to: i };
        }
      }
    }
    if (open) found.push({ tag, ...open });
  }
  // Spikes that overlap in time are one incident seen through several tags.
  found.sort((x, y) => x.from - y.from);
  const merged: { tags: string[]; from: number; to: number }[] = [];
  for (const f of found) {
    const last = merged[merged.length - 1];
    if (last && f.from <= last.to) {
      last.tags.push(f.tag);
      last.to = Math.max(last.to, f.to);
    } else merged.push({ tags: [f.tag], from: f.from, to: f.to });
  }
  return merged.map(({ tags, from, to }) => {
    let tickets = 0;
    const accounts = new Set<string>();
    for (const g of groups) {
      for (const t of g.tickets) {
        const d = timeToDayNumber(t.createdAt) - firstDay;
        if (d >= from && d <= to && t.tags.some((tag) => tags.includes(tag))) {
          tickets++;
          accounts.add(g.account.id);
        }
      }
    }
    return {
      tags: tags.sort(),
      from: toDayString(firstDay + from),
      to: toDayString(firstDay + to),
      accounts: accounts.size,
      tickets,
    };
  });
}
