// Lifecycle stage of an account on a day, and the weight of each signal in each stage.
import { z } from "zod";
import { toDayNumber } from "./day.ts";
import { type Account, SignalKey, Stage } from "./model.ts";
import type { Timeline } from "./timeline.ts";

export const ONBOARDING_DAYS = 90;
export const RENEWAL_DAYS = 90;

/**
 * A weight is how far that signal alone, at full risk, pulls the score down (0..1). Signals combine
 * as a noisy-OR, so one strong warning is not diluted by six quiet ones.
 */
export type Weights = Record<SignalKey, number>;
export type StageWeights = Record<Stage, Weights>;

/** Stage weights as a file holds them (what `ebb backtest --fit` writes): every stage, every signal, 0..1. */
export const StageWeightsFile = z.strictObject(
  Object.fromEntries(
    Stage.options.map((stage) => [
      stage,
      z.strictObject(
        Object.fromEntries(SignalKey.options.map((k) => [k, z.number().min(0).max(1)])) as Record<
          SignalKey,
          z.ZodNumber
        >,
      ),
    ]),
  ) as Record<Stage, z.ZodObject<Record<SignalKey, z.ZodNumber>>>,
);

export const DEFAULT_WEIGHTS: StageWeights = {
  onboarding: {
    onboarding_friction: 0.7,
    implementation_stall: 0.7,
    support_experience: 0.5,
    ticket_flood: 0.4,
    going_dark: 0.6,
    usage_drop: 0.6,
    stakeholder_coverage: 0.5,
  },
  adoption: {
    onboarding_friction: 0.3,
    implementation_stall: 0.5,
    support_experience: 0.55,
    ticket_flood: 0.45,
    going_dark: 0.6,
    usage_drop: 0.75,
    stakeholder_coverage: 0.6,
  },
  mature: {
    onboarding_friction: 0,
    implementation_stall: 0.3,
    support_experience: 0.55,
    ticket_flood: 0.45,
    going_dark: 0.6,
    usage_drop: 0.75,
    stakeholder_coverage: 0.6,
  },
  renewal: {
    onboarding_friction: 0,
    implementation_stall: 0.3,
    support_experience: 0.6,
    ticket_flood: 0.45,
    going_dark: 0.7,
    usage_drop: 0.8,
    stakeholder_coverage: 0.7,
  },
};

/**
 * Stage on day index `i`: the first 90 days after `customerSince` are onboarding, the last 90 before
 * `renewalAt` renewal; in between, adoption in the first year and mature after. Without dates, the
 * account's own `stage` field, else adoption.
 */
export function stageOn(t: Timeline, i: number): Stage {
  return stageAt(t.customerSinceIndex, t.renewalIndex, i, t.account.stage);
}

/** The same for an account on a day (a day number), for lists and filters with no timeline at hand. */
export function stageOfAccount(a: Account, day: number): Stage {
  const dayOf = (d: string | undefined) => {
    const n = d ? toDayNumber(d) : Number.NaN;
    return Number.isNaN(n) ? undefined : n;
  };
  return stageAt(dayOf(a.customerSince), dayOf(a.renewalAt), day, a.stage);
}

/** The stage rule itself, on day numbers or day indices alike (the same unit for all three). */
function stageAt(
  since: number | undefined,
  renewal: number | undefined,
  day: number,
  fallback: Stage | undefined,
): Stage {
  if (since !== undefined && day >= since && day - since < ONBOARDING_DAYS) return "onboarding";
  if (renewal !== undefined && renewal - day >= 0 && renewal - day <= RENEWAL_DAYS)
    return "renewal";
  if (since !== undefined) return day - since < 365 ? "adoption" : "mature";
  return fallback ?? "adoption";
}
