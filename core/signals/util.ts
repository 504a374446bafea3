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
  // Callers mostly pass a value already rounded to tenths: when x is exactly the double nearest k/10,
  // toFixed(1) would print k's digits with a point before the last, so print them without the slow
  // general conversion. Anything else goes to toFixed.
  const k = Math.round(x * 10);
  if (k / 10 !== x || Math.abs(k) >= 1e15) return x.toFixed(1);
  const a = Math.abs(k);
  const whole = Math.floor(a / 10);
  return `${k < 0 ? "-" : ""}${whole < SMALL.length ? SMALL[whole] : String(whole)}.${SMALL[a % 10]}`;
}

/** "1 escalation", "3 escalations". */
export function count(n: number, singular: string, plural?: string): string {
  return `${num(n)} ${n === 1 ? singular : (plural ?? `${singular}s`)}`;
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
