// The portfolio the Worker tests' vendor sandboxes are seeded with: 12 accounts, two years of history
// ending yesterday, cut from a longer story as the demo does, so that some accounts are decaying now
// (and get tasks) rather than all having churned.
import { addDays } from "../../core/day.ts";
import { portfolioAsOf } from "../../core/generate/as-of.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { Portfolio } from "../../core/model.ts";

export function workerTestPortfolio(): Portfolio {
  const today = new Date().toISOString().slice(0, 10);
  const p = generatePortfolio({ accounts: 12, seed: 39, start: addDays(today, -730), days: 880 });
  return portfolioAsOf(p.portfolio, today);
}
