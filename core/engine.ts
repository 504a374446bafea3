// Scoring: every account, every day, in one pass over records grouped once (grouping.ts). Each account's
// timeline is built once and its days scored in order, carrying trend and episode state from day to
// day; each day becomes a snapshot (snapshot.ts) and, at a turn, a task (playbooks.ts).
import { DayNames, toDayNumber } from "./day.ts";
import { type AccountFacts, FACTS_BATCH, FactsPool, spanOfFacts } from "./facts.ts";
import { groupByAccount, type Orphan } from "./grouping.ts";
import type { Band, HealthSnapshot, Portfolio, Stage, Task } from "./model.ts";
import {
  type DayVerdict,
  type EpisodeState,
  isAlert,
  startEpisodes,
  stepEpisode,
} from "./playbooks.ts";
import { type Bands, DEFAULT_BANDS, DEFAULT_TASK_RULES, type Policy } from "./policy.ts";
import {
  buildPortfolioContext,
  type DataOutage,
  type Incident,
  type PortfolioContext,
} from "./portfolio.ts";
import { SIGNALS, type SignalInput, type SignalValue } from "./signals/index.ts";
import { Sentences } from "./signals/util.ts";
import { NO_REASONS, reasonsOf, snapshotOf } from "./snapshot.ts";
import { type AccountRecords, LOOKBACK_DAYS, TimelineBuffers, timelineOf } from "./timeline.ts";
import {
  DEFAULT_TREND,
  startTrend,
  stepTrend,
  type TrendOptions,
  type TrendState,
} from "./trend.ts";
import { DEFAULT_WEIGHTS, type StageWeights, stageOn } from "./weights.ts";

/** Days between the states a sink is offered as checkpoints. */
export const CHECKPOINT_DAYS = 7;

/** Below this coverage an account is `insufficient_data`, whatever its score. */
export const MIN_COVERAGE = 0.5;
/** Ebb's default bands (a tenant's policy may move them). */
export const BANDS: Bands = DEFAULT_BANDS;

export interface ScoreOptions {
  /** First and last day to score (YYYY-MM-DD); default: the span of the data. */
  from?: string;
  to?: string;
  weights?: StageWeights;
  /** The tenant's bands and task rules (and weights, unless `weights` is given); default Ebb's. */
  policy?: Policy;
  trend?: TrendOptions;
  /** Build evidence sentences (default true); a backtest needs only the numbers. */
  explain?: boolean;
  /**
   * The last complete day (YYYY-MM-DD): days after it are still arriving, so their usage is not
   * read (today's half-day never looks like a drop) and never as a data outage. Default: every
   * day of the data is complete.
   */
  completeThrough?: string;
  /**
   * Accounts whose alerts a CSM snoozed, with the day (YYYY-MM-DD) the snooze ends: until then an
   * episode is not opened for them (one already open stays open); from that day, as usual.
   */
  snoozes?: ReadonlyMap<string, string>;
  /** Each account's state on the day before `from`, to continue rather than start over. */
  resume?: (accountId: string) => AccountState | undefined;
}

/** Where results go, as they are produced (nothing is buffered for the whole portfolio). */
export interface ScoreSink {
  snapshot?(s: HealthSnapshot): void;
  task?(t: Task & { day: string }): void;
  /** Called once per account after its last day, with the state to resume from. */
  accountDone?(accountId: string, state: AccountState): void;
  /**
   * The state after every CHECKPOINT_DAYS-th day (day numbers ≡ -1 mod CHECKPOINT_DAYS): where a
   * record arriving late, dated in the past, lets scoring resume without starting over.
   */
  checkpoint?(accountId: string, state: AccountState): void;
  /** Compact per-day form (no evidence), for backtests. */
  day?(accountId: string, day: number, score: number, band: Band, alert: boolean): void;
}

/** What scoring the next day of an account needs from the day before. */
export interface AccountState {
  day: string;
  trend: TrendState;
  episode: EpisodeState;
}

export type PortfolioAlert =
  | { kind: "incident"; day: string; title: string; body: string; incident: Incident }
  | { kind: "data_outage"; day: string; title: string; body: string; outage: DataOutage };

