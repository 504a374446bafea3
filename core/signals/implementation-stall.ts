// Implementation stall: overdue milestones and silence while a planned implementation should be moving.
import type { SignalInput, SignalValue } from "./signal.ts";
import { anyOf, count, fixed, ramp, riskOnly } from "./util.ts";

const IMPLEMENTATION_DAYS = 180;

const NO_IMPLEMENTATION_UNDER_WAY = fixed("not_applicable", "No implementation under way.");
const NO_MILESTONES_OR_CONTACT_DATA = fixed("no_data", "No milestones or recent engagement data.");

interface Overdue {
  name: string;
  days: number;
  id: string;
}
const NOTHING_OVERDUE: readonly Overdue[] = [];

export function implementationStall({
  timeline: t,
  i,
  portfolio,
  explain,
}: SignalInput): SignalValue {
  const day = t.origin + i;
  const since = t.customerSinceIndex;
  const implementing = since !== undefined && i >= since && i - since < IMPLEMENTATION_DAYS;
  const hasMilestones = t.milestones.length > 0;
  // Most accounts on most days have nothing overdue: the list is made only when there is something
  // to put in it.
  let found: Overdue[] | undefined;
  for (const m of t.milestones) {
    if (!(m.dueIndex < i && m.doneIndex > i)) continue;
    found = found ?? [];
    found.push({ name: m.name, id: m.id, days: i - m.dueIndex });
  }
  const overdue: readonly Overdue[] = found ?? NOTHING_OVERDUE;
  if (!implementing && overdue.length === 0) {
    return explain
      ? NO_IMPLEMENTATION_UNDER_WAY.explained
      : NO_IMPLEMENTATION_UNDER_WAY.unexplained;
  }
  const contactFresh =
    portfolio.sourceFresh("engagements", day) || portfolio.sourceFresh("tickets", day);
  if (!hasMilestones && !contactFresh) {
    return explain
      ? NO_MILESTONES_OR_CONTACT_DATA.explained
      : NO_MILESTONES_OR_CONTACT_DATA.unexplained;
  }
  let keep = 1;
  for (const o of overdue) keep *= 1 - ramp(o.days, 7, 45);
  const milestoneRisk = 1 - keep;
  let gap = 0;
  if (implementing && contactFresh) {
    const last = t.lastInbound[i] ?? -1;
    gap = i - Math.max(last, since);
  }
  // Silence alone is a weaker sign when the milestones say the work is on track.
  const gapRisk = implementing
    ? ramp(gap, 30, 60) * (overdue.length > 0 || !hasMilestones ? 1 : 0.5)
    : 0;
  const risk = anyOf(milestoneRisk, gapRisk);
  if (!explain) return riskOnly(risk);
  const parts: string[] = [];
  // Most overdue first (sorted only now, so the risk above multiplies in the milestones' order).
  found?.sort((a, b) => b.days - a.days);
  for (const o of overdue.slice(0, 2))
    parts.push(`milestone "${o.name}" is ${count(o.days, "day")} overdue`);
  if (overdue.length > 2) parts.push(`${overdue.length - 2} more overdue`);
  if (gapRisk > 0) parts.push(`no customer contact for ${gap} days during implementation`);
  const evidence = parts.length
    ? `${capitalize(parts.join("; "))}.`
    : "Implementation on track: no overdue milestones.";
  return {
    risk,
    status: "ok",
    evidence,
    ...(overdue.length ? { evidenceIds: overdue.map((o) => o.id) } : {}),
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
