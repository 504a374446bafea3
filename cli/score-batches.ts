// Scoring a folder a batch of accounts at a time (read-batches.ts): one pass over the batches adds
// every account's facts to the portfolio context, a second scores each batch with that context.
// The results are those of scoring the whole portfolio at once; what is held at any time is one
// batch's records and the context.
import {
  type ScoreOptions,
  type ScoreSink,
  type ScoreSummary,
  scorePortfolio,
} from "../core/engine.ts";
import { FACTS_BATCH, FactsPool } from "../core/facts.ts";
import { groupByAccount } from "../core/grouping.ts";
import type { Portfolio } from "../core/model.ts";
import { ContextBuilder } from "../core/portfolio.ts";
import type { BatchedFolder } from "./read-batches.ts";

export async function scoreInBatches(
  folder: Pick<BatchedFolder, "batches">,
  options: ScoreOptions,
  sink: ScoreSink,
  onBatch?: (part: Portfolio) => void,
): Promise<ScoreSummary> {
  const builder = new ContextBuilder();
  for await (const part of folder.batches()) {
    // A pool per batch: a pool remembers each account's ticket readings, keyed by its records,
    // which would keep every batch's records alive.
    const pool = new FactsPool();
    const { groups } = groupByAccount(part);
    for (let k = 0; k < groups.length; k += FACTS_BATCH)
      for (const f of pool.fill(groups.slice(k, k + FACTS_BATCH))) builder.add(f);
  }
  const ctx = builder.finish();
  const total: ScoreSummary = {
    accounts: 0,
    accountDays: 0,
    tasksOpened: 0,
    tasksClosed: 0,
    alerts: [],
    orphans: [],
  };
  let alerts: ScoreSummary["alerts"] | undefined;
  for await (const part of folder.batches()) {
    onBatch?.(part);
    const s = scorePortfolio(part, options, sink, ctx);
    total.accounts += s.accounts;
    total.accountDays += s.accountDays;
    total.tasksOpened += s.tasksOpened;
    total.tasksClosed += s.tasksClosed;
    total.orphans.push(...s.orphans);
    // Every batch with accounts reports the same portfolio alerts (those over the days scored).
    if (part.accounts.length > 0) alerts ??= s.alerts;
  }
  total.alerts = alerts ?? [];
  return total;
}
