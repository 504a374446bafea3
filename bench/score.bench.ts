// `npm run bench`: scoring speed and memory on generated portfolios of 100, 1,000 and 10,000
// accounts × two years. Figures, not pass/fail. Each size runs in its own process.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const SIZES = (process.env.EBB_BENCH_SIZES ?? "100,1000,10000").split(",").map(Number);
const one = join(import.meta.dirname, "score-one.ts");
// Scoring allocates short-lived snapshots at a high rate next to a large, long-lived input heap;
// V8's default young generation (16 MB) then scavenges so often that time grows faster than the
// portfolio. A 64 MB young generation is the usual batch-throughput setting (EBB_BENCH_SEMI_SPACE_MB=16 shows the default).
const SEMI_SPACE_MB = Number(process.env.EBB_BENCH_SEMI_SPACE_MB ?? 64);

interface Run {
  accounts: number;
  explain: boolean;
  accountDays: number;
  records: number;
  generateMs: number;
  scoreMs: number;
  medianMs: number;
  runs: number;
  accountDaysPerSec: number;
  recordsPerSec: number;
  inputRssMb: number;
  peakRssMb: number;
}

/** One size in one mode, over several processes. */
interface Row extends Run {
  /** Each process's best run, fastest first. */
  processBestMs: number[];
  /** Each process's best run, by round (the sizes take turns within a round). */
  roundBestMs: number[];
}

function runProcess(accounts: number, mode: "explained" | "numbers-only"): Run {
  // The same number of timed samples for every size, each the same amount of work (score-one.ts): a
  // best of ten against a best of two, or of short samples against long ones, would favour the small
  // sizes in the comparison below.
  const out = execFileSync(
    process.execPath,
    [
      "--max-old-space-size=8192",
      `--max-semi-space-size=${SEMI_SPACE_MB}`,
      "--expose-gc",
      "--import",
      "tsx",
      one,
      String(accounts),
      mode,
    ],
    {
      encoding: "utf8",
      env: { ...process.env, EBB_BENCH_REPEAT: String(REPEAT), EBB_BENCH_WORK: String(WORK) },
    },
  );
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Run;
}

// The same code in two processes can differ by a fifth in speed on this kind of machine (where the
// JIT and the memory layout land), and a shared machine drifts over minutes. So every size runs in
// several fresh processes, the sizes taking turns, and a size's figure is the median of its
// processes' best runs.
const ROUNDS = Number(process.env.EBB_BENCH_ROUNDS ?? 5);
/** Timed samples per process, and accounts scored per sample. */
const REPEAT = Number(process.env.EBB_BENCH_REPEAT ?? 2);
const WORK = Number(process.env.EBB_BENCH_WORK ?? 10_000);
const fmt = (n: number) => n.toLocaleString("en-US");

function measure(mode: "explained" | "numbers-only"): Row[] {
  const runs = new Map<number, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of SIZES) {
      const r = runProcess(n, mode);
      runs.set(n, [...(runs.get(n) ?? []), r]);
      // A full run takes about twenty minutes: say where it is.
      process.stderr.write(
        `  ${mode} ${fmt(n)}, process ${round + 1} of ${ROUNDS}: best ${(r.scoreMs / 1000).toFixed(3)} s, median ${(r.medianMs / 1000).toFixed(3)} s\n`,
      );
    }
  }
  return SIZES.map((n) => {
    const all = runs.get(n) ?? [];
    const bests = all.map((r) => r.scoreMs).sort((a, b) => a - b);
    const first = all[0]!;
    const best = bests[0] ?? 0;
    const median = bests[bests.length >> 1] ?? 0;
    return {
      ...first,
      scoreMs: best,
      medianMs: median,
      runs: all.reduce((k, r) => k + r.runs, 0),
      accountDaysPerSec: Math.round(first.accountDays / (median / 1000)),
      recordsPerSec: Math.round(first.records / (median / 1000)),
      peakRssMb: Math.max(...all.map((r) => r.peakRssMb)),
      processBestMs: bests,
      roundBestMs: all.map((r) => r.scoreMs),
    };
  });
}

console.log("Scoring (core/engine.ts, one thread): every account, every day, all seven signals");
console.log(
  "mode          accounts  account-days   records  best s  median s  account-days/s  records/s   rss in/peak MB",
);
const rows: Row[] = [];
for (const mode of ["explained", "numbers-only"] as const) {
  for (const r of measure(mode)) {
    rows.push(r);
    console.log(
      `${mode.padEnd(13)} ${fmt(r.accounts).padStart(8)} ${fmt(r.accountDays).padStart(13)} ${fmt(r.records).padStart(10)} ${(r.scoreMs / 1000).toFixed(3).padStart(7)} ${(r.medianMs / 1000).toFixed(3).padStart(9)} ${fmt(r.accountDaysPerSec).padStart(15)} ${fmt(r.recordsPerSec).padStart(10)} ${`${r.inputRssMb}/${r.peakRssMb}`.padStart(16)}`,
    );
  }
}
console.log("");
console.log(
  "explained: snapshots with evidence sentences and ids (what `ebb score` writes); numbers-only: the daily score, band and alert without building snapshots (what `ebb backtest` reads).",
);
console.log(
  `node --max-semi-space-size=${SEMI_SPACE_MB}; each size ran in ${ROUNDS} fresh processes, sizes taking turns, each timing ${REPEAT} samples of ${fmt(WORK)} accounts' scoring (${SIZES.map((n) => `${fmt(Math.max(1, Math.round(WORK / n)))} pass(es) over ${fmt(n)}`).join(", ")}; a run's time is its sample's over its passes); best = fastest run of all, median = median of the processes' best runs (speeds are from the median); rss in = after generating the portfolio in memory, peak = process high-water mark.`,
);
for (const r of rows)
  console.log(
    `  ${r.explain ? "explained" : "numbers-only"} ${fmt(r.accounts)}: processes' best runs ${r.processBestMs.map((ms) => (ms / 1000).toFixed(3)).join(", ")} s`,
  );
for (const mode of [true, false]) {
  const sized = rows.filter((r) => r.explain === mode).sort((a, b) => a.accounts - b.accounts);
  for (let k = 1; k < sized.length; k++) {
    const a = sized[k - 1];
    const b = sized[k];
    if (!a || !b) continue;
    // Paired by round: the two sizes' processes ran one after the other, a minute apart at most,
    // so a slow spell of the machine (they last minutes here) weighs on both sides of the ratio.
    // The ratio of medians compares processes up to twenty minutes apart.
    const paired = a.roundBestMs
      .map((ms, round) => (b.roundBestMs[round] ?? Number.NaN) / ms)
      .filter((r) => Number.isFinite(r));
    const pairedMedian = [...paired].sort((x, y) => x - y)[paired.length >> 1] ?? Number.NaN;
    console.log(
      `${mode ? "explained" : "numbers-only"}: ${fmt(b.accounts / a.accounts)}× the accounts took ${(b.medianMs / a.medianMs).toFixed(2)}× the time (medians; best runs: ${(b.scoreMs / a.scoreMs).toFixed(2)}×; paired by round: median ${pairedMedian.toFixed(2)}×, rounds ${paired.map((r) => r.toFixed(2)).join(", ")}) (${fmt(a.accounts)} → ${fmt(b.accounts)})`,
    );
  }
}
