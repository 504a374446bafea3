// Onboarding friction: irritation or confusion from the customer right out of the gate (first 90 days).
import { sum, within } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { count, fixed, num, ramp, riskOnly } from "./util.ts";

const ONBOARDING_DAYS = 90;
/** Friction is still worth acting on for a while after onboarding formally ends. */
const CARRY_DAYS = 30;

const NOT_IN_ONBOARDING = fixed("not_applicable", "Not in onboarding.");
const NO_RECENT_SUPPORT_DATA = fixed("no_data", "No recent support data.");

export function onboardingFriction({
  timeline: t,
  i,
  portfolio,
  explain,
}: SignalInput): SignalValue {
  const since = t.customerSinceIndex;
  if (since === undefined || i < since || i - since >= ONBOARDING_DAYS + CARRY_DAYS) {
    return explain ? NOT_IN_ONBOARDING.explained : NOT_IN_ONBOARDING.unexplained;
  }
  if (!portfolio.sourceFresh("tickets", t.origin + i)) {
    return explain ? NO_RECENT_SUPPORT_DATA.explained : NO_RECENT_SUPPORT_DATA.unexplained;
  }
  const a = Math.max(since, i - 44);
  const b = Math.min(i, since + ONBOARDING_DAYS - 1);
  const s = t.series;
  const negative = sum(s.negative, a, b);
  const escalations = sum(s.escalations, a, b);
  const bad = sum(s.bad, a, b);
  const reopens = sum(s.reopens, a, b);
  const points = negative + 1.5 * escalations + 1.5 * bad + 0.5 * reopens;
  const days = b - a + 1;
  // No own history yet: the portfolio's typical rate is the baseline.
  const expected = (portfolio.troublePer30 * days) / 30;
  const risk = ramp(points - 2 * expected, 1, 5);
  if (!explain) return riskOnly(risk);
  const parts = [
    negative && count(negative, "irritated or confused ticket"),
    escalations && count(escalations, "escalation"),
    bad && count(bad, "bad rating"),
    reopens && count(reopens, "reopen"),
  ].filter(Boolean);
  const day = i - since + 1;
  const evidence =
    parts.length === 0
      ? `No irritated tickets, escalations or bad ratings in onboarding (day ${day}).`
      : `${parts.join(", ")} in the last ${days} days of onboarding (day ${day}); a typical account has ${num(Math.round(expected * 10) / 10)}.`;
  const evidenceIds =
    risk > 0
      ? within(t.tickets, a, b)
          .filter((x) => !x.incident && (x.negative || x.escalated || x.bad || x.reopens > 0))
          .map((x) => x.id)
      : undefined;
  return { risk, status: "ok", evidence, ...(evidenceIds ? { evidenceIds } : {}) };
}
