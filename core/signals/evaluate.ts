// One signal for one account on one day, straight from records: the `(records, day) → risk` form of
// a signal, for tests, the CLI and anyone reading a single account. Scoring whole portfolios goes
// through the engine, which builds each timeline once.
import { toDayNumber } from "../day.ts";
import type { SignalKey } from "../model.ts";
import { accountSpan, buildPortfolioContext } from "../portfolio.ts";
import { type AccountRecords, buildTimeline } from "../timeline.ts";
import { SIGNALS } from "./index.ts";
import type { SignalValue } from "./signal.ts";

/**
 * Evaluate `key` for `records` on `day` (YYYY-MM-DD). `portfolio` is every account's records,
 * the account's own included (default: the account alone), for the portfolio comparisons.
 */
export function evaluateSignal(
  key: SignalKey,
  records: AccountRecords,
  day: string,
  portfolio: readonly AccountRecords[] = [records],
): SignalValue {
  const def = SIGNALS.find((s) => s.key === key);
  if (!def) throw new Error(`unknown signal ${key}`);
  const ctx = buildPortfolioContext(portfolio);
  const d = toDayNumber(day);
  const span = accountSpan(records);
  const origin = Math.min(Number.isFinite(span.first) ? span.first : d, d) - 400;
  const t = buildTimeline(records, origin, d - origin + 1, ctx);
  return def.compute({ timeline: t, i: d - origin, portfolio: ctx, explain: true });
}
