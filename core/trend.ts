// The trend state machine over an account's daily score series: growing → plateau → decaying →
// recovering, with hysteresis (separate enter/leave thresholds and days to dwell) so noise does not flap it.
import type { Trend } from "./model.ts";

/** Everything needed to continue the series on the next day; plain data, safe to store. */
export interface TrendState {
  trend: Trend;
  /** Fast (about a week) and slow (about six weeks) exponential averages of the score. */
  fast: number;
  slow: number;
  /** Consecutive days the current condition for a change has held. */
  streak: number;
  /** Which change the streak is counting towards. */
  pending: Trend | "none";
  days: number;
}

export interface TrendOptions {
  fastAlpha: number;
  slowAlpha: number;
  /** Fast below slow by this many points (for `enterDays` days) enters decay. */
  decayGap: number;
  enterDays: number;
  /** Fast above slow by this many points starts growth or recovery. */
  riseGap: number;
  /** Within this many points of each other the series is flat. */
  flatGap: number;
  /** Days flat before recovering or decaying settles into plateau. */
  settleDays: number;
}

export const DEFAULT_TREND: TrendOptions = {
  fastAlpha: 2 / (7 + 1),
  slowAlpha: 2 / (42 + 1),
  decayGap: 5,
  enterDays: 3,
  riseGap: 2.5,
  flatGap: 1.5,
  settleDays: 21,
};

export function startTrend(score: number): TrendState {
  return { trend: "plateau", fast: score, slow: score, streak: 0, pending: "none", days: 0 };
}

/** Feed one more day's score; returns the new state (the input is not modified). */
export function stepTrend(
  prev: TrendState,
  score: number,
  o: TrendOptions = DEFAULT_TREND,
): TrendState {
  const fast = prev.fast + o.fastAlpha * (score - prev.fast);
  const slow = prev.slow + o.slowAlpha * (score - prev.slow);
  const days = prev.days + 1;
  // A perfect score is not decay, whatever the averages still remember of a dip: it recovers.
  if (score >= 100 && (prev.trend === "decaying" || prev.pending === "decaying"))
    return {
      trend: prev.trend === "decaying" ? "recovering" : prev.trend,
      fast,
      slow,
      streak: 0,
      pending: "none",
      days,
    };
  const want = target(prev.trend, fast - slow, o);
  if (want === prev.trend)
    return { trend: prev.trend, fast, slow, streak: 0, pending: "none", days };
  const streak = prev.pending === want ? prev.streak + 1 : 1;
  if (streak >= daysFor(prev.trend, want, o))
    return { trend: want, fast, slow, streak: 0, pending: "none", days };
  return { trend: prev.trend, fast, slow, streak, pending: want, days };
}

/** The state the series is heading for, given where it is. */
function target(current: Trend, diff: number, o: TrendOptions): Trend {
  if (diff <= -o.decayGap) return "decaying";
  switch (current) {
    case "decaying":
      if (diff >= o.riseGap) return "recovering";
      return Math.abs(diff) < o.flatGap ? "plateau" : "decaying";
    case "recovering":
      return Math.abs(diff) < o.flatGap ? "plateau" : "recovering";
    case "growing":
      return diff < o.flatGap / 2 ? "plateau" : "growing";
    case "plateau":
      return diff >= o.riseGap ? "growing" : "plateau";
  }
}

function daysFor(from: Trend, to: Trend, o: TrendOptions): number {
  if (to === "decaying") return o.enterDays;
  if (to === "plateau") return from === "growing" ? 7 : o.settleDays;
  return 5;
}
