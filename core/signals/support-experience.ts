// Support experience: bad ratings, reopens, escalations, irritated tickets and slow resolution,
// against the account's own last six months first and the portfolio second.
import { sum, within } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { anyOf, count, fixed, num, ramp, riskOnly } from "./util.ts";

const RECENT_DAYS = 60;
const BASELINE_DAYS = 180;
/** Pseudo-tickets at the portfolio's rate that a thin history is shrunk with. */
const PRIOR_TICKETS = 10;

const NO_RECENT_SUPPORT_DATA = fixed("no_data", "No recent support data.");

export function supportExperience({
  timeline: t,
  i,
  portfolio,
  explain,
  sentences,
}: SignalInput): SignalValue {
  if (!portfolio.sourceFresh("tickets", t.origin + i)) {
    return explain ? NO_RECENT_SUPPORT_DATA.explained : NO_RECENT_SUPPORT_DATA.unexplained;
  }
  const s = t.series;
  const a = i - RECENT_DAYS + 1;
  const bad = sum(s.bad, a, i);
  const escalations = sum(s.escalations, a, i);
  const reopens = sum(s.reopens, a, i);
  const negative = sum(s.negative, a, i);
  const points = troubleOf(t, a, i);

  const b0 = Math.max(t.firstIndex, a - BASELINE_DAYS);
  const baselineDays = a - b0;
  // Trouble is judged per ticket, so a busy account is not flagged for being busy (volume is the
  // ticket-flood signal's business). The usual rate per ticket is the account's own once there are
  // 90 days of it — the calmer of the two quarters before the recent window, so months of trouble do
  // not become the new normal — shrunk towards the portfolio's rate while tickets are few.
  const prior = portfolio.troublePerTicket;
  const mid = a - Math.floor(baselineDays / 2);
  const usualPerTicket =
    baselineDays >= 90
      ? Math.min(perTicket(t, b0, mid - 1, prior), perTicket(t, mid, a - 1, prior))
      : prior;
  const recentTickets = sum(s.tickets, a, i);
  const expected = Math.max(recentTickets * usualPerTicket, 0.5);
  // Trouble comes in counts, so the bar rises with the square root of what is usual (Poisson noise).
  const excess = points - expected;
  const troubleRisk = ramp(
    excess,
    2 + 1.5 * Math.sqrt(expected) + 0.5 * expected,
    6 + 2 * Math.sqrt(expected) + 0.5 * expected,
  );

  const recentResolved = sum(s.resolved, a, i);
  const baseResolved = sum(s.resolved, b0, a - 1);
  let slowRisk = 0;
  let slowRatio = 1;
  if (recentResolved >= 3 && baseResolved >= 5) {
    const recentAvg = sum(s.resolutionMinutes, a, i) / recentResolved;
    const baseAvg = sum(s.resolutionMinutes, b0, a - 1) / baseResolved;
    slowRatio = baseAvg > 0 ? recentAvg / baseAvg : 1;
    slowRisk = 0.4 * ramp(slowRatio, 1.5, 3);
  }
  const risk = anyOf(troubleRisk, slowRisk);
  if (!explain) return riskOnly(risk);
  const expected10 = Math.round(expected * 10) / 10;
  const slow10 = slowRisk > 0 ? Math.round(slowRatio * 10) / 10 : -1;
  const memo = sentences?.of("support_experience");
  let evidence: string;
  if (memo?.same("", bad, escalations, reopens, negative, recentTickets, expected10, slow10))
    evidence = memo.text;
  else {
    const parts = [
      bad && count(bad, "bad rating"),
      escalations && count(escalations, "escalation"),
      reopens && count(reopens, "reopen"),
      negative && count(negative, "irritated ticket"),
    ].filter(Boolean);
    evidence =
      parts.length === 0
        ? `No bad ratings, escalations or reopens in the last ${RECENT_DAYS} days.`
        : `${parts.join(", ")} in the last ${RECENT_DAYS} days; usual for ${count(recentTickets, "ticket")} would be ${num(expected10)}.`;
    if (slowRisk > 0) evidence += ` Resolution takes ${num(slow10)}× as long as usual.`;
    if (memo) memo.text = evidence;
  }
  const evidenceIds =
    troubleRisk > 0
      ? within(t.tickets, a, i)
          .filter((x) => !x.incident && (x.bad || x.escalated || x.reopens > 0 || x.negative))
          .map((x) => x.id)
      : undefined;
  return { risk, status: "ok", evidence, ...(evidenceIds ? { evidenceIds } : {}) };
}

/** Support trouble over day indices a..b: bad ratings and escalations weigh most, then irritated tickets, then reopens. */
function troubleOf(t: SignalInput["timeline"], a: number, b: number): number {
  const s = t.series;
  return (
    1.5 * sum(s.bad, a, b) +
    1.5 * sum(s.escalations, a, b) +
    0.75 * sum(s.reopens, a, b) +
    sum(s.negative, a, b)
  );
}

/** Trouble per ticket over a..b, shrunk towards `prior` with PRIOR_TICKETS pseudo-tickets. */
function perTicket(t: SignalInput["timeline"], a: number, b: number, prior: number): number {
  return (
    (troubleOf(t, a, b) + PRIOR_TICKETS * prior) / (sum(t.series.tickets, a, b) + PRIOR_TICKETS)
  );
}
