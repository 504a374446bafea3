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

interface Row {
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

function run(accounts: number, mode: "explained" | "numbers-only", ballast = 0): Row {
  // Small portfolios score in a fraction of a second: more runs, so warm-up and noise wash out.
  const runs =
    process.env.EBB_BENCH_REPEAT ?? String(accounts <= 100 ? 15 : accounts <= 1000 ? 5 : 3);
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
      env: { ...process.env, EBB_BENCH_REPEAT: runs, EBB_BENCH_BALLAST: String(ballast) },
    },
  );
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Row;
}

const fmt = (n: number) => n.toLocaleString("en-US");
console.log("Scoring (core/engine.ts, one thread): every account, every day, all seven signals");
console.log(
  "mode          accounts  account-days   records  best s  median s  account-days/s  records/s   rss in/peak MB",
);
const rows: Row[] = [];
for (const mode of ["explained", "numbers-only"] as const) {
  for (const n of SIZES) {
    const r = run(n, mode);
    rows.push(r);
    console.log(
      `${mode.padEnd(13)} ${fmt(n).padStart(8)} ${fmt(r.accountDays).padStart(13)} ${fmt(r.records).padStart(10)} ${(r.scoreMs / 1000).toFixed(2).padStart(7)} ${(r.medianMs / 1000).toFixed(2).padStart(9)} ${fmt(r.accountDaysPerSec).padStart(15)} ${fmt(r.recordsPerSec).padStart(10)} ${`${r.inputRssMb}/${r.peakRssMb}`.padStart(16)}`,
    );
  }
}
console.log("");
console.log(
  "explained: snapshots with evidence sentences and ids (what `ebb score` writes); numbers-only: what `ebb backtest` needs.",
);
console.log(
  `node --max-semi-space-size=${SEMI_SPACE_MB}; speeds are the best of ${rows.map((r) => r.runs).join("/")} runs (shared, noisy machine); rss in = after generating the portfolio in memory, peak = process high-water mark.`,
);
for (const mode of [true, false]) {
  const sized = rows.filter((r) => r.explain === mode).sort((a, b) => a.accounts - b.accounts);
  for (let k = 1; k < sized.length; k++) {
    const a = sized[k - 1];
    const b = sized[k];
    if (!a || !b) continue;
    console.log(
      `${mode ? "explained" : "numbers-only"}: ${fmt(b.accounts / a.accounts)}× the accounts took ${(b.medianMs / a.medianMs).toFixed(2)}× the time (median runs; best runs: ${(b.scoreMs / a.scoreMs).toFixed(2)}×) (${fmt(a.accounts)} → ${fmt(b.accounts)})`,
    );
  }
}

// The same 1,000 accounts again, with 9,000 other accounts' records alive but unscored: how much of
// the 10,000-account time is the heap rather than the portfolio.
if (SIZES.includes(1000) && SIZES.includes(10000)) {
  const alone = rows.find((r) => r.explain && r.accounts === 1000);
  const big = rows.find((r) => r.explain && r.accounts === 10000);
  const heavy = run(1000, "explained", 9000);
  if (alone && big) {
    console.log(
      `explained: 1,000 accounts with 9,000 more alive in the heap: median ${(heavy.medianMs / 1000).toFixed(2)} s (alone ${(alone.medianMs / 1000).toFixed(2)} s); 10,000 accounts took ${(big.medianMs / heavy.medianMs).toFixed(2)}× that`,
    );
  }
}
