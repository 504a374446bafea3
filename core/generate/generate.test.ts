// The synthetic portfolio: deterministic, valid, and holding every kind of account it promises.
import { describe, expect, it } from "vitest";
import { INTERCHANGE_FILES, type RecordKind, SignalKey } from "../model.ts";
import { generatePortfolio } from "./generate.ts";

describe("the synthetic portfolio", () => {
  it("is the same for the same seed and differs for another", () => {
    const a = generatePortfolio({ accounts: 30, seed: 5 });
    const b = generatePortfolio({ accounts: 30, seed: 5 });
    const c = generatePortfolio({ accounts: 30, seed: 6 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.portfolio.tickets)).not.toBe(JSON.stringify(c.portfolio.tickets));
  });

  it("writes only records that pass the interchange schemas", () => {
    const { portfolio } = generatePortfolio({ accounts: 40, seed: 9 });
    for (const kind of Object.keys(INTERCHANGE_FILES) as RecordKind[]) {
      const schema = INTERCHANGE_FILES[kind].schema;
      for (const record of portfolio[kind]) expect(schema.safeParse(record).success).toBe(true);
    }
  });

  it("holds healthy kinds and a decaying kind for each of the seven warning signs, some churning", () => {
    const { truth, portfolio } = generatePortfolio({ accounts: 400, seed: 3 });
    const kinds = new Set(truth.map((t) => t.archetype));
    for (const k of [
      "quiet_loyal",
      "busy_howto",
      "seasonal",
      "growing",
      "steady",
      ...SignalKey.options,
    ]) {
      expect(kinds).toContain(k);
    }
    const churned = truth.filter((t) => t.churnAt);
    expect(churned.length).toBeGreaterThan(40);
    expect(portfolio.outcomes.filter((o) => o.kind === "churned")).toHaveLength(churned.length);
    expect(portfolio.tickets.some((t) => t.tags.includes("sync"))).toBe(true);
  });

  it("generates an account alone exactly as inside the portfolio", async () => {
    const { generateAccount } = await import("./generate.ts");
    const whole = generatePortfolio({ accounts: 20, seed: 8 });
    const alone = generateAccount({ accounts: 20, seed: 8 }, 13);
    expect(alone.account).toEqual(whole.portfolio.accounts[13]);
    expect(alone.tickets).toEqual(
      whole.portfolio.tickets.filter((t) => t.accountId === alone.account.id),
    );
  });
});
