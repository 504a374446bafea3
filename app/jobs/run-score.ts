// One score message: drive the tenant store's scoring job a slice per store call (each its own
// invocation of the store, with its own CPU budget) for up to a time budget, then continue in a new
// message. When the plan is done, queue its follow-ups (the writeback). A redelivered or duplicate
// message only drives the same job: each slice commits with its progress, so none is scored twice.
import type { Deps } from "../deps.ts";
import type { ScoreJob } from "./messages.ts";

/** Wall time one message drives slices for before handing over to a fresh message. */
export const SCORE_BUDGET_MS = 20_000;

export type ScoreOutcome =
  | { status: "done"; slices: number; accounts: number; followups: number }
  | { status: "continued"; slices: number; accounts: number };

export async function runScore(
  deps: Deps,
  job: ScoreJob,
  budgetMs: number = SCORE_BUDGET_MS,
): Promise<ScoreOutcome> {
  const store = deps.tenant(job.tenantId);
  const started = deps.now();
  let slices = 0;
  let accounts = 0;
  for (;;) {
    const step = await store.scoreStep();
    if (step.accounts > 0) slices++;
    accounts += step.accounts;
    if (step.followups.length > 0) {
      await deps.enqueue(step.followups);
      await store.followupsQueued();
    }
    if (!step.more) return { status: "done", slices, accounts, followups: step.followups.length };
    if (deps.now() - started >= budgetMs) {
      await deps.enqueue([job]);
      return { status: "continued", slices, accounts };
    }
  }
}
