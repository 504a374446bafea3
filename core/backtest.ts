// Backtest: how early and how precisely the score would have warned, on a portfolio's own history
// with outcomes. One scoring pass (no evidence sentences), then counting.
import { toDayNumber } from "./day.ts";
import { type ScoreOptions, type ScoreSink, scorePortfolio } from "./engine.ts";
import type { Outcome, Portfolio } from "./model.ts";

export interface BacktestReport {
  accounts: number;
  accountDays: number;
  /** Churned accounts whose churn falls inside the scored span (with at least 60 days scored before it). */
  churned: number;
  /** Share of churned accounts flagged (band at_risk or trend decaying) at least `leadDays` days before churn. */
  recallAt30: number;
  /** Median days between the warning and the churn, over churned accounts that were warned at all. */
  medianLeadDays: number | null;
  /** Alert episodes opened on accounts that did not churn, per account-year of those accounts. */
  falseAlarmsPerHealthyAccountYear: number;
  healthyAccountYears: number;
  healthyEpisodes: number;
  /** AUC of (100 − score) 60 days before churn, against non-churned accounts scored on the same day. */
  auc60: number | null;
  /** Churn within 90 days by score band (band 1 = lowest scores), sampled every 30 days: see `scoreBands`. */
  churnByScoreBand: ScoreBand[];
  /**
   * False alarms by kind of account, where the input names kinds (a generated portfolio's truth):
   * which sort of healthy account the score cries wolf on. Empty without kinds.
   */
  falseAlarmsByKind: KindAlarms[];
  /** False-alarm episodes by the playbook that opened them: which signal cries wolf. */
  falseAlarmsByPlaybook: { playbook: string; episodes: number }[];
}

/** False alarms on the healthy accounts of one kind. */
export interface KindAlarms {
  kind: string;
  accounts: number;
  accountYears: number;
  episodes: number;
  perAccountYear: number;
}

/** Samples whose scores lie in [minScore, maxScore], `share` of all samples, and how many of them churned. */
export interface ScoreBand {
  band: number;
  minScore: number;
  maxScore: number;
  samples: number;
  share: number;
  churnRate: number;
}

/** Fewer churned accounts than this and a backtest's recall, lead and AUC say little. */
export const MIN_CHURNED_TO_JUDGE = 5;

const RECALL_LEAD_DAYS = 30;
const AUC_DAYS_BEFORE = 60;
const BAND_HORIZON_DAYS = 90;
const BAND_SAMPLE_EVERY = 30;

interface Track {
  start: number;
  /** Daily scores: a growing list while the account is scored, then packed a byte a day. */
  scores: number[] | Uint8Array;
  episodes: { open: number; close: number | null; playbook: string }[];
}

export function backtest(
  p: Portfolio,
  options: ScoreOptions = {},
  kinds?: ReadonlyMap<string, string>,
): BacktestReport {
  const tally = new BacktestTally(kinds);
  tally.addOutcomes(p.outcomes);
  return tally.report(scorePortfolio(p, { ...options, explain: false }, tally.sink));
}

/**
 * What a backtest counts as scoring streams past, for a portfolio scored whole or a batch of
 * accounts at a time: each account's daily scores (a byte a day) and alert episodes, and the
 * outcomes; `report` once every account has been scored.
 */
export class BacktestTally {
  private readonly churnDay = new Map<string, number>();
  private readonly tracks = new Map<string, Track>();
  private current: Track | undefined;
  private currentId = "";

  /** `kinds`: each account's kind, where the input names them (a generated portfolio's truth). */
  constructor(private readonly kinds: ReadonlyMap<string, string> = new Map()) {}

  addOutcomes(outcomes: Iterable<Outcome>): void {
    for (const o of outcomes)
      if (o.kind === "churned")
        this.churnDay.set(
          o.accountId,
          Math.min(this.churnDay.get(o.accountId) ?? Infinity, toDayNumber(o.at)),
        );
  }

  private pack(): void {
    if (this.current && Array.isArray(this.current.scores))
      this.current.scores = Uint8Array.from(this.current.scores);
  }

  /** Options for the scoring this tally reads (numbers only, no evidence). */
  readonly sink: ScoreSink = {
    day: (accountId, day, score) => {
      if (accountId !== this.currentId) {
        this.pack();
        this.currentId = accountId;
        this.current = { start: day, scores: [], episodes: [] };
        this.tracks.set(accountId, this.current);
      }
      (this.current?.scores as number[] | undefined)?.push(score);
    },
    task: (t) => {
      const track = this.tracks.get(t.accountId);
      if (!track) return;
      const day = toDayNumber(t.day);
      if (t.action === "open")
        track.episodes.push({ open: day, close: null, playbook: t.playbook });
      else {
        const last = track.episodes[track.episodes.length - 1];
        if (last) last.close = day;
      }
    },
  };

  /** Alert episodes (tasks opened) from day `from` (a day number) on, over every account so far. */
  opensSince(from: number): number {
    let n = 0;
    for (const t of this.tracks.values()) for (const e of t.episodes) if (e.open >= from) n++;
    return n;
  }

  report(summary: { accounts: number; accountDays: number }): BacktestReport {
    this.pack();
    return reportOf(this.tracks, this.churnDay, summary, this.kinds);
  }
}

