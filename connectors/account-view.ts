// The vendor-neutral account view, built from an account's snapshots and tasks: what every in-vendor
// UI (HubSpot card, Zendesk sidebar, Lightning component) shows, each mapped to its own shape.
import type { Account, HealthSnapshot, Task } from "../core/model.ts";
import { signalLabel, topReasons } from "../core/reasons.ts";
import type { AccountView } from "./connector.ts";

/** Days of scores a view carries. */
export const VIEW_SERIES_DAYS = 90;

/** The view of `account` from its snapshots (any order) and tasks; null before its first score. */
export function accountViewOf(
  account: Pick<Account, "id" | "name" | "ownerId" | "ownerEmail">,
  snapshots: readonly HealthSnapshot[],
  tasks: readonly Task[],
): AccountView | null {
  const sorted = [...snapshots].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const last = sorted.at(-1);
  if (!last) return null;
  return {
    accountId: account.id,
    name: account.name,
    owner: { id: account.ownerId, email: account.ownerEmail },
    score: last.score,
    band: last.band,
    trend: last.trend,
    coverage: last.coverage,
    scoredAt: last.day,
    reasons: topReasons(last).map((s) => ({
      key: s.key,
      label: signalLabel(s.key).replace(/^./, (c) => c.toUpperCase()),
      risk: s.risk,
      evidence: s.evidence,
      ...(s.evidenceIds ? { evidenceIds: s.evidenceIds } : {}),
    })),
    series: sorted.slice(-VIEW_SERIES_DAYS).map((s) => ({ day: s.day, score: s.score })),
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
