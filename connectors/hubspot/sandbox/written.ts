// What Ebb wrote into a sandbox portal, checked as a CSM would read it: every Ebb task due no earlier
// than the day it was written, and each for a company that was at risk, or decaying below healthy,
// when written. The demo prints it; the Worker's pipeline test asserts it.

export interface WrittenObject {
  id: string;
  properties: Record<string, string | null>;
  /** Associated ids by object type. */
  associations: Record<string, string[]>;
}

export interface WrittenTasksReport {
  tasks: number;
  /** Tasks due before the day they were written. */
  overdue: string[];
  /** Tasks for a company whose fields showed it calm when the task was written. */
  calm: string[];
}

export function checkWrittenTasks(
  companies: readonly WrittenObject[],
  tasks: readonly WrittenObject[],
): WrittenTasksReport {
  const byId = new Map(companies.map((c) => [c.id, c.properties]));
  const report: WrittenTasksReport = { tasks: 0, overdue: [], calm: [] };
  for (const t of tasks) {
    if (!t.properties.ebb_dedupe_key) continue;
    report.tasks++;
    const name = `${t.properties.hs_task_subject ?? t.id}`;
    const written = (t.properties.createdate ?? "").slice(0, 10);
    const due = (t.properties.hs_timestamp ?? "").slice(0, 10);
    if (due < written) report.overdue.push(`${name} (due ${due}, written ${written})`);
    const p = byId.get(t.associations.companies?.[0] ?? "") ?? {};
    const alert =
      p.ebb_health_band === "at_risk" ||
      (p.ebb_health_trend === "decaying" && Number(p.ebb_health_score) < 70);
    if (!alert) report.calm.push(`${name} (company ${p.ebb_health_band ?? "unscored"})`);
  }
  return report;
}
