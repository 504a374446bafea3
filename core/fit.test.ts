// `backtest --fit`: weights learnt before a time split, judged after it, adopted by nobody here.
import { describe, expect, it } from "vitest";
import { backtest } from "./backtest.ts";
import { fitWeights, MIN_CHURNED, objective } from "./fit.ts";
import { generatePortfolio } from "./generate/generate.ts";
import { DEFAULT_WEIGHTS } from "./weights.ts";

const { portfolio } = generatePortfolio({ accounts: 160, seed: 21, days: 730 });

describe("fitting stage weights on a time split", () => {
  const before = structuredClone(DEFAULT_WEIGHTS);
  const fit = fitWeights(portfolio, { split: "2024-12-31" });

  it("improves (or keeps) the objective on the part it was fitted on", () => {
    expect(objective(fit.after.fit)).toBeGreaterThanOrEqual(objective(fit.before.fit));
    expect(fit.evaluations).toBeGreaterThan(7);
  });

  it("judges on the later part, which the fit never saw, with the weights it reports", () => {
    expect(fit.after.report).toEqual(
      backtest(portfolio, { from: "2025-01-01", weights: fit.weights }),
    );
    expect(fit.before.report).toEqual(backtest(portfolio, { from: "2025-01-01" }));
    for (const stage of Object.values(fit.weights))
      for (const w of Object.values(stage)) expect(w).toBeLessThanOrEqual(0.95);
  });

  it("changes nothing by itself: Ebb's weights are as they were", () => {
    expect(DEFAULT_WEIGHTS).toEqual(before);
  });

  it("refuses a split with too few churned accounts on one side", () => {
    expect(() => fitWeights(portfolio, { split: "2024-01-20" })).toThrow(
      new RegExp(`too few churned accounts.*at least ${MIN_CHURNED} each`),
    );
  });
});
