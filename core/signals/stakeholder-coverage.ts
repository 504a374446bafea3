// Stakeholder coverage: champion loss, fewer personas engaged than before, and negativity spreading
// across several people at the customer.
import type { Persona } from "../model.ts";
import { firstAtOrAfter, sum } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { anyOf, fixed, ramp, riskOnly } from "./util.ts";

const WINDOW_DAYS = 90;
const CHAMPION_GRACE_DAYS = 180;
const NEGATIVITY_DAYS = 60;
const BASELINE_DAYS = 180;
const KEY_PERSONAS: readonly Persona[] = ["executive", "champion", "end_user"];

const NO_STAKEHOLDERS_ON_RECORD = fixed("no_data", "No stakeholders on record.");

export function stakeholderCoverage({
  timeline: t,
  i,
  explain,
  sentences,
  portfolio: { troublePerTicket },
}: SignalInput): SignalValue {
  if (t.stakeholders.length === 0) {
    return explain ? NO_STAKEHOLDERS_ON_RECORD.explained : NO_STAKEHOLDERS_ON_RECORD.unexplained;
  }
  const contact = t.series;
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
  const championTalking = sum(contact.contactChampion, i - WINDOW_DAYS + 1, i) > 0;
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
    const series =
      p === "executive"
        ? contact.contactExecutive
        : p === "champion"
          ? contact.contactChampion
          : contact.contactEnd_user;
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

  // Negativity across people: irritated tickets from several distinct requesters in the last 60 days,
  // against how many usually are, per 60 days, over the half-year before. This runs for every account
  // every day: the tickets are sorted by day, so only those in the window are visited, and people are
  // told apart with small lists rather than a set and a string key per ticket.
  const baselineFrom = Math.max(t.firstIndex, i - NEGATIVITY_DAYS - BASELINE_DAYS + 1);
  const list = t.unhappyTickets;
  const unhappy: string[] = [];
  const before: string[] = [];
  const beforeWindow: number[] = [];
  let nUnhappy = 0;
  let nBefore = 0;
  // The window's tickets are list[recentFrom..recentTo) (the list is sorted by day).
  let recentFrom = -1;
  let recentTo = -1;
  for (let k = firstAtOrAfter(list, baselineFrom); k < list.length; k++) {
    const tk = list[k]!;
    if (tk.dayIndex > i) break;
    if (tk.dayIndex <= i - NEGATIVITY_DAYS) {
      // One person counts once per 60-day window of the baseline.
      const w = Math.floor((i - tk.dayIndex) / NEGATIVITY_DAYS);
      let seen = false;
      for (let j = 0; j < nBefore; j++) {
        if (beforeWindow[j] === w && before[j] === tk.requesterId) {
          seen = true;
          break;
        }
      }
      if (!seen) {
        before[nBefore] = tk.requesterId;
        beforeWindow[nBefore] = w;
        nBefore++;
      }
      continue;
    }
    if (recentFrom < 0) recentFrom = k;
    recentTo = k + 1;
    let known = false;
    for (let j = 0; j < nUnhappy; j++) {
      if (unhappy[j] === tk.requesterId) {
        known = true;
        break;
      }
    }
    if (!known) unhappy[nUnhappy++] = tk.requesterId;
  }
  const baselineWindows = Math.max(1, (i - NEGATIVITY_DAYS + 1 - baselineFrom) / NEGATIVITY_DAYS);
  // A busy account has more people writing in, so more of them are irritated on some day by chance:
  // the portfolio's trouble per ticket scaled to this account's recent tickets is the floor.
  const recentTickets = sum(contact.tickets, i - NEGATIVITY_DAYS + 1, i);
  const usualUnhappy = Math.max(nBefore / baselineWindows, 0.5 * troublePerTicket * recentTickets);
  // People come in counts: the bar rises with the square root of the usual number (Poisson noise).
  const spreadRisk =
    ramp(
      nUnhappy - usualUnhappy,
      1 + 1.5 * Math.sqrt(usualUnhappy),
      4 + 2 * Math.sqrt(usualUnhappy),
    ) * 0.7;

  const risk = anyOf(championRisk, breadthRisk, spreadRisk);
  if (!explain) return riskOnly(risk);
  const memo = sentences?.of("stakeholder_coverage");
  let evidence: string;
  const daysAgo = departed ? departed.daysAgo : -1;
  const spread = nUnhappy >= 2 ? nUnhappy : 0;
  const was = haveHistory ? engagedBefore : -1;
  if (
    memo?.same(
      departed ? departed.name : "",
      daysAgo,
      championRisk > 0 ? 1 : 0,
      knownChampions > 0 ? 1 : 0,
      present,
      engagedNow,
      was,
      spread,
    )
  )
    evidence = memo.text;
  else {
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
    if (spread > 0)
      parts.push(`${spread} different people sent irritated tickets in ${NEGATIVITY_DAYS} days`);
    evidence = `${parts.join("; ")}.`;
    if (memo) memo.text = evidence;
  }
  if (!(departed && championRisk > 0) && !(spreadRisk > 0 && recentTo > recentFrom))
    return { risk, status: "ok", evidence };
  const ids: string[] = departed && championRisk > 0 ? [departed.id] : [];
  if (spreadRisk > 0) for (let k = recentFrom; k < recentTo; k++) ids.push(list[k]!.id);
  return { risk, status: "ok", evidence, evidenceIds: ids };
}
