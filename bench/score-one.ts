// One benchmark run in a fresh process (so peak memory is this size's own): generate N accounts ×
// two years in memory, then score every account every day. Prints one JSON line.
import { type ScoreSink, scorePortfolio } from "../core/engine.ts";
import { generatePortfolio } from "../core/generate/generate.ts";

const accounts = Number(process.argv[2]);
const explain = process.argv[3] !== "numbers-only";
const seed = 2026;

// Warm the JIT the same way for every size, on a small portfolio of its own, so that compiling the
// scoring code is not part of the timed runs (it would weigh on 100 accounts, not on 10,000).
const warm = generatePortfolio({ accounts: 100, seed: seed + 7, days: 730 }).portfolio;
// Explained: snapshots with evidence, what `ebb score` writes. Numbers-only: what `ebb backtest`
// reads, the daily score, band and alert through the `day` sink, with no snapshot built.
const sinkOf = (use: (score: number, signals: number) => void): ScoreSink =>
  explain
    ? { snapshot: (s) => use(s.score, s.signals.length) }
    : { day: (_id, _day, score) => use(score, 0) };
const warmUp = () =>
  scorePortfolio(
    warm,
    { explain },
    sinkOf(() => {}),
  );
for (let k = 0; k < 3; k++) warmUp();
const t0 = performance.now();
const { portfolio } = generatePortfolio({ accounts, seed, days: 730 });
const generateMs = performance.now() - t0;
const records =
  portfolio.accounts.length +
  portfolio.stakeholders.length +
  portfolio.tickets.length +
  portfolio.engagements.length +
  portfolio.usage.length +
  portfolio.milestones.length +
  portfolio.outcomes.length;
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;

// The machine is shared and noisy: score several times and report the best and the median run.
const repeat = Number(process.env.EBB_BENCH_REPEAT ?? 2);
// Every timed sample does the same amount of work whatever the size: a small portfolio is scored
// back to back until it adds up to EBB_BENCH_WORK accounts (10,000 by default: 100 passes over 100
// accounts, 10 over 1,000, one over 10,000), and its time is the sample's divided by the passes. The
// noise on this machine comes in bursts of seconds; a 2-second sample can fall between two bursts
// where a 20-second one cannot, so samples of unequal length made the small sizes look faster.
const passes = Math.max(1, Math.round(Number(process.env.EBB_BENCH_WORK ?? 10_000) / accounts));
const times: number[] = [];
/** Account-days delivered to the sink (snapshots, or daily numbers). */
let delivered = 0;
let signals = 0;
let scoreSum = 0;
let summary: ReturnType<typeof scorePortfolio> | undefined;
for (let k = 0; k < repeat; k++) {
  // Each run starts from the same heap, not with the previous run's garbage to collect. A forced
  // full GC also drops the hidden classes no live object uses any more (the previous run's timelines
  // and snapshots were their only users), which throws away the optimised scoring code that relied
  // on them: one warm-up run recompiles it, so the timed run measures scoring, not the JIT (without
  // it, 100 accounts took 1.5–1.8× as long, a fixed cost that flattered the growth ratios).
  globalThis.gc?.();
  warmUp();
  const t1 = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    delivered = 0;
    signals = 0;
    scoreSum = 0;
    summary = scorePortfolio(
      portfolio,
      { explain },
      // Touch what a writer or the backtest would read, so nothing is optimised away.
      sinkOf((score, n) => {
        delivered++;
        signals += n;
        scoreSum += score;
      }),
    );
  }
  times.push((performance.now() - t1) / passes);
}
times.sort((a, b) => a - b);
const scoreMs = times[0] ?? 0;
const medianMs = times[times.length >> 1] ?? 0;
const accountDays = summary?.accountDays ?? 0;

process.stdout.write(
  `${JSON.stringify({
    accounts,
    explain,
    accountDays,
    records,
    delivered,
    signals,
    meanScore: Math.round((10 * scoreSum) / Math.max(1, delivered)) / 10,
    generateMs: Math.round(generateMs),
    // To a tenth of a millisecond: a pass over 100 accounts takes 70–90 ms, where whole milliseconds
    // would move a growth ratio by up to 0.7%.
    scoreMs: Math.round(scoreMs * 10) / 10,
    medianMs: Math.round(medianMs * 10) / 10,
    runs: repeat,
    passes,
    accountDaysPerSec: Math.round(accountDays / (scoreMs / 1000)),
    recordsPerSec: Math.round(records / (scoreMs / 1000)),
    inputRssMb: Math.round(rssBefore / 2 ** 20),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
