// Nothing from silence: a source that stops or collapses for the whole portfolio at once is a data
// outage (one portfolio alert, lower coverage, no account task), and a day still arriving is not
// read as a drop.
import { describe, expect, it } from "vitest";
import { addDays } from "./day.ts";
import { type ScoreOptions, scorePortfolio } from "./engine.ts";
import { generatePortfolio } from "./generate/generate.ts";
import type { HealthSnapshot, Portfolio, Task } from "./model.ts";

const START = "2024-01-01";
const DAYS = 320;
const LAST = addDays(START, DAYS - 1);
const base = generatePortfolio({
  accounts: 40,
  seed: 77,
  start: START,
  days: DAYS,
  incident: false,
}).portfolio;

function run(p: Portfolio, options: ScoreOptions = {}) {
  const tasks: (Task & { day: string })[] = [];
  const snapshots: HealthSnapshot[] = [];
  const summary = scorePortfolio(p, options, {
    task: (t) => tasks.push(t),
    snapshot: (s) => snapshots.push(s),
  });
  return { summary, tasks, snapshots };
}

/** The portfolio with every account's usage on days [from, to] scaled by `factor` (0: none at all). */
function withUsage(p: Portfolio, from: string, to: string, factor: number): Portfolio {
  return {
    ...p,
    usage: p.usage.flatMap((u) => {
      if (u.day < from || u.day > to) return [u];
      if (factor === 0) return [];
      return [
        {
          ...u,
          activeUsers: Math.floor((u.activeUsers ?? 0) * factor),
          events: Math.floor((u.events ?? 0) * factor),
        },
      ];
    }),
  };
}

const usageOf = (s: HealthSnapshot) => s.signals.find((x) => x.key === "usage_drop");
const opens = (tasks: Task[]) => tasks.filter((t) => t.action === "open").length;
/** Tasks naming usage as a reason that the untouched portfolio did not raise. */
const usageTasks = (tasks: Task[], untouched: Task[]) => {
  const keys = new Set(untouched.map((t) => t.dedupeKey));
  return tasks.filter(
    (t) => t.action === "open" && !keys.has(t.dedupeKey) && /usage drop:/i.test(t.body),
  );
};

describe("a portfolio-wide usage outage", () => {
  const from = addDays(START, 200);
  const to = addDays(START, 211);
  const before = run(base);

  it.each([
    ["stops arriving", 0],
    ["collapses to a twentieth", 0.05],
  ])("that %s raises one alert naming the source and its days, and no task", (_, factor) => {
    const during = run(withUsage(base, from, to, factor));
    const outages = during.summary.alerts.filter((a) => a.kind === "data_outage");
    expect(outages).toHaveLength(1);
    expect(outages[0]?.title).toBe(`Data outage: Product usage collapsed from ${from} to ${to}`);
    expect(outages[0]?.body).toContain("no account gets a task for it");
    // Without the outage, the same portfolio raises no such alert.
    expect(before.summary.alerts.filter((a) => a.kind === "data_outage")).toEqual([]);
    // No task the untouched portfolio did not raise: the missing usage is never a reason.
    // No task for the missing usage: none names usage as a reason, and no more are raised than
    // without the outage.
    expect(usageTasks(during.tasks, before.tasks)).toEqual([]);
    expect(opens(during.tasks)).toBeLessThanOrEqual(opens(before.tasks));
    // While it lasts, usage is no data: coverage drops and the reason is said.
    const mid = during.snapshots.filter((s) => s.day === addDays(from, 5));
    expect(mid.length).toBeGreaterThan(30);
    for (const s of mid)
      expect(usageOf(s)).toMatchObject({ risk: 0, evidence: "No recent usage data." });
    const midBefore = before.snapshots.filter((s) => s.day === addDays(from, 5));
    const coverage = (list: HealthSnapshot[]) =>
      list.reduce((n, s) => n + s.coverage, 0) / list.length;
    expect(coverage(mid)).toBeLessThan(coverage(midBefore));
  });

  it("that has stopped for good is reported as stopped, since its first missing day", () => {
    const stopped = run(withUsage(base, from, LAST, 0));
    const outages = stopped.summary.alerts.filter((a) => a.kind === "data_outage");
    expect(outages.map((a) => a.title)).toEqual([
      `Data outage: Product usage stopped since ${from}`,
    ]);
    expect(usageTasks(stopped.tasks, before.tasks)).toEqual([]);
    expect(opens(stopped.tasks)).toBeLessThanOrEqual(opens(before.tasks));
  });
});

describe("the day still arriving", () => {
  // The last day has only its first hours: a tenth of every account's usage so far.
  const partial = withUsage(base, LAST, LAST, 0.1);
  const yesterday = addDays(LAST, -1);

  it("is not read: the last day's usage judgement is the same as without its half-day", () => {
    const whole = run(base, { from: yesterday, completeThrough: yesterday });
    const cut = run(partial, { from: yesterday, completeThrough: yesterday });
    const last = (r: ReturnType<typeof run>) =>
      r.snapshots.filter((s) => s.day === LAST).map((s) => [s.accountId, usageOf(s)?.risk]);
    expect(last(cut)).toEqual(last(whole));
    expect(cut.summary.alerts.filter((a) => a.kind === "data_outage")).toEqual([]);
    expect(cut.tasks.filter((t) => t.day === LAST && t.action === "open")).toEqual(
      whole.tasks.filter((t) => t.day === LAST && t.action === "open"),
    );
  });

  it("would look like a drop if it were read as complete (what the option prevents)", () => {
    const naive = run(partial, { from: yesterday });
    const whole = run(base, { from: yesterday });
    const risk = (r: ReturnType<typeof run>) =>
      r.snapshots.filter((s) => s.day === LAST).reduce((n, s) => n + (usageOf(s)?.risk ?? 0), 0);
    expect(risk(naive)).toBeGreaterThan(risk(whole));
  });
});
