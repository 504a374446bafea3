// An account's life in the synthetic portfolio: its archetype, when it became a customer, when decay
// sets in, and whether it churns or recovers; the portfolio's plan (days, the incident); and how
// strongly decay shows on a day.
import { toDayNumber, toDayString } from "../day.ts";
import { type Archetype, CHURN_SHARE, MIX, SURPRISE_CHURN_SHARE } from "./archetypes.ts";
import { accountSeed, createRng, type Rng } from "./random.ts";

export interface Plan {
  start: number;
  end: number;
  incidentDay: number | undefined;
}

export function planOf(o: {
  seed: number;
  start?: string;
  days?: number;
  incident?: boolean;
}): Plan {
  const start = toDayNumber(o.start ?? "2024-01-01");
  const end = start + (o.days ?? 730) - 1;
  const rng = createRng(accountSeed(o.seed, -1));
  const incidentDay =
    o.incident === false ? undefined : start + Math.floor((end - start) * 0.55) + rng.int(-20, 20);
  return { start, end, incidentDay };
}

function pickArchetype(rng: Rng): Archetype {
  let x = rng.next();
  for (const [kind, share] of MIX) {
    if (x < share) return kind;
    x -= share;
  }
  return "steady";
}

export interface Life {
  kind: Archetype;
  since: number;
  dataStart: number;
  onset: number | undefined;
  churn: number | undefined;
  recovers: number | undefined;
}

export function lifeOf(rng: Rng, plan: Plan): Life {
  const kind = pickArchetype(rng);
  const newCustomer =
    kind === "onboarding_friction" || kind === "implementation_stall" || rng.chance(0.25);
  const since = newCustomer
    ? kind === "onboarding_friction" || kind === "implementation_stall"
      ? rng.int(plan.start + 30, plan.end - 260)
      : rng.int(plan.start, plan.end - 200)
    : plan.start - rng.int(120, 1400);
  const dataStart = Math.max(since, plan.start);
  let onset: number | undefined;
  let churn: number | undefined;
  let recovers: number | undefined;
  const decaying =
    kind !== "quiet_loyal" &&
    kind !== "busy_howto" &&
    kind !== "seasonal" &&
    kind !== "growing" &&
    kind !== "steady";
  if (decaying) {
    onset = newCustomer ? since + rng.int(3, 15) : rng.int(plan.start + 150, plan.end - 150);
    if (rng.chance(CHURN_SHARE)) {
      const c = onset + rng.int(newCustomer ? 130 : 110, newCustomer ? 220 : 200);
      churn = c <= plan.end ? c : undefined;
    } else {
      recovers = onset + rng.int(70, 130);
    }
  } else if (rng.chance(SURPRISE_CHURN_SHARE)) {
    churn = rng.int(dataStart + 120, plan.end);
  }
  return { kind, since, dataStart, onset, churn, recovers };
}

/** Decay intensity on a day: 0 before onset, ramping to 1 over `rampDays`, back to 0 after recovery. */
export function intensity(life: Life, day: number, delay = 0, rampDays = 30): number {
  if (life.onset === undefined) return 0;
  const from = life.onset + delay;
  if (day < from) return 0;
  let x = Math.min(1, (day - from) / rampDays);
  if (life.recovers !== undefined && day >= life.recovers)
    x *= Math.max(0, 1 - (day - life.recovers) / 30);
  return x;
}

export function isHoliday(day: number): boolean {
  const s = toDayString(day);
  const md = s.slice(5);
  return md >= "12-22" || md <= "01-02";
}