export interface ScoreSummary {
  accounts: number;
  accountDays: number;
  tasksOpened: number;
  tasksClosed: number;
  alerts: PortfolioAlert[];
  /** Records naming an account that is not in accounts.ndjson: reported, not scored. */
  orphans: Orphan[];
}

export function bandOf(score: number, coverage: number, bands: Bands = BANDS): Band {
  if (coverage < MIN_COVERAGE) return "insufficient_data";
  return score >= bands.healthy ? "healthy" : score >= bands.atRisk ? "watch" : "at_risk";
}

/**
 * Score a whole portfolio day by day; results stream into `sink`. With `ctx` (the context of a
 * larger portfolio, from its aggregates), `p` is one part of that portfolio, scored as it would be
 * within the whole: how a portfolio too large to hold is scored a batch of accounts at a time.
 */
export function scorePortfolio(
  p: Portfolio,
  options: ScoreOptions = {},
  sink: ScoreSink = {},
  ctx?: PortfolioContext,
): ScoreSummary {
  return scoreGroups(
    p,
    (groups, ctx) => {
      const fromDay = options.from ? toDayNumber(options.from) : ctx.firstDay;
      return groups.map((g) => ({ g, fromDay, state: options.resume?.(g.account.id) }));
    },
    options.to,
    withoutResume(options),
    sink,
    ctx,
  );
}

/**
 * The one loop both entry points share: group the records, build the portfolio context from every
 * account, score the runs `plan` picks (each clipped at its account's churn), and raise the
 * product-wide incidents that overlap the days scored.
 */
function scoreGroups(
  p: Portfolio,
  plan: (
    groups: AccountRecords[],
    ctx: PortfolioContext,
  ) => { g: AccountRecords; fromDay: number; state: AccountState | undefined }[],
  toOption: string | undefined,
  options: Omit<ScoreOptions, "resume">,
  sink: ScoreSink,
  given?: PortfolioContext,
): ScoreSummary {
  const { groups, orphans, churnDay } = groupByAccount(p);
  // Records are read into compact facts a batch of accounts at a time: once for the portfolio
  // context (unless the caller has it from the portfolio's aggregates), once more for scoring.
  // Nothing is kept for the whole portfolio but the context.
  const pool = new FactsPool();
  const ctx =
    given ??
    buildPortfolioContext(
      groups,
      pool,
      options.completeThrough ? { completeThrough: toDayNumber(options.completeThrough) } : {},
    );
  const to = toOption ? toDayNumber(toOption) : ctx.lastDay;
  const scratch = newScratch();
  const summary: ScoreSummary = {
    accounts: 0,
    accountDays: 0,
    tasksOpened: 0,
    tasksClosed: 0,
    alerts: [],
    orphans,
  };
  let from = to;
  const runs = plan(groups, ctx);
  for (let k = 0; k < runs.length; k += FACTS_BATCH) {
    const batch = runs.slice(k, k + FACTS_BATCH);
    const facts = pool.fill(batch.map((r) => r.g));
    for (let j = 0; j < batch.length; j++) {
      const { g, fromDay, state } = batch[j]!;
      from = Math.min(from, fromDay);
      const churn = churnDay.get(g.account.id);
      const r = scoreAccount(
        facts[j]!,
        ctx,
        { ...options, fromDay, toDay: churn === undefined ? to : Math.min(to, churn - 1), state },
        sink,
        scratch,
      );
      if (r.days > 0) summary.accounts++;
      summary.accountDays += r.days;
      summary.tasksOpened += r.opened;
      summary.tasksClosed += r.closed;
    }
  }
  for (const incident of ctx.incidents) {
    if (incident.to < scratch.days.of(from) || incident.from > scratch.days.of(to)) continue;
    summary.alerts.push(incidentAlert(incident));
  }
  for (const outage of ctx.outages) {
    const end = outage.to === null ? Number.POSITIVE_INFINITY : toDayNumber(outage.to);
    if (end < from || toDayNumber(outage.from) > to) continue;
    summary.alerts.push(outageAlert(outage));
  }
  return summary;
}

