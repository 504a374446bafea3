// What the HubSpot app card fetches from Ebb's Worker (served from the tenant store, without calling
// HubSpot): Ebb's account view in the card's shape — the company's latest health with its reasons,
// a 90-day series and the open Ebb tasks. Defined here, with the card, and checked on the way out.
import { z } from "zod";
import { Band, Priority, SignalKey, Trend } from "../../core/model.ts";
import type { AccountView } from "../connector.ts";

export const HubSpotCardResponse = z.discriminatedUnion("status", [
  z.object({ status: z.literal("not_scored"), companyId: z.string() }),
  z.object({
    status: z.literal("scored"),
    companyId: z.string(),
    score: z.number().min(0).max(100),
    band: Band,
    trend: Trend,
    coverage: z.number().min(0).max(1),
    scoredAt: z.iso.date(),
    /** Top reasons, strongest first (at most three), each with its evidence. */
    reasons: z
      .array(
        z.object({ key: SignalKey, label: z.string(), risk: z.number(), evidence: z.string() }),
      )
      .max(3),
    /** Daily scores, oldest first, at most 90. */
    series: z.array(z.object({ day: z.iso.date(), score: z.number() })).max(90),
    openTasks: z.array(
      z.object({
        dedupeKey: z.string(),
        title: z.string(),
        dueAt: z.iso.date(),
        priority: Priority,
      }),
    ),
  }),
]);
export type HubSpotCardResponse = z.infer<typeof HubSpotCardResponse>;

/** The card's answer for a company from Ebb's account view (null: not scored yet). */
export function toCardResponse(companyId: string, view: AccountView | null): HubSpotCardResponse {
  if (!view) return { status: "not_scored", companyId };
  return HubSpotCardResponse.parse({
    status: "scored",
    companyId,
    score: view.score,
    band: view.band,
    trend: view.trend,
    coverage: view.coverage,
    scoredAt: view.scoredAt,
    reasons: view.reasons.map(({ key, label, risk, evidence }) => ({ key, label, risk, evidence })),
    series: view.series,
    openTasks: view.openTasks,
  });
}

/** The company a card request names, and its portal. */
export interface CardTarget {
  objectId: string;
  portalId: string;
}
