// The reasons behind a score, read back from a snapshot: one definition for the CRM fields, the
// card, the CLI and the tasks, so every surface names the same top reasons in the same order.
import type { HealthSnapshot, SignalKey, SignalResult } from "./model.ts";

/** "usage_drop" → "usage drop". */
export function signalLabel(key: SignalKey): string {
  return key.replace(/_/g, " ");
}

/** The signals pulling the score down (risk × weight), strongest first, at most `n`. */
export function topReasons(s: HealthSnapshot, n = 3): SignalResult[] {
  return s.signals
    .filter((g) => g.risk > 0 && g.weight > 0)
    .sort((a, b) => b.risk * b.weight - a.risk * a.weight)
    .slice(0, n);
}