/** The portfolio alert that reports a product-wide incident. */
export function incidentAlert(incident: Incident): PortfolioAlert {
  return {
    kind: "incident",
    day: incident.from,
    title: `Product-wide incident: ${incident.accounts} accounts filed tickets tagged ${tagList(incident.tags)}`,
    body: `${incident.tickets} tickets from ${incident.accounts} accounts tagged ${tagList(incident.tags)} between ${incident.from} and ${incident.to}. They are reported once here and left out of each account's ticket-flood, support and onboarding signals.`,
    incident,
  };
}

const SOURCE_NAMES = {
  usage: "Product usage",
  tickets: "Support tickets",
  engagements: "Engagements",
};

/** The portfolio alert that reports a source gone missing for the whole portfolio. */
export function outageAlert(outage: DataOutage): PortfolioAlert {
  const name = SOURCE_NAMES[outage.source];
  const span = outage.to === null ? `since ${outage.from}` : `from ${outage.from} to ${outage.to}`;
  const what =
    outage.kind === "stopped"
      ? `No ${name.toLowerCase()} records have arrived ${span}, for any account.`
      : `Product usage across the whole portfolio fell to ${Math.round((outage.lowest ?? 0) * 100)}% of its usual level ${span}: an analytics outage or a broken export, not every customer at once.`;
  return {
    kind: "data_outage",
    day: outage.from,
    title: `Data outage: ${name} ${outage.kind === "stopped" ? "stopped" : "collapsed"} ${span}`,
    body: `${what} Accounts are scored without it until it is back (their coverage is lower), and no account gets a task for it. Check the pipeline or export that sends it.`,
    outage,
  };
}

/** What one scoring run reuses from one account to the next, owned by that run alone. */
export interface RunScratch {
  buffers: TimelineBuffers;
  days: DayNames;
}

function newScratch(): RunScratch {
  return { buffers: new TimelineBuffers(), days: new DayNames() };
}

interface AccountRun {
  fromDay: number;
  toDay: number;
  /** Continue from a stored state (its day must be fromDay - 1). */
  state?: AccountState | undefined;
}

