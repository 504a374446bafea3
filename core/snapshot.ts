// One account-day's results as a health snapshot (each signal's risk, weight and evidence), and the
// reasons a task names: the signals pulling the score down, strongest first.
import type { Account, Band, HealthSnapshot, SignalResult } from "./model.ts";
import type { Reason } from "./playbooks.ts";
import { SIGNALS, type SignalValue } from "./signals/index.ts";

export function snapshotOf(
  account: Account,
  day: string,
  score: number,
  band: Band,
  trend: HealthSnapshot["trend"],
  coverage: number,
  values: SignalValue[],
  /** The stage's weights in SIGNALS order. */
  weights: readonly number[],
): HealthSnapshot {
  const signals: SignalResult[] = new Array(SIGNALS.length);
  for (let k = 0; k < SIGNALS.length; k++) {
    const v = values[k]!;
    const key = SIGNALS[k]!.key;
    const s: SignalResult = {
      key,
      risk: Math.round(v.risk * 1000) / 1000,
      weight: v.status === "not_applicable" ? 0 : weights[k]!,
      evidence: v.evidence,
    };
    if (v.evidenceIds && v.evidenceIds.length > 0) s.evidenceIds = v.evidenceIds;
    signals[k] = s;
  }
  return {
    accountId: account.id,
    day,
    score,
    band,
    trend,
    coverage: Math.round(coverage * 1000) / 1000,
    signals,
  };
}

export const NO_REASONS: readonly Reason[] = [];

/** The signals pulling the score down, strongest first. */
export function reasonsOf(values: SignalValue[], weights: readonly number[]): Reason[] {
  const reasons: Reason[] = [];
  for (let k = 0; k < SIGNALS.length; k++) {
    const v = values[k]!;
    const pull = v.status === "ok" ? weights[k]! * v.risk : 0;
    if (pull > 0) reasons.push({ key: SIGNALS[k]!.key, pull, evidence: v.evidence });
  }
  return reasons.sort((a, b) => b.pull - a.pull);
}

/**
 * A snapshot without its evidence (no signals): what a daily series keeps of each day, and enough
 * to count an account's band on a day.
 */
export function withoutEvidence(s: HealthSnapshot): HealthSnapshot {
  return {
    accountId: s.accountId,
    day: s.day,
    score: s.score,
    band: s.band,
    trend: s.trend,
    coverage: s.coverage,
    signals: [],
  } as unknown as HealthSnapshot;
}
