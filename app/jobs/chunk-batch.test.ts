// Large pages go to the store in slices: nothing lost, accounts first, every slice within the cap.
import { describe, expect, it } from "vitest";
import { emptyPortfolio } from "../../core/model.ts";
import { sliceBatch } from "./chunk-batch.ts";

describe("sliceBatch", () => {
  const batch = {
    ...emptyPortfolio(),
    accounts: [{ id: "a1", name: "A" }],
    usage: Array.from({ length: 45 }, (_, i) => ({
      accountId: "a1",
      day: `2026-01-${String((i % 28) + 1).padStart(2, "0")}`,
      activeUsers: i,
    })),
    deleted: [{ kind: "tickets" as const, id: "t9" }],
  };

  it("splits into slices of at most maxRows, accounts first, losing nothing", () => {
    const slices = sliceBatch(batch, 10);
    expect(slices).toHaveLength(5);
    expect(slices[0]?.accounts).toEqual(batch.accounts);
    for (const s of slices)
      expect(s.accounts.length + s.usage.length + s.deleted.length).toBeLessThanOrEqual(10);
    expect(slices.flatMap((s) => s.usage)).toEqual(batch.usage);
    expect(slices.flatMap((s) => s.deleted)).toEqual(batch.deleted);
  });

  it("keeps an empty page as one empty slice, so its cursor is still saved", () => {
    const slices = sliceBatch({ ...emptyPortfolio(), deleted: [] });
    expect(slices).toHaveLength(1);
  });
});
