// Usage drop: recent active users and events against the account's own usual level, discounted when
// the whole portfolio dips (holidays) or the account dipped the same way a year ago (its season).
import { sum } from "../timeline.ts";
import type { SignalInput, SignalValue } from "./signal.ts";
import { num, pct, ramp } from "./util.ts";

const RECENT_DAYS = 14;
const QUARTER_DAYS = 90;
const YEAR_DAYS = 364;
/** How many events count as one user-day when judging noise on event counts alone. */
const EVENTS_PER_USER_DAY = 20;

interface Level {
  users: number;
  events: number;
}

export function usageDrop({ timeline: t, i, portfolio, explain }: SignalInput): SignalValue {
  if (!portfolio.sourceFresh("usage", t.origin + i)) {
    return { risk: 0, status: "no_data", evidence: explain ? "No recent usage data." : "" };
  }
  const now = against(t, i);
  if (!now) {
    return {
      risk: 0,
      status: "no_data",
      evidence: explain ? "Not enough usage history for a baseline yet." : "",
    };
  }
  const { recent, usual, ratio } = now;
  // Portfolio-wide dip on the same days (holidays, an outage): only the part beyond it is the account's.
  const portfolioRatio = Math.min(1, portfolio.usageRatio(t.origin + i));
  let adjusted = Math.min(1, ratio / Math.max(portfolioRatio, 0.05));
  // The account's own season: the same weeks a year ago, measured the same way.
  let seasonal = false;
  const lastYear = i - YEAR_DAYS >= t.firstIndex ? against(t, i - YEAR_DAYS) : undefined;
  if (lastYear && lastYear.ratio < 0.85 && adjusted < 1) {
    adjusted = Math.min(1, adjusted / Math.max(lastYear.ratio, 0.05));
    seasonal = true;
  }
  const drop = 1 - adjusted;
  // Small accounts are noisy: three users one fortnight and one the next is chance, not decay. The
  // shortfall must also be large against Poisson noise on the user-days (or, without user counts,
  // on events, which scatter far more than people do).
  const expected =
    usual.users > 0
      ? usual.users * RECENT_DAYS
      : (usual.events * RECENT_DAYS) / EVENTS_PER_USER_DAY;
  const observed = expected * adjusted;
  const z = (expected - observed) / Math.sqrt(Math.max(expected, 1));
  const risk = ramp(drop, 0.3, 0.7) * ramp(z, 2, 4);
  if (!explain) return { risk, status: "ok", evidence: "" };
  const useUsers = usual.users > 0;
  const what = useUsers ? "Active users" : "Events";
  const r = useUsers ? recent.users : recent.events;
  const u = useUsers ? usual.users : usual.events;
  const change = r < u ? `down ${pct(1 - r / u)} from` : `against`;
  let evidence = `${what} averaged ${num(Math.round(r * 10) / 10)} a day over the last ${RECENT_DAYS} days, ${change} the usual ${num(Math.round(u * 10) / 10)}.`;
  if (portfolioRatio < 0.9)
    evidence += ` The whole portfolio is at ${pct(portfolioRatio)} of its usual level, so only the difference counts.`;
  if (seasonal) evidence += " A similar dip a year ago suggests a seasonal pattern.";
  return { risk, status: "ok", evidence };
}

/**
 * Recent level against the usual one on day index `i`. The usual level is the better of the last two
 * quarters before the recent window, so a slow slide is measured against where the account was, not
 * against the slide itself. Undefined without a quarter of history.
 */
function against(
  t: SignalInput["timeline"],
  i: number,
): { recent: Level; usual: Level; ratio: number } | undefined {
  const s = t.series;
  const q1From = i - RECENT_DAYS - QUARTER_DAYS + 1;
  const q1 = level(t, q1From, i - RECENT_DAYS);
  if (
    q1From < t.firstIndex - 30 ||
    sum(s.usageDays, q1From, i - RECENT_DAYS) < 20 ||
    (q1.users === 0 && q1.events === 0)
  )
    return undefined;
  const q2From = q1From - QUARTER_DAYS;
  const q2 = level(t, q2From, q1From - 1);
  const q2Usable = sum(s.usageDays, q2From, q1From - 1) >= 20;
  const usual = q2Usable && q2.users + q2.events > q1.users + q1.events ? q2 : q1;
  const recent = level(t, i - RECENT_DAYS + 1, i);
  return { recent, usual, ratio: levelRatio(recent, usual) };
}

function level(t: SignalInput["timeline"], a: number, b: number): Level {
  const days = b - a + 1;
  return {
    users: sum(t.series.usageUsers, a, b) / days,
    events: sum(t.series.usageEvents, a, b) / days,
  };
}

function levelRatio(recent: Level, usual: Level): number {
  const ru = usual.users > 0 ? recent.users / usual.users : Number.NaN;
  const re = usual.events > 0 ? recent.events / usual.events : Number.NaN;
  if (Number.isNaN(ru)) return Number.isNaN(re) ? 1 : re;
  if (Number.isNaN(re)) return ru;
  return (ru + re) / 2;
}
