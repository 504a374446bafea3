// Tasks as they reach the vendor: a task raised on a past day (the first sync's backfill) is
// written as the account is on the day it is written, or not at all while the account is calm.
import { describe, expect, it } from "vitest";
import { toDayNumber } from "./day.ts";
import type { Account, HealthSnapshot, Task } from "./model.ts";
import { taskToWrite } from "./playbooks.ts";

const account: Account = { id: "a1", name: "Acme", externalIds: {}, ownerEmail: "csm@ebb.test" };
const raised: Task = {
  accountId: "a1",
  playbook: "re-engage",
  title: "Ebb: Acme is decaying — going dark",
  body: "Health 58/100 (watch, decaying).",
  dueAt: "2026-06-08",
  priority: "normal",
  dedupeKey: "a1/re-engage/2026-06-01",
  action: "open",
};
const latest = (over: Partial<HealthSnapshot>): HealthSnapshot => ({
  accountId: "a1",
  day: "2026-11-30",
  score: 31,
  band: "at_risk",
  trend: "decaying",
  coverage: 1,
  signals: [
    { key: "usage_drop", risk: 0.8, weight: 0.75, evidence: "Active users fell 70%." },
    { key: "going_dark", risk: 0.2, weight: 0.5, evidence: "No reply in 30 days." },
  ],
  ...over,
});
const today = toDayNumber("2026-12-01");

describe("a task written after the day it was raised", () => {
  it("describes the account as it is today and is due from today, keeping its episode key", () => {
    const t = taskToWrite(raised, account, latest({}), today);
    expect(t).not.toBeNull();
    expect(t?.title).toBe("Ebb: Acme is at risk — usage drop");
    expect(t?.body).toContain("Health 31/100 (at risk, decaying).");
    expect(t?.body).toContain("- usage drop: Active users fell 70%.");
    expect(t?.priority).toBe("high");
    expect(t?.dueAt).toBe("2026-12-04");
    expect(t?.dedupeKey).toBe(raised.dedupeKey);
    expect(t?.playbook).toBe("re-engage");
  });

  it("is not written while the account is healthy, or decaying but still healthy", () => {
    expect(
      taskToWrite(raised, account, latest({ score: 82, band: "healthy", trend: "plateau" }), today),
    ).toBeNull();
    expect(
      taskToWrite(
        raised,
        account,
        latest({ score: 74, band: "healthy", trend: "decaying" }),
        today,
      ),
    ).toBeNull();
  });

  it("leaves a close task as it is", () => {
    const close: Task = { ...raised, action: "close", title: "Ebb: Acme has recovered" };
    expect(taskToWrite(close, account, latest({ band: "healthy", score: 90 }), today)).toBe(close);
  });
});
