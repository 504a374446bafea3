// Evidence never contradicts its risk: every snapshot of a generated portfolio, walked whole.
import { describe, expect, it } from "vitest";
import { scorePortfolio } from "./engine.ts";
import { generatePortfolio } from "./generate/generate.ts";
import type { HealthSnapshot } from "./model.ts";

const { portfolio } = generatePortfolio({ accounts: 120, seed: 33, days: 730 });

describe("every evidence sentence agrees with its risk", () => {
  const problems: string[] = [];
  let snapshots = 0;
  let declines = 0;
  const say = (s: HealthSnapshot, what: string) => {
    if (problems.length < 20) problems.push(`${s.accountId} ${s.day}: ${what}`);
  };
  scorePortfolio(
    portfolio,
    {},
    {
      snapshot: (s) => {
        snapshots++;
        if (s.score >= 100 && s.trend === "decaying") say(s, "a score of 100 is decaying");
        for (const g of s.signals) {
          if (g.risk > 0 && g.weight > 0 && g.evidence.trim() === "")
            say(s, `${g.key} has risk ${g.risk} and no evidence`);
          if (g.key !== "usage_drop") continue;
          const down = /down (\d+)% from/.exec(g.evidence);
          const pct = down ? Number(down[1]) : 0;
          if (pct >= 10) declines++;
          if (pct >= 10 && g.risk === 0 && !/usual range|whole portfolio|seasonal/.test(g.evidence))
            say(s, `a ${pct}% usage decline with risk 0 says not why: ${g.evidence}`);
          if (g.risk > 0 && !down && !/low adoption/.test(g.evidence))
            say(s, `usage risk ${g.risk} with no decline or low level named: ${g.evidence}`);
        }
      },
    },
  );

  it("walks every snapshot and finds no contradiction", () => {
    expect(snapshots).toBeGreaterThan(60_000);
    // The walk met the case it guards: declines of 10% or more, with and without risk.
    expect(declines).toBeGreaterThan(1000);
    expect(problems).toEqual([]);
  });
});