/** Score one account over [fromDay, toDay] (day numbers), clipped to its life. */
export function scoreAccount(
  facts: AccountFacts,
  ctx: PortfolioContext,
  run: Omit<ScoreOptions, "resume"> & AccountRun,
  sink: ScoreSink,
  scratch: RunScratch = newScratch(),
): { days: number; opened: number; closed: number } {
  // An account with no records at all is still scored (as insufficient data) from its contract start:
  // silence must show up as "we don't know", not vanish from the portfolio.
  const g = facts.records;
  const span = ctx.spanOf(g.account.id) ?? spanOfFacts(facts);
  const first = Number.isFinite(span.first) ? span.first : run.fromDay;
  const start = Math.max(run.fromDay, first);
  const end = run.toDay;
  if (end < start) return { days: 0, opened: 0, closed: 0 };
  const origin = Math.max(start - LOOKBACK_DAYS, Math.min(first, start));
  const t = timelineOf(facts, origin, end - origin + 1, ctx, scratch.buffers);
  const weights = run.weights ?? run.policy?.weights ?? DEFAULT_WEIGHTS;
  const bands = run.policy?.bands ?? BANDS;
  const rules = run.policy?.tasks ?? DEFAULT_TASK_RULES;
  // Each stage's weights in SIGNALS order: the daily loop reads them by index, not by key.
  const rows = {} as Record<Stage, number[]>;
  for (const stage of Object.keys(weights) as Stage[])
    rows[stage] = SIGNALS.map((d) => weights[stage][d.key] ?? 0);
  const trendOptions = run.trend ?? DEFAULT_TREND;
  const explain = run.explain ?? true;
  const account = g.account;
  const snooze = run.snoozes?.get(account.id);
  const snoozedUntil = snooze === undefined ? undefined : toDayNumber(snooze);
  // The caller's stored state stays as it was: the trend steps to a new state each day, and the
  // episode is a copy the loop updates in place.
  let trend: TrendState | undefined = run.state?.trend;
  const stored = run.state?.episode;
  const episode: EpisodeState = stored
    ? { open: stored.open ? { ...stored.open } : null, calmDays: stored.calmDays }
    : startEpisodes();
  let opened = 0;
  let closed = 0;
  const values: SignalValue[] = new Array(SIGNALS.length);
  // One input object for the whole account, its day moved forward: no allocation per signal call.
  // The sentences are this account's own: a fresh set per account.
  const input: SignalInput = {
    timeline: t,
    i: 0,
    portfolio: ctx,
    explain,
    sentences: explain ? new Sentences() : undefined,
  };
  // One verdict for the whole account, refilled each day: the episode step reads it, never keeps it.
  const verdict: DayVerdict = {
    day: 0,
    score: 0,
    band: "insufficient_data",
    trend: "plateau",
    reasons: NO_REASONS,
  };
  for (let i = start - origin; i <= end - origin; i++) {
    const day = origin + i;
    const row = rows[stageOn(t, i)];
    let keep = 1;
    let covered = 0;
    let applicable = 0;
    input.i = i;
    for (let k = 0; k < SIGNALS.length; k++) {
      const def = SIGNALS[k]!;
      const v = def.compute(input);
      values[k] = v;
      const w = row[k]!;
      if (v.status === "not_applicable" || w === 0) continue;
      applicable += w;
      if (v.status === "ok") {
        covered += w;
        keep *= 1 - w * v.risk;
      }
    }
    const score = Math.round(100 * keep);
    const coverage = applicable > 0 ? covered / applicable : 0;
    const band = bandOf(score, coverage, bands);
    trend = trend ? stepTrend(trend, score, trendOptions) : startTrend(score);
    verdict.day = day;
    verdict.score = score;
    verdict.band = band;
    verdict.trend = trend.trend;
    // Reasons are only read when a task opens: build them only then.
    const opening = episode.open === null && isAlert(verdict, rules.decayBelow);
    verdict.reasons = opening ? reasonsOf(values, row) : NO_REASONS;
    const task = stepEpisode(episode, account, verdict, snoozedUntil, rules);
    if (task) {
      if (task.action === "open") opened++;
      else closed++;
      sink.task?.({ ...task, day: scratch.days.of(day) });
    }
    sink.day?.(account.id, day, score, band, episode.open !== null);
    if (sink.checkpoint && (day + 1) % CHECKPOINT_DAYS === 0)
      sink.checkpoint(account.id, {
        day: scratch.days.of(day),
        trend,
        episode: { open: episode.open ? { ...episode.open } : null, calmDays: episode.calmDays },
      });
    if (sink.snapshot)
      sink.snapshot(
        snapshotOf(account, scratch.days.of(day), score, band, trend.trend, coverage, values, row),
      );
  }
  if (trend) sink.accountDone?.(account.id, { day: scratch.days.of(end), trend, episode });
  return { days: end - start + 1, opened, closed };
}

function tagList(tags: string[]): string {
  return tags.map((t) => `"${t}"`).join(" / ");
}

function withoutResume(o: ScoreOptions): Omit<ScoreOptions, "resume"> {
  const { resume: _, ...rest } = o;
  return rest;
}

/** One account's part in an incremental rescoring: continue from `state`, or start from its data. */
export interface RescorePlan {
  accountId: string;
  state?: AccountState | undefined;
}

/**
 * Score only the planned accounts, each from the day after its stored state (or from the start of
 * its data) to `to`: what a store does after a sync touched some accounts, or when a new day
 * begins. The portfolio context is `ctx` when given (a store builds it from the aggregates it
 * keeps, and passes only a slice of accounts in `p`), else built from every account of `p`.
 */
export function rescoreAccounts(
  p: Portfolio,
  plans: readonly RescorePlan[],
  options: Omit<ScoreOptions, "resume" | "from"> & { to: string },
  sink: ScoreSink = {},
  ctx?: PortfolioContext,
): ScoreSummary {
  return scoreGroups(
    p,
    (groups, ctx) => {
      const byId = new Map(groups.map((g) => [g.account.id, g]));
      return plans.flatMap(({ accountId, state }) => {
        const g = byId.get(accountId);
        return g ? [{ g, fromDay: state ? toDayNumber(state.day) + 1 : ctx.firstDay, state }] : [];
      });
    },
    options.to,
    options,
    sink,
    ctx,
  );
}

export { groupByAccount };
