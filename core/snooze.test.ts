// A CSM snoozes an account's alerts until a day: no task opens for it before that day, and the
// playbook runs as usual from it.
import { describe, expect, it } from "vitest";
import { addDays } from "./day.ts";
import { scorePortfolio } from "./engine.ts";
import { generatePortfolio } from "./generate/generate.ts";
import type { Task } from "./model.ts";

const { portfolio } = generatePortfolio({ accounts: 60, seed: 8, days: 500 });

function opens(snoozes?: Map<string, string>) {
  const tasks: (Task & { day: string })[] = [];
  scorePortfolio(portfolio, snoozes ? { snoozes } : {}, {
    task: (t) => {
      if (t.action === "open") tasks.push(t);
    },
  });
  return tasks;
}

describe("snoozed alerts", () => {
  const before = opens();
  const first = before[0];

  it("raise no task until the snooze ends, and leave every other account's tasks as they were", () => {
    expect(first).toBeDefined();
    if (!first) return;
    const until = addDays(first.day, 45);
    const after = opens(new Map([[first.accountId, until]]));
    const mine = after.filter((t) => t.accountId === first.accountId);
    expect(mine.every((t) => t.day >= until)).toBe(true);
    // Had it not been snoozed, it would have had a task before the snooze ended.
    expect(before.some((t) => t.accountId === first.accountId && t.day < until)).toBe(true);
    // Other accounts are untouched.
    expect(after.filter((t) => t.accountId !== first.accountId)).toEqual(
      before.filter((t) => t.accountId !== first.accountId),
    );
  });

  it("that ended before the data are no snooze at all", () => {
    if (!first) return;
    const past = opens(new Map([[first.accountId, "2000-01-01"]]));
    expect(past).toEqual(before);
  });
});
