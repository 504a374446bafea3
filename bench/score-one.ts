// One size of the scoring benchmark in a process of its own (so peak memory is this size's own):
// generate N accounts × two years in memory, then time samples of scoring every account every day.
// Forked by score.bench.ts, it times one sample each time it is asked, so that the sizes' samples
// can take turns a few seconds apart; run alone (`node --expose-gc --import tsx bench/score-one.ts
// 1000 numbers-only`), it times EBB_BENCH_REPEAT samples and prints one JSON line.
import { type ScoreSink, scorePortfolio } from "../core/engine.ts";
import { generatePortfolio } from "../core/generate/generate.ts";

const accounts = Number(process.argv[2]);
const explain = process.argv[3] !== "numbers-only";
const seed = 2026;

/** What the process says once its portfolio is in memory. */
export interface Ready {
  type: "ready";
  accounts: number;
  explain: boolean;
  records: number;
  passes: number;
  generateMs: number;
  inputRssMb: number;
}
/** One timed sample: the time of one pass, averaged over the sample's passes. */
export interface Sample {
  type: "sample";
  ms: number;
  accountDays: number;
  delivered: number;
  /** Signals read from the snapshots (explained), so the sink reads what a writer would. */
  signals: number;
  meanScore: number;
}
export interface End {
  type: "end";
  peakRssMb: number;
}

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

// Every timed sample does the same amount of work whatever the size: a small portfolio is scored
// back to back until it adds up to EBB_BENCH_WORK accounts (10,000 by default: 100 passes over 100
// accounts, 10 over 1,000, one over 10,000), and its time is the sample's divided by the passes. The
// noise on this machine comes in bursts of seconds; a 2-second sample can fall between two bursts
// where a 20-second one cannot, so samples of unequal length made the small sizes look faster.
const passes = Math.max(1, Math.round(Number(process.env.EBB_BENCH_WORK ?? 10_000) / accounts));

function sample(): Sample {
  // Each sample starts from the same heap, not with the previous sample's garbage to collect. A
  // forced full GC also drops the hidden classes no live object uses any more (the previous
  // sample's timelines and snapshots were their only users), which throws away the optimised scoring
  // code that relied on them: one warm-up run recompiles it, so the sample measures scoring, not the
  // JIT (without it, 100 accounts took 1.5–1.8× as long, a fixed cost that flattered growth ratios).
  globalThis.gc?.();
  warmUp();
  /** Account-days delivered to the sink (snapshots, or daily numbers). */
  let delivered = 0;
  let signals = 0;
  let scoreSum = 0;
  let accountDays = 0;
  const t1 = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    delivered = 0;
    signals = 0;
    scoreSum = 0;
    // Touch what a writer or the backtest would read, so nothing is optimised away.
    accountDays = scorePortfolio(
      portfolio,
      { explain },
      sinkOf((score, n) => {
        delivered++;
        signals += n;
        scoreSum += score;
      }),
    ).accountDays;
  }
  const ms = (performance.now() - t1) / passes;
  return {
    type: "sample",
    // To a tenth of a millisecond: a pass over 100 accounts takes 50–100 ms (numbers only, explained),
    // where whole milliseconds would move a growth ratio by up to 1%.
    ms: Math.round(ms * 10) / 10,
    accountDays,
    delivered,
    signals,
    meanScore: Math.round((10 * scoreSum) / Math.max(1, delivered)) / 10,
  };
}

const ready: Ready = {
  type: "ready",
  accounts,
  explain,
  records,
  passes,
  generateMs: Math.round(generateMs),
  inputRssMb: Math.round(rssBefore / 2 ** 20),
};
const end = (): End => ({
  type: "end",
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
});

if (process.send) {
  const send = process.send.bind(process);
  process.on("message", (m: "sample" | "end") => {
    if (m === "sample") {
      const result = sample();
      // Leave nothing to collect while the other sizes take their turn: an idle process with
      // garbage would collect it on the other core, beside their timed samples.
      globalThis.gc?.();
      send(result);
    } else send(end(), () => process.disconnect());
  });
  send(ready);
} else {
  const samples = Array.from({ length: Number(process.env.EBB_BENCH_REPEAT ?? 2) }, sample);
  const { type: _ready, ...info } = ready;
  process.stdout.write(`${JSON.stringify({ ...info, samples, peakRssMb: end().peakRssMb })}\n`);
}
