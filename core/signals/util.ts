// Small numeric helpers shared by the signals.

export function clamp01(x: number): number {
  return x < 0 ? 0 : Math.min(x, 1);
}

/** 0 at or below `lo`, 1 at or above `hi`, linear between. */
export function ramp(x: number, lo: number, hi: number): number {
  return clamp01((x - lo) / (hi - lo));
}

/** Noisy-OR: the chance that at least one of several independent warnings is real. */
export function anyOf(...risks: number[]): number {
  let keep = 1;
  for (const r of risks) keep *= 1 - clamp01(r);
  return 1 - keep;
}

/** Strings of the small whole numbers evidence sentences use most (every account, every day). */
const SMALL = Array.from({ length: 1024 }, (_, k) => String(k));

/** A number for a sentence: integers as is, others with one decimal. */
export function num(x: number): string {
  if (Number.isInteger(x)) return x >= 0 && x < SMALL.length ? SMALL[x]! : String(x);
  return x.toFixed(1);
}

/** "1 escalation", "3 escalations". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${num(n)} ${n === 1 ? singular : plural}`;
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
