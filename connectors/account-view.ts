// The vendor-neutral account view, built from an account's latest snapshot, scores and tasks: what every in-vendor
// UI (HubSpot card, Zendesk sidebar, Lightning component) shows, each mapped to its own shape.
import type { Account, HealthSnapshot, Task } from "../core/model.ts";
import { signalLabel, topReasons } from "../core/reasons.ts";
import type { AccountView } from "./connector.ts";

/** Days of scores a view carries. */
export const VIEW_SERIES_DAYS = 90;

/**
 * The view of `account` from its latest snapshot (the reasons), its daily scores (oldest first; the
 * last `VIEW_SERIES_DAYS` are kept) and its tasks; null before its first score.
 */
export function accountViewOf(
  account: Pick<Account, "id" | "name" | "ownerId" | "ownerEmail">,
  latest: HealthSnapshot | undefined,
  series: readonly { day: string; score: number }[],
  tasks: readonly Task[],
): AccountView | null {
  if (!latest) return null;
  return {
    accountId: account.id,
    name: account.name,
    owner: { id: account.ownerId, email: account.ownerEmail },
    score: latest.score,
    band: latest.band,
    trend: latest.trend,
    coverage: latest.coverage,
    scoredAt: latest.day,
    reasons: topReasons(latest).map((s) => ({
      key: s.key,
      label: signalLabel(s.key).replace(/^./, (c) => c.toUpperCase()),
      risk: s.risk,
      evidence: s.evidence,
      ...(s.evidenceIds ? { evidenceIds: s.evidenceIds } : {}),
    })),
    series: series.slice(-VIEW_SERIES_DAYS).map(({ day, score }) => ({ day, score })),
    openTasks: tasks
      .filter((t) => t.action === "open")
      .map((t) => ({
        dedupeKey: t.dedupeKey,
        title: t.title,
        dueAt: t.dueAt,
        priority: t.priority,
      })),
  };
}
