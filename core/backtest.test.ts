// The backtest's figures on hand-built portfolios whose right answers are known.
import { describe, expect, it } from "vitest";
import { calmAccount, portfolioOf, usage } from "../tests/builders.ts";
import { backtest, scoreBands } from "./backtest.ts";

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

describe("scoreBands", () => {
  const samples = (score: number, n: number, churned: number) =>
    Array.from({ length: n }, (_, k) => ({ score, churned: k < churned }));

  it("cuts the ranked samples into tenths when scores differ", () => {
    const all = Array.from({ length: 100 }, (_, k) => ({ score: k, churned: k < 10 }));
    const bands = scoreBands(all.reverse());
    expect(bands).toHaveLength(10);
    expect(bands[0]).toEqual({
      band: 1,
      minScore: 0,
      maxScore: 9,
      samples: 10,
      share: 0.1,
      churnRate: 1,
    });
    expect(bands.slice(1).every((b) => b.samples === 10 && b.churnRate === 0)).toBe(true);
  });

  it("never splits equal scores, so a portfolio mostly at 100 gets one band for all its 100s", () => {
    const bands = scoreBands([
      ...samples(100, 850, 4),
      ...samples(40, 50, 30),
      ...samples(80, 100, 10),
    ]);
    // The cut at rank 100 falls among the 80s (ranks 50–149) and moves back to rank 50; the cuts
    // at ranks 200–900 fall among the 100s and move back to rank 150.
    expect(bands.map((b) => [b.minScore, b.maxScore, b.samples])).toEqual([
      [40, 40, 50],
      [80, 80, 100],
      [100, 100, 850],
    ]);
    expect(bands.map((b) => b.churnRate)).toEqual([30 / 50, 10 / 100, 4 / 850]);
    expect(bands.map((b) => b.band)).toEqual([1, 2, 3]);
    expect(bands.reduce((n, b) => n + b.samples, 0)).toBe(1000);
  });

  it("moves a cut back to where a run of equal scores starts", () => {
    // Ranks 0–4 score 10, 5–14 score 20: the cut at rank 10 moves back to 5.
    const bands = scoreBands([...samples(10, 5, 5), ...samples(20, 10, 0), ...samples(30, 85, 0)]);
    expect(bands[0]).toMatchObject({ minScore: 10, maxScore: 10, samples: 5, churnRate: 1 });
    expect(bands[1]).toMatchObject({ minScore: 20, maxScore: 20, samples: 10 });
  });

  it("has no bands without samples", () => {
    expect(scoreBands([])).toEqual([]);
  });
});
