// The seam every signal fills: (one account's timeline, a day index, the portfolio) → risk 0..1 with evidence.
import type { SignalKey } from "../model.ts";
import type { Incident } from "../portfolio.ts";
import type { Timeline } from "../timeline.ts";
import type { Sentences } from "./util.ts";

/**
 * `ok`: the signal had data. `no_data`: it applies but its source is missing or stale (lowers
 * coverage). `not_applicable`: it does not apply to this account on this day (e.g. onboarding
 * friction for a five-year customer); it neither counts for nor against coverage.
 */
export type SignalStatus = "ok" | "no_data" | "not_applicable";

/** Read-only: some results are shared (see `fixed`), so nothing downstream may change one. */
export interface SignalValue {
  readonly risk: number;
  readonly status: SignalStatus;
  /** A sentence a CSM understands, with numbers; empty when `explain` was false. */
  readonly evidence: string;
  readonly evidenceIds?: string[];
}

/** What a signal may know about the rest of the portfolio on a day (the "second" comparison). */
export interface PortfolioView {
  /** Whether a record source (tickets, engagements, usage) delivered data recently enough to trust on this day. */
  sourceFresh(kind: "tickets" | "engagements" | "usage", dayNumber: number): boolean;
  /** Portfolio-wide rate of support trouble (bad ratings, escalations, reopens, irritated tickets) per account per 30 days. */
  troublePer30: number;
  /** Portfolio-wide support trouble per ticket. */
  troublePerTicket: number;
  /** Portfolio-wide tickets per account per 30 days. */
  ticketsPer30: number;
  /** Ratio of portfolio usage in [d-13, d] to its usual level: < 1 during a portfolio-wide (seasonal) dip. */
  usageRatio(dayNumber: number): number;
  /**
   * The portfolio's usage level on a day: active users plus a tenth of events, a day, per account
   * with usage, over [d-27, d]. What an account's own level is compared with (adoption against peers).
   */
  usageLevel(dayNumber: number): number;
  /** Ratio of portfolio customer contacts in [d-44, d] to the half-year before: < 1 over holidays. */
  contactRatio(dayNumber: number): number;
  /** The last complete day (a day number): later days are still arriving and their usage is not read. */
  completeThrough: number;
  /** Product-wide incidents, reported once for the portfolio. */
  incidents: readonly Incident[];
}

export interface SignalInput {
  timeline: Timeline;
  /** Day index into the timeline. */
  i: number;
  portfolio: PortfolioView;
  /** Build evidence sentences and ids (off in backtests, which need only the numbers). */
  explain: boolean;
  /**
   * Sentences kept for this account from the day before, reused while their numbers are unchanged.
   * Optional: without it every sentence is written afresh (same text, more work).
   */
  sentences?: Sentences;
}

export type Signal = (input: SignalInput) => SignalValue;

export interface SignalDefinition {
  key: SignalKey;
  compute: Signal;
}
