// The kinds of account the synthetic portfolio holds: healthy ones of several sorts, and decaying
// ones for each of the seven warning signs.
import type { SignalKey } from "../model.ts";

export type HealthyKind = "quiet_loyal" | "busy_howto" | "seasonal" | "growing" | "steady";
export type Archetype = HealthyKind | SignalKey;

/** Share of accounts of each kind (sums to 1). */
export const MIX: readonly [Archetype, number][] = [
  ["quiet_loyal", 0.14],
  ["busy_howto", 0.14],
  ["seasonal", 0.1],
  ["growing", 0.13],
  ["steady", 0.14],
  ["onboarding_friction", 0.05],
  ["implementation_stall", 0.05],
  ["support_experience", 0.05],
  ["ticket_flood", 0.05],
  ["going_dark", 0.05],
  ["usage_drop", 0.05],
  ["stakeholder_coverage", 0.05],
];

/** Decaying accounts that churn; the others recover after a while. */
export const CHURN_SHARE = 0.7;
/** Healthy accounts that churn anyway, without warning (budget cuts, acquisitions): unforecastable by design. */
export const SURPRISE_CHURN_SHARE = 0.015;

export const FEATURES = [
  "reporting",
  "billing",
  "integrations",
  "sso",
  "export",
  "dashboards",
  "permissions",
  "api",
] as const;

/** Ground truth for one account: what the generator meant it to be. */
export interface Truth {
  accountId: string;
  archetype: Archetype;
  /** First day of decay (decaying accounts). */
  onsetAt?: string;
  churnAt?: string;
  recoversAt?: string;
}
