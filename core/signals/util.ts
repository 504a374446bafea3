// Small numeric helpers shared by the signals.
import type { SignalStatus, SignalValue } from "./signal.ts";

export function clamp01(x: number): number {
  return x < 0 ? 0 : Math.min(x, 1);
}

/** 0 at or below `lo`, 1 at or above `hi`, linear between. */
export function ramp(x: number, lo: number, hi: number): number {
  return clamp01((x - lo) / (hi - lo));
}

/**
 * Noisy-OR: the chance that at least one of two or three independent warnings is real. Fixed
 * arguments, not a rest array: every signal calls it for every account, every day.
 */
export function anyOf(a: number, b: number, c = 0): number {
  let keep = 1 - clamp01(a);
  keep *= 1 - clamp01(b);
  keep *= 1 - clamp01(c);
  return 1 - keep;
}

/** A number for a sentence: integers as is, others with one decimal. */
export function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const k = Math.round(x * 10);
  // Not a value rounded to tenths, or too large to print by digits: the general conversion.
  if (k / 10 !== x || Math.abs(k) >= 1e15) return x.toFixed(1);
  // Rounded to tenths (most callers round first): its digits as integers, cheaper than toFixed,
  // which every account-day's sentences would otherwise pay for.
  const a = Math.abs(k);
  return `${k < 0 ? "-" : ""}${Math.floor(a / 10)}.${a % 10}`;
}

/** "1 escalation", "3 escalations". */
export function count(n: number, singular: string, plural?: string): string {
  return `${num(n)} ${n === 1 ? singular : (plural ?? `${singular}s`)}`;
}

/**
 * One signal's sentence for one account, kept from one day to the next with the numbers (and the one
 * name) it was written from. Most days those have not changed, and writing the sentence again is most
 * of what explaining costs, every account, every day. A key must determine the sentence exactly:
 * pass every value the sentence prints, in the form it prints it (rounded as it is rounded).
 */
export class Sentence {
  private name = "";
  private k0 = Number.NaN;
  private k1 = Number.NaN;
  private k2 = Number.NaN;
  private k3 = Number.NaN;
  private k4 = Number.NaN;
  private k5 = Number.NaN;
  private k6 = Number.NaN;
  private k7 = Number.NaN;
  /** The sentence last written; valid when `same` has just returned true. */
  text = "";

  /**
   * True when the last sentence was written from exactly these values: reuse `text`. Otherwise the
   * values are remembered and the caller writes the sentence into `text`. NaN never matches.
   */
  same(name: string, k0: number, k1 = 0, k2 = 0, k3 = 0, k4 = 0, k5 = 0, k6 = 0, k7 = 0): boolean {
    if (
      k0 === this.k0 &&
      k1 === this.k1 &&
      k2 === this.k2 &&
      k3 === this.k3 &&
      k4 === this.k4 &&
      k5 === this.k5 &&
      k6 === this.k6 &&
      k7 === this.k7 &&
      name === this.name
    )
      return true;
    this.name = name;
    this.k0 = k0;
    this.k1 = k1;
    this.k2 = k2;
    this.k3 = k3;
    this.k4 = k4;
    this.k5 = k5;
    this.k6 = k6;
    this.k7 = k7;
    return false;
  }
}

/**
 * The sentences one account's signals keep from one day to the next, one per name a signal picks
 * (its key, or a key and a part). Owned by one scoring run, made afresh for each account.
 */
export class Sentences {
  private readonly byName = new Map<string, Sentence>();

  /** The sentence kept under `name`, made empty the first time it is asked for. */
  of(name: string): Sentence {
    let s = this.byName.get(name);
    if (!s) {
      s = new Sentence();
      this.byName.set(name, s);
    }
    return s;
  }

  /** How many of the kept sentences hold a text. */
  written(): number {
    let n = 0;
    for (const s of this.byName.values()) if (s.text !== "") n++;
    return n;
  }
}

const NO_RISK: SignalValue = Object.freeze({ risk: 0, status: "ok", evidence: "" });

/**
 * The result of a signal that had data, without a sentence (`explain` off: a backtest). Most
 * account-days carry no risk on most signals; those share one object.
 */
export function riskOnly(risk: number): SignalValue {
  return risk === 0 ? NO_RISK : { risk, status: "ok", evidence: "" };
}

/**
 * A result with no risk and a fixed sentence, for the early answers most accounts get most days ("Not
 * in onboarding."): one object with the sentence and one without, not a new one every account-day.
 * Results are read, never modified (SignalValue is read-only).
 */
export function fixed(
  status: SignalStatus,
  evidence: string,
): { explained: SignalValue; unexplained: SignalValue } {
  return Object.freeze({
    explained: Object.freeze({ risk: 0, status, evidence }),
    unexplained: Object.freeze({ risk: 0, status, evidence: "" }),
  });
}
