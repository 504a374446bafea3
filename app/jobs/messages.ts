// The queue's message shapes, validated on the way in: anything else is a poison message.
import { z } from "zod";

export const SyncJob = z.object({
  kind: z.literal("sync"),
  tenantId: z.string().min(1),
  connectionId: z.string().min(1),
  /** One run spans many messages (each continues from the saved cursor); the run keeps its id. */
  runId: z.string().min(1),
  reason: z.enum(["install", "cron", "manual", "webhook"]),
});
export const WritebackJob = z.object({
  kind: z.literal("writeback"),
  tenantId: z.string().min(1),
  connectionId: z.string().min(1),
});
/** Score the tenant's planned accounts, a slice per store call, continued in a new message. */
export const ScoreJob = z.object({
  kind: z.literal("score"),
  tenantId: z.string().min(1),
});
export const Job = z.discriminatedUnion("kind", [SyncJob, WritebackJob, ScoreJob]);
export type SyncJob = z.infer<typeof SyncJob>;
export type WritebackJob = z.infer<typeof WritebackJob>;
export type ScoreJob = z.infer<typeof ScoreJob>;
export type Job = z.infer<typeof Job>;

export function syncJob(
  tenantId: string,
  connectionId: string,
  reason: SyncJob["reason"],
): SyncJob {
  return { kind: "sync", tenantId, connectionId, runId: crypto.randomUUID(), reason };
}