function reportOf(
  tracks: Map<string, Track>,
  churnDay: Map<string, number>,
  summary: { accounts: number; accountDays: number },
  kinds: ReadonlyMap<string, string>,
): BacktestReport {
  // Histograms of non-churned scores per day, for AUC pair counting in O(101) per churner.
  const healthyByDay = new Map<number, Int32Array>();
  let healthyDays = 0;
  let healthyEpisodes = 0;
  const byKind = new Map<string, { accounts: number; days: number; episodes: number }>();
  const byPlaybook = new Map<string, number>();
  for (const [id, track] of tracks) {
    if (churnDay.has(id)) continue;
    healthyDays += track.scores.length;
    healthyEpisodes += track.episodes.length;
    for (const e of track.episodes)
      byPlaybook.set(e.playbook, (byPlaybook.get(e.playbook) ?? 0) + 1);
    const kind = kinds.get(id);
    if (kind !== undefined) {
      const k = byKind.get(kind) ?? { accounts: 0, days: 0, episodes: 0 };
      k.accounts++;
      k.days += track.scores.length;
      k.episodes += track.episodes.length;
      byKind.set(kind, k);
    }
    for (let k = 0; k < track.scores.length; k++) {
      const day = track.start + k;
      let h = healthyByDay.get(day);
      if (!h) {
        h = new Int32Array(101);
        healthyByDay.set(day, h);
      }
      h[track.scores[k]!]! += 1;
    }
  }

  let churned = 0;
  let recalled = 0;
  const leads: number[] = [];
  let aucWins = 0;
  let aucPairs = 0;
  for (const [id, churn] of churnDay) {
    const track = tracks.get(id);
    if (!track || churn - track.start < AUC_DAYS_BEFORE) continue;
    const lastScored = track.start + track.scores.length - 1;
    if (lastScored < churn - 1) continue; // churn after the scored span
    churned++;
    let warning: Track["episodes"][number] | undefined;
    for (const e of track.episodes) if (e.open < churn) warning = e;
    if (warning && (warning.close === null || warning.close >= churn - RECALL_LEAD_DAYS)) {
      const lead = churn - warning.open;
      leads.push(lead);
      if (lead >= RECALL_LEAD_DAYS) recalled++;
    }
    const day = churn - AUC_DAYS_BEFORE;
    const score = track.scores[day - track.start];
    const h = healthyByDay.get(day);
    if (score === undefined || !h) continue;
    for (let s = 0; s <= 100; s++) {
      const n = h[s]!;
      if (n === 0) continue;
      aucPairs += n;
      // A churner with a lower score (higher risk) than a healthy account is ranked right.
      if (s > score) aucWins += n;
      else if (s === score) aucWins += n / 2;
    }
  }
  leads.sort((a, b) => a - b);
  return {
    accounts: summary.accounts,
    accountDays: summary.accountDays,
    churned,
    recallAt30: churned ? recalled / churned : 0,
    medianLeadDays: leads.length ? median(leads) : null,
    falseAlarmsPerHealthyAccountYear: healthyDays ? healthyEpisodes / (healthyDays / 365) : 0,
    healthyAccountYears: healthyDays / 365,
    healthyEpisodes,
    auc60: aucPairs ? aucWins / aucPairs : null,
    churnByScoreBand: scoreBands(churnSamples(tracks, churnDay)),
    falseAlarmsByKind: [...byKind]
      .map(([kind, k]) => ({
        kind,
        accounts: k.accounts,
        accountYears: k.days / 365,
        episodes: k.episodes,
        perAccountYear: k.days ? k.episodes / (k.days / 365) : 0,
      }))
      .sort((a, b) => a.kind.localeCompare(b.kind)),
    falseAlarmsByPlaybook: [...byPlaybook]
      .map(([playbook, episodes]) => ({ playbook, episodes }))
      .sort((a, b) => b.episodes - a.episodes || a.playbook.localeCompare(b.playbook)),
  };
}

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** One score every 30 days of each account, with whether it churned within the next 90 days. */
function churnSamples(
  tracks: Map<string, Track>,
  churnDay: Map<string, number>,
): { score: number; churned: boolean }[] {
  const samples: { score: number; churned: boolean }[] = [];
  let lastDay = Number.NEGATIVE_INFINITY;
  for (const t of tracks.values()) lastDay = Math.max(lastDay, t.start + t.scores.length - 1);
  for (const [id, t] of tracks) {
    const churn = churnDay.get(id);
    for (let k = BAND_SAMPLE_EVERY; k < t.scores.length; k += BAND_SAMPLE_EVERY) {
      const day = t.start + k;
      // Only days whose 90-day horizon is observed.
      if (churn === undefined && day + BAND_HORIZON_DAYS > lastDay) continue;
      samples.push({
        score: t.scores[k]!,
        churned: churn !== undefined && churn - day <= BAND_HORIZON_DAYS,
      });
    }
  }
  return samples;
}

/**
 * Churn rate by score band: the samples ranked by score and cut into tenths, except that a cut never
 * falls between equal scores; it moves back to where they start. Most account-days of a healthy
 * portfolio score 100, and cutting through them would make bands that differ only by which accounts
 * happened to come first. So there may be fewer than ten bands, of unequal size.
 */
export function scoreBands(samples: readonly { score: number; churned: boolean }[]): ScoreBand[] {
  const sorted = [...samples].sort((a, b) => a.score - b.score);
  const n = sorted.length;
  const cuts: number[] = [];
  let from = 0;
  for (let tenth = 1; tenth <= 10; tenth++) {
    let cut = Math.floor((tenth * n) / 10);
    while (cut < n && cut > from && sorted[cut]!.score === sorted[cut - 1]!.score) cut--;
    if (cut > from) {
      cuts.push(cut);
      from = cut;
    }
  }
  const out: ScoreBand[] = [];
  let start = 0;
  for (const end of cuts) {
    let churned = 0;
    for (let k = start; k < end; k++) if (sorted[k]!.churned) churned++;
    out.push({
      band: out.length + 1,
      minScore: sorted[start]!.score,
      maxScore: sorted[end - 1]!.score,
      samples: end - start,
      share: (end - start) / n,
      churnRate: churned / (end - start),
    });
    start = end;
  }
  return out;
}
