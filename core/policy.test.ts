// A tenant's policy changes what scoring calls at risk and which tasks it raises: bands move the
// band, task rules turn playbooks off (neither half of their episodes is written), move the decay
// line and the due days; a policy that is out of order is refused with the field named.
import { describe, expect, it } from "vitest";
import { toDayNumber } from "./day.ts";
import { scorePortfolio } from "./engine.ts";
import { generatePortfolio } from "./generate/generate.ts";
import type { Band, Task } from "./model.ts";
import { DEFAULT_POLICY, type Policy, PolicySchema } from "./policy.ts";

const { portfolio } = generatePortfolio({ accounts: 60, seed: 9, days: 500 });

function run(policy?: Policy) {
  const tasks: (Task & { day: string })[] = [];
  const bands = new Map<Band, number>();
  scorePortfolio(portfolio, policy ? { policy, explain: false } : { explain: false }, {
    task: (t) => {
      tasks.push(t);
    },
    day: (_, __, ___, band) => {
      bands.set(band, (bands.get(band) ?? 0) + 1);
    },
  });
  return { tasks, bands };
}

const withTasks = (t: Partial<Policy["tasks"]>): Policy => ({
  ...DEFAULT_POLICY,
  tasks: { ...DEFAULT_POLICY.tasks, ...t },
});

describe("a tenant's policy", () => {
  const before = run();

  it("is Ebb's defaults when none is given", () => {
    expect(run(DEFAULT_POLICY)).toEqual(before);
  });

  it("moves accounts between bands when the lines move", () => {
    const strict = run({ ...DEFAULT_POLICY, bands: { healthy: 85, atRisk: 60 } });
    expect(strict.bands.get("at_risk") ?? 0).toBeGreaterThan(before.bands.get("at_risk") ?? 0);
    expect(strict.bands.get("healthy") ?? 0).toBeLessThan(before.bands.get("healthy") ?? 0);
    expect(strict.tasks).not.toEqual(before.tasks);
  });

  it("writes nothing for a playbook turned off, and leaves the other playbooks' tasks as they were", () => {
    const top = before.tasks.find((t) => t.action === "open")?.playbook ?? "";
    expect(top).not.toBe("");
    const off = run(withTasks({ playbooks: { [top]: false } }));
    expect(off.tasks.some((t) => t.playbook === top)).toBe(false);
    expect(off.tasks).toEqual(before.tasks.filter((t) => t.playbook !== top));
  });

  it("counts due days from the alert as the rules say", () => {
    const slow = run(withTasks({ dueDays: { urgent: 5, high: 10, normal: 20 } }));
    const opened = slow.tasks.filter((t) => t.action === "open");
    expect(opened.length).toBeGreaterThan(0);
    for (const t of opened) {
      const due = toDayNumber(t.dueAt) - toDayNumber(t.day);
      expect(due).toBe(t.priority === "urgent" ? 5 : t.priority === "high" ? 10 : 20);
    }
  });

  it("raises fewer tasks from a decaying trend when the decay line is lower", () => {
    const low = run(withTasks({ decayBelow: 46 }));
    expect(low.tasks.length).toBeLessThan(before.tasks.length);
  });

  it("is refused when its lines are out of order, naming the field", () => {
    const bad = PolicySchema.safeParse({ ...DEFAULT_POLICY, bands: { healthy: 40, atRisk: 50 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["bands", "atRisk"]);
    expect(PolicySchema.safeParse(DEFAULT_POLICY).success).toBe(true);
  });
});
