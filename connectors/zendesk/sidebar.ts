// What the Zendesk agent sidebar shows for a ticket's requester organization, from Ebb's account
// view: band, score and trend; the top reasons in an agent's words; what to do differently on this
// ticket; open Ebb tasks and who owns them. A healthy customer gets one quiet line; an organization
// Ebb has not scored says so.
import { z } from "zod";
import { Band, type SignalKey, Trend } from "../../core/model.ts";
import type { AccountView } from "../connector.ts";

export const SidebarResponse = z.discriminatedUnion("status", [
  z.object({ status: z.literal("not_scored"), organizationId: z.string(), message: z.string() }),
  z.object({
    status: z.literal("scored"),
    organizationId: z.string(),
    name: z.string(),
    score: z.number(),
    band: Band,
    trend: Trend,
    scoredAt: z.string(),
    /** One line for the agent: quiet when healthy. */
    headline: z.string(),
    reasons: z.array(z.object({ label: z.string(), evidence: z.string() })).max(3),
    /** What to do differently on this ticket. */
    advice: z.array(z.string()),
    owner: z.string().optional(),
    openTasks: z.array(z.object({ title: z.string(), dueAt: z.string() })),
  }),
]);
export type SidebarResponse = z.infer<typeof SidebarResponse>;

/** Per warning sign, what an agent on this ticket can do about it. */
const ADVICE: Record<SignalKey, string> = {
  support_experience:
    "Reply today, and do not close the ticket without the customer confirming the fix.",
  ticket_flood: "Check for a known incident before answering, and link this ticket to it.",
  onboarding_friction:
    "Point to the setup guide for their step, and offer a short call with their CSM.",
  implementation_stall: "Ask what is blocking their rollout, and tell their CSM what you hear.",
  going_dark: "This customer has gone quiet: tell their CSM they wrote in.",
  usage_drop: "Their usage is falling: ask how the product fits their work now.",
  stakeholder_coverage:
    "Their main contact may have left: ask who now owns the tool on their side.",
};

const TREND_WORDS: Record<z.infer<typeof Trend>, string> = {
  growing: "improving",
  plateau: "steady",
  decaying: "getting worse",
  recovering: "recovering",
};

export function toSidebarResponse(
  organizationId: string,
  view: AccountView | null,
): SidebarResponse {
  if (!view)
    return {
      status: "not_scored",
      organizationId,
      message:
        "Ebb has no health score for this organization yet: it is not linked to a customer, or there is too little data.",
    };
  const owner = view.owner.email ?? view.owner.id;
  const base = {
    status: "scored" as const,
    organizationId,
    name: view.name,
    score: Math.round(view.score),
    band: view.band,
    trend: view.trend,
    scoredAt: view.scoredAt,
    ...(owner ? { owner } : {}),
    openTasks: view.openTasks.map((t) => ({ title: t.title, dueAt: t.dueAt })),
  };
  if (view.band === "insufficient_data")
    return {
      ...base,
      headline: "Too little data to judge this customer's health yet.",
      reasons: [],
      advice: [],
    };
  if (view.band === "healthy")
    return {
      ...base,
      headline: `Healthy customer (${base.score}/100, ${TREND_WORDS[view.trend]}).`,
      reasons: [],
      advice: [],
    };
  const advice = view.reasons.map((r) => ADVICE[r.key]);
  if (owner && view.band === "at_risk") advice.push(`Loop in their CSM, ${owner}, on this ticket.`);
  return {
    ...base,
    headline:
      view.band === "at_risk"
        ? `At risk: ${base.score}/100 and ${TREND_WORDS[view.trend]}. Handle this ticket with extra care.`
        : `Worth watching: ${base.score}/100, ${TREND_WORDS[view.trend]}.`,
    reasons: view.reasons.map((r) => ({ label: r.label, evidence: r.evidence })),
    advice: [...new Set(advice)],
  };
}
