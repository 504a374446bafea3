// The settings form read into a policy: every field a number where it must be, checkboxes that are
// absent read as off, then the whole policy checked by core's schema (field named when wrong).
import { SignalKey, Stage } from "../../core/model.ts";
import { PLAYBOOKS } from "../../core/playbooks.ts";
import { type Policy, PolicySchema } from "../../core/policy.ts";
import { describeIssues, HttpProblem } from "./problem.ts";

export function policyFromForm(form: Record<string, unknown>): Policy {
  const n = (name: string) => {
    const raw = form[name];
    const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
    if (!Number.isFinite(v))
      throw new HttpProblem(400, "invalid_settings", `${name}: a number is needed`);
    return v;
  };
  const weights = Object.fromEntries(
    Stage.options.map((s) => [
      s,
      Object.fromEntries(SignalKey.options.map((k) => [k, n(`w.${s}.${k}`)])),
    ]),
  );
  // Every playbook raises tasks unless turned off: only the ones turned off are kept.
  const playbooks = Object.fromEntries(
    [...new Set(Object.values(PLAYBOOKS).map((p) => p.id))]
      .filter((id) => form[`playbook.${id}`] !== "on")
      .map((id) => [id, false]),
  );
  const parsed = PolicySchema.safeParse({
    weights,
    bands: { healthy: n("bands.healthy"), atRisk: n("bands.atRisk") },
    tasks: {
      playbooks,
      dueDays: { urgent: n("due.urgent"), high: n("due.high"), normal: n("due.normal") },
      decayBelow: n("tasks.decayBelow"),
      urgentBelow: n("tasks.urgentBelow"),
      backfill: form["tasks.backfill"] === "on",
    },
  });
  if (!parsed.success)
    throw new HttpProblem(400, "invalid_settings", describeIssues(parsed.error.issues));
  return parsed.data;
}
