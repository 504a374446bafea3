// The seven signals of DESIGN.md, in the order snapshots list them.
import { goingDark } from "./going-dark.ts";
import { implementationStall } from "./implementation-stall.ts";
import { onboardingFriction } from "./onboarding-friction.ts";
import type { SignalDefinition } from "./signal.ts";
import { stakeholderCoverage } from "./stakeholder-coverage.ts";
import { supportExperience } from "./support-experience.ts";
import { ticketFlood } from "./ticket-flood.ts";
import { usageDrop } from "./usage-drop.ts";

export const SIGNALS: readonly SignalDefinition[] = [
  { key: "onboarding_friction", compute: onboardingFriction },
  { key: "implementation_stall", compute: implementationStall },
  { key: "support_experience", compute: supportExperience },
  { key: "ticket_flood", compute: ticketFlood },
  { key: "going_dark", compute: goingDark },
  { key: "usage_drop", compute: usageDrop },
  { key: "stakeholder_coverage", compute: stakeholderCoverage },
];

export type { PortfolioView, Signal, SignalInput, SignalStatus, SignalValue } from "./signal.ts";
