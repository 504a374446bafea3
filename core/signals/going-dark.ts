// Going dark: the customer talks to us far less than their own usual, goes silent for much longer
// than their usual gap, and outreach goes unanswered. A quiet account that is always quiet is not
// flagged for being quiet.
import { sum, within } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { anyOf, count, fixed, num, ramp, riskOnly } from "./util.ts";

const RECENT_DAYS = 45;
const BASELINE_DAYS = 180;
const OUTREACH_DAYS = 30;

const NO_RECENT_CONTACT_DATA = fixed("no_data", "No recent engagement or support data.");
const NO_CONTACT_YET = fixed("no_data", "No contact with this account on record yet.");

export function goingDark({
  timeline: t,
  i,
  portfolio,
  explain,
  sentences,
}: SignalInput): SignalValue {
  const day = t.origin + i;
  if (!portfolio.sourceFresh("engagements", day) && !portfolio.sourceFresh("tickets", day)) {
    return explain ? NO_RECENT_CONTACT_DATA.explained : NO_RECENT_CONTACT_DATA.unexplained;
  }
  const s = t.series;
  const last = t.lastInbound[i] ?? -1;
  const outbound = sum(s.outbound, i - OUTREACH_DAYS + 1, i);
  if (last < 0 && outbound === 0) {
    return explain ? NO_CONTACT_YET.explained : NO_CONTACT_YET.unexplained;
  }
  const start = Math.max(t.firstIndex, 0);
  const gap = i - (last >= 0 ? last : start);

  // Rate: contacts in the last 45 days against the account's own rate in the half-year before.
  const a = i - RECENT_DAYS + 1;
  const b0 = Math.max(start, a - BASELINE_DAYS);
  const baselineDays = a - b0;
  const recent = sum(s.inbound, a, i);
  // Scaled by the portfolio's own contact rate on these days, so holidays are not silence.
  const seasonFactor = Math.min(1, portfolio.contactRatio(day));
  const expected =
    baselineDays >= 60
      ? ((sum(s.inbound, b0, a - 1) * RECENT_DAYS) / baselineDays) * seasonFactor
      : 0;
  // Contacts come in counts: how many standard deviations below the usual (Poisson) the recent count is.
  const z = expected > 0 ? (expected - recent) / Math.sqrt(expected) : 0;
  const fall = expected > 0 ? 1 - recent / expected : 0;
  // A contact in the last week or two means they have not gone dark, however thin the month was.
  const rateRisk = ramp(z, 2.5, 4) * ramp(fall, 0.5, 0.8) * ramp(gap, 7, 21);

  // Gap: the current silence against the usual gap between contacts.
  const cadence = expected > 0 ? Math.min(120, Math.max(7, RECENT_DAYS / expected)) : 30;
  const gapRisk = ramp(gap / cadence, 4, 8) * ramp(gap, 30, 75);

  // Unanswered outreach matters when the customer is not talking to us some other way.
  const unanswered = sum(s.unanswered, i - OUTREACH_DAYS + 1, i);
  const quieter = expected > 0 ? ramp(fall, 0.3, 0.7) : ramp(gap, 7, 21);
  const outreachRisk =
    outbound >= 3 ? ramp(unanswered / outbound, 0.5, 0.9) * ramp(unanswered, 2, 5) * quieter : 0;
  const risk = anyOf(rateRisk, gapRisk, outreachRisk);
  if (!explain) return riskOnly(risk);
  // The first sentence changes every quiet day (the gap grows), so the rest is kept on its own.
  const expected10 = expected > 0 ? Math.round(expected * 10) / 10 : -1;
  const memo = sentences?.of("going_dark");
  let rest: string;
  if (memo?.same("", expected10, recent, outbound, unanswered)) rest = memo.text;
  else {
    rest = "";
    if (expected > 0)
      rest += ` ${count(recent, "contact")} in ${RECENT_DAYS} days; usual is ${num(expected10)}.`;
    if (outbound > 0)
      rest += ` ${num(unanswered)} of ${count(outbound, "outreach attempt")} in ${OUTREACH_DAYS} days unanswered or no-show.`;
    if (memo) memo.text = rest;
  }
  const usualGap = Math.round(cadence);
  const whole = sentences?.of("going_dark/whole");
  let evidence: string;
  if (whole?.same(rest, gap, usualGap)) evidence = whole.text;
  else {
    evidence = `Last heard from ${count(gap, "day")} ago; usual gap is ${num(usualGap)} days.${rest}`;
    if (whole) whole.text = evidence;
  }
  const evidenceIds =
    outreachRisk > 0
      ? within(t.engagements, i - OUTREACH_DAYS + 1, i)
          .filter((e) => e.unanswered)
          .map((e) => e.id)
      : undefined;
  return { risk, status: "ok", evidence, ...(evidenceIds ? { evidenceIds } : {}) };
}
