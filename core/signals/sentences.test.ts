// Sentences kept from one day to the next must read exactly as if written afresh: every signal,
// every day, over a generated portfolio with decay of every kind, an incident and departed champions.
import { describe, expect, it } from "vitest";
import { groupByAccount } from "../engine.ts";
import { generatePortfolio } from "../generate/generate.ts";
import { accountSpan, buildPortfolioContext } from "../portfolio.ts";
import { buildTimeline } from "../timeline.ts";
import { SIGNALS } from "./index.ts";
import { Sentence, Sentences } from "./util.ts";

describe("Sentence", () => {
  it("matches only the exact values it was last written from", () => {
    const s = new Sentence();
    expect(s.same("", 3, 0.4)).toBe(false);
    s.text = "3 escalations; usual is 0.4.";
    expect(s.same("", 3, 0.4)).toBe(true);
    expect(s.text).toBe("3 escalations; usual is 0.4.");
    expect(s.same("", 3, 0.5)).toBe(false);
    expect(s.same("", 3, 0.5, 0, 0, 0, 0, 0, 1)).toBe(false);
    expect(s.same("billing", 3, 0.5, 0, 0, 0, 0, 0, 1)).toBe(false);
    expect(s.same("billing", 3, 0.5, 0, 0, 0, 0, 0, 1)).toBe(true);
  });

  it("never matches NaN, so an unprintable value is always written afresh", () => {
    const s = new Sentence();
    expect(s.same("", Number.NaN)).toBe(false);
    expect(s.same("", Number.NaN)).toBe(false);
  });
});

describe("kept sentences", () => {
  it("read exactly as fresh ones, day after day, for every signal", () => {
    const { portfolio } = generatePortfolio({ accounts: 60, seed: 41, days: 500 });
    const { groups } = groupByAccount(portfolio);
    const ctx = buildPortfolioContext(groups);
    let compared = 0;
    let kept = 0;
    for (const g of groups) {
      const span = accountSpan(g);
      if (!Number.isFinite(span.first)) continue;
      const origin = span.first;
      const t = buildTimeline(g, origin, ctx.lastDay - origin + 1, ctx);
      const sentences = new Sentences();
      const withMemo = { timeline: t, i: 0, portfolio: ctx, explain: true, sentences };
      const fresh = { timeline: t, i: 0, portfolio: ctx, explain: true };
      for (let i = 0; i < t.length; i++) {
        withMemo.i = i;
        fresh.i = i;
        for (const def of SIGNALS) {
          const a = def.compute(withMemo);
          const b = def.compute(fresh);
          if (a.evidence !== b.evidence)
            throw new Error(
              `${g.account.id} ${def.key} day ${i}: "${a.evidence}" ≠ "${b.evidence}"`,
            );
          expect(a.evidenceIds).toEqual(b.evidenceIds);
          compared++;
        }
      }
      kept += sentences.written();
    }
    expect(compared).toBeGreaterThan(100_000);
    // The memo was in use for these accounts, not bypassed.
    expect(kept).toBeGreaterThan(100);
  });
});
