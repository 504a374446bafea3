// Stakeholder coverage: champion loss, fewer personas engaged than before, and negativity spreading
// across several people at the customer.
import type { Persona } from "../model.ts";
import { sum } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { anyOf, ramp } from "./util.ts";

const WINDOW_DAYS = 90;
const CHAMPION_GRACE_DAYS = 180;
const NEGATIVITY_DAYS = 60;
const BASELINE_DAYS = 180;
const KEY_PERSONAS: readonly Persona[] = ["executive", "champion", "end_user"];
const NONE: readonly { id: string; dayIndex: number; requesterId: string }[] = [];

function personaSeries(t: SignalInput["timeline"]): Record<Persona, Float64Array> {
  const s = t.series;
  return {
    executive: s.contactExecutive,
    champion: s.contactChampion,
    influencer: s.contactInfluencer,
    end_user: s.contactEnd_user,
  };
}

export function stakeholderCoverage({ timeline: t, i, explain }: SignalInput): SignalValue {
  if (t.stakeholders.length === 0) {
    return { risk: 0, status: "no_data", evidence: explain ? "No stakeholders on record." : "" };
  }
  const contact = personaSeries(t);
  // Champions: who left recently, and whether another champion is still around and talking.
  let departed: { name: string; daysAgo: number; id: string } | undefined;
  let knownChampions = 0;
  for (const st of t.stakeholders) {
    if (st.persona !== "champion") continue;
    // Inactive without a date (NaN): gone at some unknown time, so not counted as a champion now.
    if (Number.isNaN(st.leftIndex)) continue;
    if (st.leftIndex <= i) {
      const ago = i - st.leftIndex;
      if (ago <= CHAMPION_GRACE_DAYS && (!departed || ago < departed.daysAgo)) {
        departed = { name: st.label, daysAgo: ago, id: st.id };
      }
      continue;
    }
    knownChampions++;
  }
  const championTalking = sum(contact.champion, i - WINDOW_DAYS + 1, i) > 0;
  const championRisk =
    departed && !(knownChampions > 0 && championTalking)
      ? 0.8 * (1 - ramp(departed.daysAgo, 120, CHAMPION_GRACE_DAYS))
      : 0;

  // Breadth: key personas in contact now vs the quarter before (plain loops: this runs every day).
  let present = 0;
  let engagedNow = 0;
  let engagedBefore = 0;
  let contactsBefore = 0;
  for (const p of KEY_PERSONAS) {
    if (!t.personas.has(p)) continue;
    present++;
    const series = contact[p];
    if (sum(series, i - WINDOW_DAYS + 1, i) > 0) engagedNow++;
    const before = sum(series, i - 2 * WINDOW_DAYS + 1, i - WINDOW_DAYS);
    if (before > 0) engagedBefore++;
    contactsBefore += before;
  }
  const haveHistory = i - 2 * WINDOW_DAYS + 1 >= t.firstIndex;
  // A quiet account's few contacts fall on different people by chance; only a lost breadth that used
  // to be busy counts.
  const breadthRisk = haveHistory
    ? ramp(engagedBefore - engagedNow, 1, 2) * 0.5 * ramp(contactsBefore, 4, 12)
    : 0;

  // Negativity across people: irritated tickets from several distinct requesters.
  // against how many usually are, per 60 days, over the half-year before.
  const unhappy = new Set<string>();
  const unhappyBefore = new Set<string>();
  const unhappyTickets: string[] = [];
  const baselineFrom = Math.max(t.firstIndex, i - NEGATIVITY_DAYS - BASELINE_DAYS + 1);
  for (const tk of t.unhappyTickets.length ? t.unhappyTickets : NONE) {
    if (tk.dayIndex > i) break;
    if (tk.dayIndex < baselineFrom) continue;
    if (tk.dayIndex <= i - NEGATIVITY_DAYS) {
      unhappyBefore.add(`${tk.requesterId}/${Math.floor((i - tk.dayIndex) / NEGATIVITY_DAYS)}`);
      continue;
    }
    unhappy.add(tk.requesterId);
    unhappyTickets.push(tk.id);
  }
  const baselineWindows = Math.max(1, (i - NEGATIVITY_DAYS + 1 - baselineFrom) / NEGATIVITY_DAYS);
  const usualUnhappy = unhappyBefore.size / baselineWindows;
  // People come in counts: the bar rises with the square root of the usual number (Poisson noise).
  const spreadRisk =
    ramp(
      unhappy.size - usualUnhappy,
      1 + 1.5 * Math.sqrt(usualUnhappy),
      4 + 2 * Math.sqrt(usualUnhappy),
    ) * 0.7;

  const risk = anyOf(championRisk, breadthRisk, spreadRisk);
  if (!explain) return { risk, status: "ok", evidence: "" };
  const parts: string[] = [];
  if (departed) {
    parts.push(
      `Champion ${departed.name} left ${departed.daysAgo} days ago${championRisk > 0 ? (knownChampions ? " and no other champion has been in touch" : " and there is no other champion") : ""}`,
    );
  } else if (knownChampions === 0 && present > 0) {
    parts.push("No champion on record");
  }
  parts.push(
    `${engagedNow} of ${present} key personas in contact in ${WINDOW_DAYS} days${haveHistory ? ` (was ${engagedBefore})` : ""}`,
  );
  if (unhappy.size >= 2)
    parts.push(
      `${unhappy.size} different people sent irritated tickets in ${NEGATIVITY_DAYS} days`,
    );
  const ids = [
    ...(departed && championRisk > 0 ? [departed.id] : []),
    ...(spreadRisk > 0 ? unhappyTickets : []),
  ];
  return {
    risk,
    status: "ok",
    evidence: `${parts.join("; ")}.`,
    ...(ids.length ? { evidenceIds: ids } : {}),
  };
}
