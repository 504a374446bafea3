// Usage drop: recent active users and events against the account's own usual level, discounted when
// the whole portfolio dips (holidays) or the account dipped the same way a year ago (its season).
import { sum } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { fixed, num, ramp, riskOnly } from "./util.ts";

const RECENT_DAYS = 14;
const QUARTER_DAYS = 90;
const YEAR_DAYS = 364;
/** How many events count as one user-day when judging noise on event counts alone. */
const EVENTS_PER_USER_DAY = 20;
/** The most a mild decline (10–30%) weighs: enough to rank the account below steady ones, never an alert on its own. */
const MILD_RISK = 0.3;
/** How far each of the two fortnights before the recent one must be down for a fall to count in full. */
const SUSTAINED_DROP = 0.2;
/** Days over which an account's level is set against the portfolio's (adoption against peers). */
const LEVEL_DAYS = 28;
/** The most a low level weighs: it ranks an account that barely uses the product, never alerts alone. */
const LEVEL_RISK = 0.2;

const NO_RECENT_USAGE_DATA = fixed("no_data", "No recent usage data.");
const NO_BASELINE_YET = fixed("no_data", "Not enough usage history for a baseline yet.");

export function usageDrop({
  timeline: t,
  i: day,
  portfolio,
  explain,
  sentences,
}: SignalInput): SignalValue {
  // A day still arriving (today, in a store scoring as the day goes on) is not read: usage is
  // judged as of the last complete day, so half a day never looks like a drop.
  const i = Math.min(day, portfolio.completeThrough - t.origin);
  if (!portfolio.sourceFresh("usage", t.origin + i)) {
    return explain ? NO_RECENT_USAGE_DATA.explained : NO_RECENT_USAGE_DATA.unexplained;
  }
  const level = against(t, i);
  if (!level) {
    return explain ? NO_BASELINE_YET.explained : NO_BASELINE_YET.unexplained;
  }
  const { ratio, recentUsers, recentEvents, usualUsers, usualEvents } = level;
  // Portfolio-wide dip on the same days (holidays, an outage): only the part beyond it is the account's.
  const portfolioRatio = Math.min(1, portfolio.usageRatio(t.origin + i));
  let adjusted = Math.min(1, ratio / Math.max(portfolioRatio, 0.05));
  // The account's own season: the same weeks a year ago, measured the same way.
  let seasonal = false;
  const lastYear =
    i - YEAR_DAYS >= t.firstIndex ? (against(t, i - YEAR_DAYS)?.ratio ?? Number.NaN) : Number.NaN;
  if (lastYear < 0.85 && adjusted < 1) {
    adjusted = Math.min(1, adjusted / Math.max(lastYear, 0.05));
    seasonal = true;
  }
  const drop = 1 - adjusted;
  // Small accounts are noisy: three users one fortnight and one the next is chance, not decay. The
  // shortfall must also be large against Poisson noise on the user-days (or, without user counts,
  // on events, which scatter far more than people do).
  const expected =
    usualUsers > 0 ? usualUsers * RECENT_DAYS : (usualEvents * RECENT_DAYS) / EVENTS_PER_USER_DAY;
  const observed = expected * adjusted;
  const z = (expected - observed) / Math.sqrt(Math.max(expected, 1));
  // Decay lasts: a fall counts in full once the two fortnights before this one were down too, and
  // the one before those had begun to fall (eight weeks in all). A dip of a few weeks (a holiday, a
  // season the data is too young to know) weighs only as a mild decline meanwhile; a near-total
  // stop counts at once.
  const before = Math.max(
    fortnightRatio(t, i - RECENT_DAYS, usualUsers, usualEvents),
    fortnightRatio(t, i - 2 * RECENT_DAYS, usualUsers, usualEvents),
  );
  const begun = fortnightRatio(t, i - 3 * RECENT_DAYS, usualUsers, usualEvents);
  const lasting = (before <= 1 - SUSTAINED_DROP && begun <= 1 - SUSTAINED_DROP / 2) || drop >= 0.8;
  const dropRisk =
    Math.max(lasting ? ramp(drop, 0.25, 0.55) : 0, MILD_RISK * ramp(drop, 0.1, 0.3)) *
    ramp(z, 2, 4);
  // Adoption against peers: the account's level against the portfolio's per account, in halvings.
  const peers = portfolio.usageLevel(t.origin + i);
  const own =
    (sum(t.series.usageUsers, i - LEVEL_DAYS + 1, i) +
      sum(t.series.usageEvents, i - LEVEL_DAYS + 1, i) / 10) /
    LEVEL_DAYS;
  const share = peers > 0 ? own / peers : 1;
  const levelRisk = LEVEL_RISK * ramp(-Math.log2(Math.max(share, 1e-6)), 1, 4);
  const risk = Math.max(dropRisk, levelRisk);
  if (!explain) return riskOnly(risk);
  const useUsers = usualUsers > 0;
  const r = useUsers ? recentUsers : recentEvents;
  const u = useUsers ? usualUsers : usualEvents;
  const r10 = Math.round(r * 10) / 10;
  const u10 = Math.round(u * 10) / 10;
  const down = r < u ? Math.round((1 - r / u) * 100) : -1;
  const portfolioPct = portfolioRatio < 0.9 ? Math.round(portfolioRatio * 100) : -1;
  // A decline that carries no risk says why, so the sentence never contradicts the score.
  // (Below half a thousandth a risk shows as 0.)
  const within = down >= 10 && dropRisk < 0.0005 && portfolioPct < 0 && !seasonal;
  const recentOnly = !lasting && drop >= 0.3 && dropRisk > 0;
  const levelPct = levelRisk > 0 && levelRisk >= dropRisk ? Math.round(share * 100) : -1;
  const memo = sentences?.of("usage_drop");
  if (
    memo?.same(
      recentOnly ? "recent" : "",
      useUsers ? 1 : 0,
      r10,
      u10,
      down,
      portfolioPct,
      seasonal ? 1 : 0,
      within ? 1 : 0,
      levelPct,
    )
  )
    return { risk, status: "ok", evidence: memo.text };
  const what = useUsers ? "Active users" : "Events";
  const change = down >= 0 ? `down ${down}% from` : `against`;
  let evidence = `${what} averaged ${num(r10)} a day over the last ${RECENT_DAYS} days, ${change} the usual ${num(u10)}.`;
  if (portfolioPct >= 0)
    evidence += ` The whole portfolio is at ${portfolioPct}% of its usual level, so only the difference counts.`;
  if (seasonal) evidence += " A similar dip a year ago suggests a seasonal pattern.";
  if (within)
    evidence +=
      " That is within this account's usual range (its usage varies this much from one fortnight to the next), so it is not counted as decay.";
  if (recentOnly)
    evidence +=
      " It has fallen only in the last few weeks: counted as a mild decline until it lasts eight weeks.";
  if (levelPct >= 0)
    evidence += ` Its usage is ${levelPct}% of the portfolio's per account over the last ${LEVEL_DAYS} days: low adoption.`;
  if (memo) memo.text = evidence;
  return { risk, status: "ok", evidence };
}

