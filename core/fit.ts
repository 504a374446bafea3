// Learning stage weights from a tenant's own history with outcomes, on a time split: the weights
// are fitted on the days before the split and judged on the days after it, which the fit never
// saw. Each signal's weight is scaled (in every stage at once) by coordinate search: a scale is
// kept only when it improves the objective on the fit part. Nothing is adopted here: the caller
// prints both and writes the fitted weights for an admin to adopt, or not.
import { type BacktestReport, backtest } from "./backtest.ts";
import { addDays, toDayNumber, toDayString } from "./day.ts";
import type { Portfolio, SignalKey, Stage } from "./model.ts";
import { DEFAULT_WEIGHTS, type StageWeights } from "./weights.ts";

/** Scales tried for one signal's weights at each step. */
const SCALES = [0.6, 0.8, 1.25, 1.5] as const;
/** No weight above this: one signal alone never takes a score to zero. */
const MAX_WEIGHT = 0.95;
/** Fewer churned accounts than this on either side of the split: too few to fit or to judge. */
export const MIN_CHURNED = 10;

/**
 * What the fit maximises: how early and well churners rank (recall at 30 days, AUC 60 days
 * before) less the false alarms a CSM would have to wade through, per healthy account-year.
 */
export function objective(r: BacktestReport): number {
  return r.recallAt30 + (r.auc60 ?? 0.5) - r.falseAlarmsPerHealthyAccountYear;
}

export interface FitResult {
  split: string;
  weights: StageWeights;
  /** Each signal's scale against the starting weights. */
  scales: Record<SignalKey, number>;
  before: { fit: BacktestReport; report: BacktestReport };
  after: { fit: BacktestReport; report: BacktestReport };
  evaluations: number;
}

/** The day in the middle of the portfolio's records (the default split). */
export function middleDay(p: Portfolio): string {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const u of p.usage) {
    const d = toDayNumber(u.day);
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  for (const t of p.tickets) {
    const d = toDayNumber(t.createdAt.slice(0, 10));
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  if (!Number.isFinite(lo)) throw new Error("the portfolio has no dated records to split");
  return toDayString(Math.floor((lo + hi) / 2));
}

function scaled(base: StageWeights, scales: Record<SignalKey, number>): StageWeights {
  const out = {} as StageWeights;
  for (const stage of Object.keys(base) as Stage[]) {
    out[stage] = { ...base[stage] };
    for (const key of Object.keys(scales) as SignalKey[])
      out[stage][key] = Math.min(
        MAX_WEIGHT,
        Math.round(base[stage][key] * scales[key] * 1000) / 1000,
      );
  }
  return out;
}

export function fitWeights(
  p: Portfolio,
  o: {
    split?: string;
    start?: StageWeights;
    /** Each account's kind, where the input names them: reported, never fitted on. */
    kinds?: ReadonlyMap<string, string>;
    onStep?: (line: string) => void;
  } = {},
): FitResult {
  const split = o.split ?? middleDay(p);
  const start = o.start ?? DEFAULT_WEIGHTS;
  const splitDay = toDayNumber(split);
  const churnedBefore = p.outcomes.filter(
    (x) => x.kind === "churned" && toDayNumber(x.at) <= splitDay,
  ).length;
  const churnedAfter = p.outcomes.filter(
    (x) => x.kind === "churned" && toDayNumber(x.at) > splitDay,
  ).length;
  if (churnedBefore < MIN_CHURNED || churnedAfter < MIN_CHURNED)
    throw new Error(
      `too few churned accounts to fit and judge: ${churnedBefore} before ${split} and ${churnedAfter} after it (at least ${MIN_CHURNED} each)`,
    );
  let evaluations = 0;
  const fitPart = (w: StageWeights) => {
    evaluations++;
    return backtest(p, { to: split, weights: w }, o.kinds);
  };
  const reportPart = (w: StageWeights) =>
    backtest(p, { from: addDays(split, 1), weights: w }, o.kinds);

  const keys = Object.keys(start.mature) as SignalKey[];
  const scales = Object.fromEntries(keys.map((k) => [k, 1])) as Record<SignalKey, number>;
  const beforeFit = fitPart(start);
  let best = objective(beforeFit);
  let bestReport = beforeFit;
  // Two passes over the signals: a scale kept for one can change what suits the next.
  for (let pass = 0; pass < 2; pass++) {
    let improved = false;
    for (const key of keys) {
      for (const s of SCALES) {
        const trial = { ...scales, [key]: scales[key] * s };
        const r = fitPart(scaled(start, trial));
        const j = objective(r);
        if (j > best + 1e-4) {
          best = j;
          bestReport = r;
          scales[key] = trial[key];
          improved = true;
          o.onStep?.(`${key} ×${trial[key].toFixed(2)}: objective ${j.toFixed(3)}`);
        }
      }
    }
    if (!improved) break;
  }
  const weights = scaled(start, scales);
  return {
    split,
    weights,
    scales,
    before: { fit: beforeFit, report: reportPart(start) },
    after: { fit: bestReport, report: reportPart(weights) },
    evaluations,
  };
}
