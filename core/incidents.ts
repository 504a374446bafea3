// Product-wide incidents: many accounts filing tickets on one topic at once. Found once for the
// portfolio from daily counts of accounts per tag, reported as one alert, and left out of each
// account's ticket signals.
import { toDayString } from "./day.ts";
import type { IncidentTickets } from "./portfolio.ts";

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

const INCIDENT_WINDOW_DAYS = 3;
const INCIDENT_BASELINE_DAYS = 60;
const INCIDENT_MIN_HISTORY_DAYS = 30;

/**
 * A tag is an incident on the days when, over three days, at least 5 accounts (and 3% of live
 * accounts) filed on it, and at least 4 times as many as usual for that tag.
 */
export function detectIncidents(
  tagAccounts: Map<string, Float64Array>,
  aliveAccounts: Float64Array,
  firstDay: number,
  tickets: IncidentTickets,
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
    const size = tickets.count(tags, firstDay + from, firstDay + to);
    return {
      tags: tags.sort(),
      from: toDayString(firstDay + from),
      to: toDayString(firstDay + to),
      accounts: size.accounts,
      tickets: size.tickets,
    };
  });
}