/** The fortnight ending on day index `end` against a usual level (users and events averaged). */
function fortnightRatio(
  t: SignalInput["timeline"],
  end: number,
  usualUsers: number,
  usualEvents: number,
): number {
  const s = t.series;
  const users = sum(s.usageUsers, end - RECENT_DAYS + 1, end) / RECENT_DAYS;
  const events = sum(s.usageEvents, end - RECENT_DAYS + 1, end) / RECENT_DAYS;
  return levelRatio(users, events, usualUsers, usualEvents);
}

/** Users and events each against their usual level, averaged when both are known (1 when neither). */
function levelRatio(
  users: number,
  events: number,
  usualUsers: number,
  usualEvents: number,
): number {
  const ru = usualUsers > 0 ? users / usualUsers : Number.NaN;
  const re = usualEvents > 0 ? events / usualEvents : Number.NaN;
  if (Number.isNaN(ru)) return Number.isNaN(re) ? 1 : re;
  return Number.isNaN(re) ? ru : (ru + re) / 2;
}

/** Recent and usual users and events a day, and the recent level's ratio to the usual one. */
interface Level {
  ratio: number;
  recentUsers: number;
  recentEvents: number;
  usualUsers: number;
  usualEvents: number;
}

/**
 * Recent level against the usual one on day index `i`.
 * The usual level is the better of the last two quarters before the recent window, so a slow slide is
 * measured against where the account was, not against the slide itself. Undefined without a quarter
 * of history.
 */
function against(t: SignalInput["timeline"], i: number): Level | undefined {
  const s = t.series;
  const q1From = i - RECENT_DAYS - QUARTER_DAYS + 1;
  const q1Users = sum(s.usageUsers, q1From, i - RECENT_DAYS) / QUARTER_DAYS;
  const q1Events = sum(s.usageEvents, q1From, i - RECENT_DAYS) / QUARTER_DAYS;
  if (
    q1From < t.firstIndex - 30 ||
    sum(s.usageDays, q1From, i - RECENT_DAYS) < 20 ||
    (q1Users === 0 && q1Events === 0)
  )
    return undefined;
  const q2From = q1From - QUARTER_DAYS;
  const q2Users = sum(s.usageUsers, q2From, q1From - 1) / QUARTER_DAYS;
  const q2Events = sum(s.usageEvents, q2From, q1From - 1) / QUARTER_DAYS;
  const q2Usable = sum(s.usageDays, q2From, q1From - 1) >= 20;
  const useQ2 = q2Usable && q2Users + q2Events > q1Users + q1Events;
  const usualUsers = useQ2 ? q2Users : q1Users;
  const usualEvents = useQ2 ? q2Events : q1Events;
  const recentUsers = sum(s.usageUsers, i - RECENT_DAYS + 1, i) / RECENT_DAYS;
  const recentEvents = sum(s.usageEvents, i - RECENT_DAYS + 1, i) / RECENT_DAYS;
  const ratio = levelRatio(recentUsers, recentEvents, usualUsers, usualEvents);
  return { ratio, recentUsers, recentEvents, usualUsers, usualEvents };
}
