// What the HubSpot app card fetches from Ebb's Worker (the Worker serves it from the tenant store,
// without calling HubSpot): the company's latest health with its reasons, a 90-day series and the
// open Ebb tasks. Defined here, with the card; the Worker validates its answers against it.
import { z } from "zod";
import {
  Band,
  type HealthSnapshot,
  Priority,
  SignalKey,
  type Task,
  Trend,
} from "../../core/model.ts";
import { signalLabel, topReasons } from "../../core/reasons.ts";

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

/** Build the card's answer from a company's snapshots (any order) and its open tasks. */
export function buildCardResponse(
  companyId: string,
  snapshots: HealthSnapshot[],
  openTasks: Task[],
): HubSpotCardResponse {
  const sorted = [...snapshots].sort((a, b) => (a.day < b.day ? -1 : 1));
  const last = sorted[sorted.length - 1];
  if (!last) return { status: "not_scored", companyId };
  const reasons = topReasons(last).map((s) => ({
    key: s.key,
    label: signalLabel(s.key).replace(/^./, (c) => c.toUpperCase()),
    risk: s.risk,
    evidence: s.evidence,
  }));
  return {
    status: "scored",
    companyId,
    score: last.score,
    band: last.band,
    trend: last.trend,
    coverage: last.coverage,
    scoredAt: last.day,
    reasons,
    series: sorted.slice(-90).map((s) => ({ day: s.day, score: s.score })),
    openTasks: openTasks
      .filter((t) => t.action === "open")
      .map((t) => ({
        dedupeKey: t.dedupeKey,
        title: t.title,
        dueAt: t.dueAt,
        priority: t.priority,
      })),
  };
}
