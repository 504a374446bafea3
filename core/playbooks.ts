// Playbooks: one follow-up task per account per decay episode, opened when the account enters decay
// or at_risk, naming the top reasons and the owner; closed again when the episode ends.
import { toDayNumber, toDayString } from "./day.ts";
import type { Account, Band, HealthSnapshot, SignalKey, Task, Trend } from "./model.ts";
import { DEFAULT_TASK_RULES, playbookOn, type TaskPriority, type TaskRules } from "./policy.ts";
import { signalLabel, topReasons } from "./reasons.ts";

/** The playbook a CSM runs, by the signal that weighs most when the episode opens. */
export const PLAYBOOKS: Record<SignalKey, { id: string; action: string }> = {
  onboarding_friction: {
    id: "onboarding-rescue",
    action: "Call the onboarding lead and clear what confuses them",
  },
  implementation_stall: {
    id: "implementation-unblock",
    action: "Agree a new date for the stalled milestones",
  },
  support_experience: {
    id: "support-recovery",
    action: "Review the bad tickets with support and call the customer",
  },
  ticket_flood: {
    id: "feature-flood",
    action: "Bring product in on the feature behind the tickets",
  },
  going_dark: { id: "re-engage", action: "Reach the customer through another contact" },
  usage_drop: {
    id: "adoption-rescue",
    action: "Find out why usage fell and offer a working session",
  },
  stakeholder_coverage: {
    id: "multi-thread",
    action: "Find and win a new champion; widen the contacts",
  },
};

/** Consecutive calm days (not at risk, not decaying) that end an episode. */
export const CALM_DAYS_TO_CLOSE = 30;

export interface EpisodeState {
  /** `muted`: the episode's playbook raises no tasks (task rules), so neither half is written. */
  open: { playbook: string; dedupeKey: string; startDay: string; muted?: boolean } | null;
  calmDays: number;
}

export interface Reason {
  key: SignalKey;
  /** weight × risk: how much this signal pulls the score down. */
  pull: number;
  evidence: string;
}

export interface DayVerdict {
  day: number;
  score: number;
  band: Band;
  trend: Trend;
  /** Reasons ordered by pull, strongest first. */
  reasons: readonly Reason[];
}

export function startEpisodes(): EpisodeState {
  return { open: null, calmDays: 0 };
}

/**
 * Whether a day's verdict is an alert: the account is at risk, or decaying and no longer healthy.
 * A dip that leaves a healthy score healthy is shown as a trend, not raised as a task.
 */
export function isAlert(
  v: { band: Band; trend: Trend; score: number },
  decayBelow: number = ALERT_DECAY_BELOW,
): boolean {
  return v.band === "at_risk" || (v.trend === "decaying" && v.score < decayBelow);
}

/** By default a decaying trend raises a task only below this score (task rules change it). */
export const ALERT_DECAY_BELOW = DEFAULT_TASK_RULES.decayBelow;

/**
 * Advance the episode state by one day. Returns the task to emit (open or close) or null; the state
 * is updated in place (it belongs to one account's loop).
 */
export function stepEpisode(
  state: EpisodeState,
  account: Account,
  v: DayVerdict,
  /** A CSM snoozed the account's alerts until this day (a day number): no task opens before it. */
  snoozedUntil?: number,
  rules: TaskRules = DEFAULT_TASK_RULES,
): Task | null {
  const alert = isAlert(v, rules.decayBelow);
  if (!state.open) {
    if (!alert) return null;
    if (snoozedUntil !== undefined && v.day < snoozedUntil) return null;
    const top = v.reasons[0];
    const playbook = PLAYBOOKS[top?.key ?? "usage_drop"];
    const startDay = toDayString(v.day);
    const dedupeKey = `${account.id}/${playbook.id}/${startDay}`;
    const muted = !playbookOn(rules, playbook.id);
    state.open = { playbook: playbook.id, dedupeKey, startDay, ...(muted ? { muted } : {}) };
    state.calmDays = 0;
    return muted ? null : openTask(account, v, playbook, dedupeKey, rules);
  }
  // Calm: no alert and not still recovering; a recovery that stalls is the same episode.
  if (alert || v.trend === "recovering") {
    state.calmDays = 0;
    return null;
  }
  state.calmDays++;
  if (state.calmDays < CALM_DAYS_TO_CLOSE) return null;
  const { playbook, dedupeKey, startDay, muted } = state.open;
  state.open = null;
  state.calmDays = 0;
  if (muted) return null;
  return {
    accountId: account.id,
    playbook,
    title: `Ebb: ${account.name} has recovered`,
    body: `Health is back to ${v.score} (${v.band}, ${v.trend}) for ${CALM_DAYS_TO_CLOSE} days; the episode opened on ${startDay} is closed.`,
    dueAt: toDayString(v.day),
    priority: "low",
    dedupeKey,
    action: "close",
  };
}

function openTask(
  account: Account,
  v: DayVerdict,
  playbook: { id: string; action: string },
  dedupeKey: string,
  rules: TaskRules,
): Task {
  const priority: TaskPriority =
    v.score < rules.urgentBelow ? "urgent" : v.band === "at_risk" ? "high" : "normal";
  const dueIn = rules.dueDays[priority];
  const top = v.reasons.filter((r) => r.pull > 0).slice(0, 3);
  const headline = v.band === "at_risk" ? "is at risk" : "is decaying";
  const lines = [
    `Health ${v.score}/100 (${v.band.replace("_", " ")}, ${v.trend}).`,
    "",
    "Why:",
    ...top.map((r) => `- ${signalLabel(r.key)}: ${r.evidence}`),
    "",
    `Next step: ${playbook.action}.`,
    `Owner: ${account.ownerEmail ?? account.ownerId ?? "unassigned"}`,
  ];
  return {
    accountId: account.id,
    playbook: playbook.id,
    title: `Ebb: ${account.name} ${headline}${top[0] ? ` — ${signalLabel(top[0].key)}` : ""}`,
    body: lines.join("\n"),
    dueAt: toDayString(v.day + dueIn),
    priority,
    dedupeKey,
    action: "open",
  };
}

/**
 * An open task as it should be written on `today` (a day number), when it reaches the vendor later
 * than the day it was raised (the first sync's backfill raises tasks on past days): null when the
 * account's latest snapshot no longer calls for it (not at risk, not decaying); otherwise title, body,
 * priority and due date describe the account as that snapshot shows it, due counted from today.
 * A close task is written as it is.
 */
export function taskToWrite(
  task: Task,
  account: Account,
  latest: HealthSnapshot,
  today: number,
  rules: TaskRules = DEFAULT_TASK_RULES,
): Task | null {
  if (task.action !== "open") return task;
  if (!isAlert(latest, rules.decayBelow)) return null;
  const playbook = Object.values(PLAYBOOKS).find((p) => p.id === task.playbook);
  if (!playbook) return task;
  const reasons = topReasons(latest).map((g) => ({
    key: g.key,
    pull: g.risk * g.weight,
    evidence: g.evidence,
  }));
  const now: DayVerdict = {
    day: Math.max(today, toDayNumber(latest.day)),
    score: latest.score,
    band: latest.band,
    trend: latest.trend,
    reasons,
  };
  return openTask(account, now, playbook, task.dedupeKey, rules);
}
