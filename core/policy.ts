// A tenant's scoring policy: the signal weights per lifecycle stage, the band thresholds, and the
// task rules. The defaults are Ebb's; an admin changes them in the settings (after a backtest
// preview on the tenant's own history) and scoring reads them from here, never from constants.
import { z } from "zod";
import { DEFAULT_WEIGHTS, type StageWeights, StageWeightsFile } from "./weights.ts";

/** Score bands: healthy at or above `healthy`, at risk below `atRisk`, watch between. */
export interface Bands {
  healthy: number;
  atRisk: number;
}

/** Priorities a task opens with (a close is always low). */
export type TaskPriority = "urgent" | "high" | "normal";

export interface TaskRules {
  /**
   * Playbook ids (playbooks.ts) that raise tasks. An episode whose playbook is off is still tracked
   * (the account shows it) but nothing is written for it, neither its opening nor its close.
   */
  playbooks: Record<string, boolean>;
  /** Days from the alert to the task's due date, by priority. */
  dueDays: Record<TaskPriority, number>;
  /** A decaying trend raises a task only below this score (at risk always does). */
  decayBelow: number;
  /** Below this score a task is urgent (at risk: high; decaying: normal). */
  urgentBelow: number;
  /**
   * Whether the tasks of episodes still open when Ebb is installed (found in the history the
   * first sync brings) are written; when false only episodes that open after install are.
   */
  backfill: boolean;
}

export interface Policy {
  weights: StageWeights;
  bands: Bands;
  tasks: TaskRules;
}

export const DEFAULT_BANDS: Bands = { healthy: 70, atRisk: 45 };

export const DEFAULT_TASK_RULES: TaskRules = {
  playbooks: {},
  dueDays: { urgent: 2, high: 3, normal: 7 },
  decayBelow: 60,
  urgentBelow: 25,
  backfill: true,
};

export const DEFAULT_POLICY: Policy = {
  weights: DEFAULT_WEIGHTS,
  bands: DEFAULT_BANDS,
  tasks: DEFAULT_TASK_RULES,
};

/** Whether a playbook raises tasks under these rules (every playbook does unless turned off). */
export function playbookOn(rules: TaskRules, playbook: string): boolean {
  return rules.playbooks[playbook] !== false;
}

const score = z.number().int("a whole score").min(1, "at least 1").max(99, "at most 99");

/** A policy as settings or a file hold it; every field named, thresholds in order. */
export const PolicySchema = z
  .strictObject({
    weights: StageWeightsFile,
    bands: z.strictObject({ healthy: score, atRisk: score }),
    tasks: z.strictObject({
      playbooks: z.record(z.string().max(60), z.boolean()),
      dueDays: z.strictObject({
        urgent: z.number().int().min(0).max(90),
        high: z.number().int().min(0).max(90),
        normal: z.number().int().min(0).max(90),
      }),
      decayBelow: score,
      urgentBelow: score,
      backfill: z.boolean(),
    }),
  })
  .refine((p) => p.bands.atRisk < p.bands.healthy, {
    path: ["bands", "atRisk"],
    message: "the at-risk line must be below the healthy line",
  })
  .refine((p) => p.tasks.urgentBelow <= p.bands.atRisk, {
    path: ["tasks", "urgentBelow"],
    message: "urgent tasks are for at-risk accounts: at most the at-risk line",
  });
