// The backtest's figures on hand-built portfolios whose right answers are known.
import { describe, expect, it } from "vitest";
import { calmAccount, portfolioOf, usage } from "../tests/builders.ts";
import { backtest } from "./backtest.ts";

const DAYS = 400;

describe("backtest", () => {
  it("credits an early warning and ranks the churner below healthy accounts", () => {
    const churner = calmAccount("leaver", DAYS);
    churner.usage = usage("leaver", 0, DAYS, (n) =>
      n >= 200 ? Math.max(1, 20 - (n - 200) / 4) : 20,
    );
    const healthy = Array.from({ length: 8 }, (_, k) => calmAccount(`stay${k}`, DAYS));
    const r = backtest(portfolioOf([churner, ...healthy], { leaver: 360 }));
    expect(r.churned).toBe(1);
    expect(r.recallAt30).toBe(1);
    expect(r.medianLeadDays).toBeGreaterThanOrEqual(60);
    expect(r.auc60).toBe(1);
    expect(r.falseAlarmsPerHealthyAccountYear).toBe(0);
    expect(r.healthyAccountYears).toBeCloseTo((8 * (DAYS + 1)) / 365, 5);
  });

  it("misses a churn nobody could see coming", () => {
    const surprise = calmAccount("surprise", DAYS);
    const healthy = Array.from({ length: 8 }, (_, k) => calmAccount(`stay${k}`, DAYS));
    const r = backtest(portfolioOf([surprise, ...healthy], { surprise: 300 }));
    expect(r.recallAt30).toBe(0);
    expect(r.medianLeadDays).toBeNull();
    expect(r.auc60).toBeLessThanOrEqual(0.5 + 1e-9);
  });
});
