// Support experience: bad ratings, reopens, escalations, irritated tickets and slow resolution,
// against the account's own last six months first and the portfolio second.
import { sum } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { anyOf, count, num, ramp } from "./util.ts";

const RECENT_DAYS = 60;
const BASELINE_DAYS = 180;

export function supportExperience({
  timeline: t,
  i,
  portfolio,
  explain,
}: SignalInput): SignalValue {
  if (!portfolio.sourceFresh("tickets", t.origin + i)) {
    return { risk: 0, status: "no_data", evidence: explain ? "No recent support data." : "" };
  }
  const s = t.series;
  const a = i - RECENT_DAYS + 1;
  const bad = sum(s.bad, a, i);
  const escalations = sum(s.escalations, a, i);
  const reopens = sum(s.reopens, a, i);
  const negative = sum(s.negative, a, i);
  const points = 1.5 * bad + 1.5 * escalations + 0.75 * reopens + negative;

  const b0 = Math.max(t.firstIndex, a - BASELINE_DAYS);
  const baselineDays = a - b0;
  const baselinePoints =
    1.5 * sum(s.bad, b0, a - 1) +
    1.5 * sum(s.escalations, b0, a - 1) +
    0.75 * sum(s.reopens, b0, a - 1) +
    sum(s.negative, b0, a - 1);
  const portfolioExpected = (portfolio.troublePer30 * RECENT_DAYS) / 30;
  // Own baseline once there are 90 days of it; the portfolio's until then. A noisy account is judged
  // against its own noise, a calm one is not flagged for the portfolio's.
  const ownExpected =
    baselineDays >= 90 ? (baselinePoints * RECENT_DAYS) / baselineDays : portfolioExpected;
  const expected = Math.max(ownExpected, 0.5 * portfolioExpected, 0.5);
  // Trouble comes in counts, so the bar rises with the square root of what is usual (Poisson noise).
  const excess = points - expected;
  const troubleRisk = ramp(
    excess,
    2 + 1.5 * Math.sqrt(expected) + 0.5 * expected,
    8 + 3 * Math.sqrt(expected) + expected,
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
  if (!explain) return { risk, status: "ok", evidence: "" };
  const parts = [
    bad && count(bad, "bad rating"),
    escalations && count(escalations, "escalation"),
    reopens && count(reopens, "reopen"),
    negative && count(negative, "irritated ticket"),
  ].filter(Boolean);
  let evidence =
    parts.length === 0
      ? `No bad ratings, escalations or reopens in the last ${RECENT_DAYS} days.`
      : `${parts.join(", ")} in the last ${RECENT_DAYS} days; usual is ${num(Math.round(expected * 10) / 10)} such events per ${RECENT_DAYS} days.`;
  if (slowRisk > 0)
    evidence += ` Resolution takes ${num(Math.round(slowRatio * 10) / 10)}× as long as usual.`;
  const evidenceIds =
    troubleRisk > 0
      ? t.tickets
          .filter(
            (x) =>
              x.dayIndex >= a &&
              x.dayIndex <= i &&
              !x.incident &&
              (x.bad || x.escalated || x.reopens > 0 || x.negative),
          )
          .map((x) => x.id)
      : undefined;
  return { risk, status: "ok", evidence, ...(evidenceIds ? { evidenceIds } : {}) };
}
