// Going dark: no word from the customer for much longer than their own usual cadence, and outreach
// that goes unanswered. A quiet account that is always quiet is not flagged for being quiet.
import { sum } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { anyOf, count, num, ramp } from "./util.ts";

const CADENCE_DAYS = 365;
const OUTREACH_DAYS = 30;

export function goingDark({ timeline: t, i, portfolio, explain }: SignalInput): SignalValue {
  const day = t.origin + i;
  if (!portfolio.sourceFresh("engagements", day) && !portfolio.sourceFresh("tickets", day)) {
    return {
      risk: 0,
      status: "no_data",
      evidence: explain ? "No recent engagement or support data." : "",
    };
  }
  const s = t.series;
  const last = t.lastInbound[i] ?? -1;
  const outbound = sum(s.outbound, i - OUTREACH_DAYS + 1, i);
  if (last < 0 && outbound === 0) {
    return {
      risk: 0,
      status: "no_data",
      evidence: explain ? "No contact with this account on record yet." : "",
    };
  }
  const start = Math.max(t.firstIndex, 0);
  const gap = i - (last >= 0 ? last : start);
  // The account's own cadence, measured up to its last contact so that the current silence does not
  // stretch the yardstick it is measured with.
  let cadence = 30;
  if (last >= 0) {
    const from = Math.max(start, last - CADENCE_DAYS + 1);
    const contacts = sum(s.inbound, from, last);
    const span = last - from + 1;
    cadence = span >= 60 && contacts >= 2 ? Math.min(120, Math.max(7, span / contacts)) : 30;
  }
  const gapRisk = ramp(gap / cadence, 4, 8) * ramp(gap, 30, 75);
  const unanswered = sum(s.unanswered, i - OUTREACH_DAYS + 1, i);
  // Unanswered outreach matters only when the customer is not talking to us some other way.
  const outreachRisk =
    outbound >= 3
      ? ramp(unanswered / outbound, 0.5, 0.9) * ramp(unanswered, 2, 5) * ramp(gap, 7, 21)
      : 0;
  const risk = anyOf(gapRisk, outreachRisk);
  if (!explain) return { risk, status: "ok", evidence: "" };
  let evidence = `Last heard from ${count(gap, "day")} ago; usual gap is ${num(Math.round(cadence))} days.`;
  if (outbound > 0)
    evidence += ` ${num(unanswered)} of ${count(outbound, "outreach attempt")} in ${OUTREACH_DAYS} days unanswered or no-show.`;
  const evidenceIds =
    outreachRisk > 0
      ? t.engagements
          .filter((e) => e.unanswered && e.dayIndex > i - OUTREACH_DAYS && e.dayIndex <= i)
          .map((e) => e.id)
      : undefined;
  return { risk, status: "ok", evidence, ...(evidenceIds ? { evidenceIds } : {}) };
}
