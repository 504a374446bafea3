// Cutting a portfolio at a day keeps only what was known before it.
import { describe, expect, it } from "vitest";
import { portfolioAsOf } from "./as-of.ts";
import { generatePortfolio } from "./generate.ts";

describe("portfolioAsOf", () => {
  const { portfolio } = generatePortfolio({
    accounts: 30,
    seed: 11,
    start: "2024-01-01",
    days: 400,
  });
  const cut = portfolioAsOf(portfolio, "2024-09-01");

  it("drops records from the cut day on and forgets later outcomes", () => {
    expect(cut.tickets.every((t) => t.createdAt < "2024-09-01")).toBe(true);
    expect(cut.engagements.every((e) => e.at < "2024-09-01")).toBe(true);
    expect(cut.usage.every((u) => u.day < "2024-09-01")).toBe(true);
    expect(cut.outcomes.every((o) => o.at < "2024-09-01")).toBe(true);
    expect(cut.usage.length).toBeLessThan(portfolio.usage.length);
  });

  it("reopens tickets solved later and keeps contacts who left later", () => {
    for (const t of cut.tickets) if (t.solvedAt) expect(t.solvedAt < "2024-09-01").toBe(true);
    const later = portfolio.stakeholders.filter((s) => s.leftAt && s.leftAt >= "2024-09-01");
    for (const s of later) expect(cut.stakeholders.find((x) => x.id === s.id)?.active).toBe(true);
    expect(cut.accounts).toHaveLength(30);
  });
});
