// Ticket flood: a burst of tickets around one feature (tag) against the account's own usual rate for
// it. Tickets of a product-wide incident are left to the one portfolio alert.
import { sum, within } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { count, fixed, num, ramp, riskOnly } from "./util.ts";

const RECENT_DAYS = 14;
const BASELINE_DAYS = 180;

const NO_RECENT_SUPPORT_DATA = fixed("no_data", "No recent support data.");

/**
 * Tags that say what kind of ticket it is, not what it is about: a burst of how-to questions spread
 * over the product is a busy, engaged customer (Zendesk's ticket type "question" reaches Ebb as a
 * tag), not a flood on one feature.
 */
export const HOW_TO_TAGS: ReadonlySet<string> = new Set([
  "question",
  "how-to",
  "howto",
  "how_to",
  "questions",
]);

export function ticketFlood({
  timeline: t,
  i,
  portfolio,
  explain,
  sentences,
}: SignalInput): SignalValue {
  if (!portfolio.sourceFresh("tickets", t.origin + i)) {
    return explain ? NO_RECENT_SUPPORT_DATA.explained : NO_RECENT_SUPPORT_DATA.unexplained;
  }
  const a = i - RECENT_DAYS + 1;
  const b0 = Math.max(t.firstIndex, a - BASELINE_DAYS);
  const baselineDays = a - b0;
  const ownHistory = baselineDays >= 60;
  // Without 60 days of own history, the account's own ticket rate so far (spread over a few topics)
  // or the portfolio's, whichever is higher: a busy new account is not a flood.
  const seenDays = Math.max(14, i - Math.max(0, t.firstIndex) + 1);
  const fallback = Math.max(
    (portfolio.ticketsPer30 * RECENT_DAYS) / 30 / 3,
    (sum(t.series.tickets, i - seenDays + 1, i) * RECENT_DAYS) / seenDays / 2,
  );
  let worst = 0;
  let worstTag = "";
  let worstCount = 0;
  let worstExpected = 0;
  for (let k = 0; k < t.tags.length; k++) {
    const tag = t.tags[k]!;
    if (HOW_TO_TAGS.has(tag)) continue;
    const series = t.tagArrays[k]!;
    const c = sum(series, a, i);
    if (c < 3) continue;
    // Own rate for this tag first; without enough history, the portfolio's ticket rate spread over a few topics.
    const expected = Math.max(
      0.5,
      ownHistory ? calmerRate(series, b0, a - 1) * RECENT_DAYS : fallback,
    );
    const risk = ramp(c / expected, 3, 6) * ramp(c - expected, 2, 6);
    if (risk > worst || (worst === 0 && c > worstCount)) {
      worst = risk;
      worstTag = tag;
      worstCount = c;
      worstExpected = expected;
    }
  }
  if (!explain) return riskOnly(worst);
  const incidentTickets = sum(t.series.incidentTickets, a, i);
  const expected10 = Math.round(worstExpected * 10) / 10;
  const memo = sentences?.of("ticket_flood");
  let evidence: string;
  if (memo?.same(worstTag, incidentTickets, worstCount, expected10)) evidence = memo.text;
  else {
    const incidentNote =
      incidentTickets > 0
        ? ` ${count(incidentTickets, "more ticket")} belong to a product-wide incident, reported once for the portfolio.`
        : "";
    evidence =
      worstCount === 0
        ? `No burst of tickets on one topic in the last ${RECENT_DAYS} days.${incidentNote}`
        : `${count(worstCount, "ticket")} tagged "${worstTag}" in the last ${RECENT_DAYS} days; usual is ${num(expected10)} a fortnight.${incidentNote}`;
    if (memo) memo.text = evidence;
  }
  if (worstCount === 0) return { risk: 0, status: "ok", evidence };
  const evidenceIds =
    worst > 0
      ? within(t.tickets, a, i)
          .filter((x) => !x.incident && x.tags.includes(worstTag))
          .map((x) => x.id)
      : undefined;
  return { risk: worst, status: "ok", evidence, ...(evidenceIds ? { evidenceIds } : {}) };
}

/**
 * Tickets a day on a tag over day indices a..b: the calmer of its two halves, so a flood that has
 * gone on for months does not become the tag's new normal.
 */
function calmerRate(series: Float64Array, a: number, b: number): number {
  const mid = a + Math.floor((b - a + 1) / 2);
  return Math.min(sum(series, a, mid - 1) / (mid - a), sum(series, mid, b) / (b - mid + 1));
}
