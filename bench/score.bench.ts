// `npm run bench`: scoring speed and memory on generated portfolios of 100, 1,000 and 10,000
// accounts × two years. Figures, not pass/fail. Each size runs in processes of its own
// (score-one.ts); decision record 0006 says why it measures the way it does.
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { End, Ready, Sample } from "./score-one.ts";

const SIZES = (process.env.EBB_BENCH_SIZES ?? "100,1000,10000").split(",").map(Number);
const one = join(import.meta.dirname, "score-one.ts");
// Scoring allocates short-lived snapshots at a high rate next to a large, long-lived input heap;
// V8's default young generation (16 MB) then scavenges so often that time grows faster than the
// portfolio. A 64 MB young generation is the usual batch-throughput setting (EBB_BENCH_SEMI_SPACE_MB=16 shows the default).
const SEMI_SPACE_MB = Number(process.env.EBB_BENCH_SEMI_SPACE_MB ?? 64);
// The same code in two processes can differ by a fifth in speed on this kind of machine (where the
// JIT and the memory layout land), so a size's figure comes from several sets of fresh processes.
// And a shared machine has slow spells lasting minutes, so within a set the sizes' processes are
// all up at once and take turns sample by sample: a spell then falls on every size of the set, not
// on one size's processes alone, which moved the growth ratio by a tenth or more when each size ran
// its samples in one go.
const SETS = Number(process.env.EBB_BENCH_ROUNDS ?? 5);
/** Timed samples per process, and accounts scored per sample. */
const REPEAT = Number(process.env.EBB_BENCH_REPEAT ?? 2);
const WORK = Number(process.env.EBB_BENCH_WORK ?? 10_000);
for (const [name, values] of [
  ["EBB_BENCH_SIZES", SIZES],
  ["EBB_BENCH_ROUNDS", [SETS]],
  ["EBB_BENCH_REPEAT", [REPEAT]],
  ["EBB_BENCH_WORK", [WORK]],
  ["EBB_BENCH_SEMI_SPACE_MB", [SEMI_SPACE_MB]],
] as const) {
  if (values.some((v) => !Number.isInteger(v) || v < 1)) {
    const what =
      values === SIZES ? "positive whole numbers, separated by commas" : "a positive whole number";
    console.error(`bench: ${name} must be ${what}`);
    process.exit(2);
  }
}
const fmt = (n: number) => n.toLocaleString("en-US");
const secs = (ms: number) => (ms / 1000).toFixed(3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

type Mode = "explained" | "numbers-only";

function start(accounts: number, mode: Mode): ChildProcess {
  return fork(one, [String(accounts), mode], {
    execArgv: [
      "--max-old-space-size=8192",
      `--max-semi-space-size=${SEMI_SPACE_MB}`,
      "--expose-gc",
      "--import",
      "tsx",
    ],
    env: { ...process.env, EBB_BENCH_WORK: String(WORK) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** Sends `message` (if any) and waits for the process's next message; a process that dies fails the bench. */
function ask<T>(child: ChildProcess, what: string, message?: "sample" | "end"): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (m: unknown) => {
      done();
      resolve(m as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(
        new Error(`bench: the process for ${what} exited (${code ?? signal}) before answering`),
      );
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
    if (message) child.send(message);
  });
}

/** One size's process in one set. */
interface SetRun {
  accounts: number;
  ready: Ready;
  samples: Sample[];
  end: End;
}

/** One set: a fresh process per size, all up at once, timing their samples in turn. */
async function runSet(mode: Mode, set: number): Promise<SetRun[]> {
  const procs = SIZES.map((accounts) => ({
    accounts,
    name: `${mode} ${fmt(accounts)}`,
    child: start(accounts, mode),
    samples: [] as Sample[],
  }));
  // Generating the portfolios is not timed, so the processes may do it side by side.
  const ready = await Promise.all(procs.map((p) => ask<Ready>(p.child, p.name)));
  for (let k = 0; k < REPEAT; k++) {
    // Each turn starts with the next size, so no size always follows the same one.
    const turn = set * REPEAT + k;
    for (let j = 0; j < procs.length; j++) {
      const p = procs[(j + turn) % procs.length] as (typeof procs)[number];
      p.samples.push(await ask<Sample>(p.child, p.name, "sample"));
    }
  }
  const ends = await Promise.all(procs.map((p) => ask<End>(p.child, p.name, "end")));
  return procs.map((p, i) => ({
    accounts: p.accounts,
    ready: ready[i] as Ready,
    samples: p.samples,
    end: ends[i] as End,
  }));
}

/** One size in one mode, over every set. */
interface Row {
  accounts: number;
  explain: boolean;
  accountDays: number;
  records: number;
  /** Fastest sample of all. */
  bestMs: number;
  /** Median of the sets' best samples: the figure speeds are quoted from. */
  medianMs: number;
  accountDaysPerSec: number;
  recordsPerSec: number;
  inputRssMb: number;
  peakRssMb: number;
  /** Each set's best sample, by set. */
  setBestMs: number[];
}

async function measure(mode: Mode): Promise<Row[]> {
  const sets: SetRun[][] = [];
  for (let set = 0; set < SETS; set++) {
    const result = await runSet(mode, set);
    sets.push(result);
    // A full run takes about twenty minutes: say where it is.
    process.stderr.write(
      `  ${mode}, set ${set + 1} of ${SETS}: ${result.map((r) => `${fmt(r.accounts)} ${r.samples.map((s) => secs(s.ms)).join("/")} s`).join(", ")}\n`,
    );
  }
  return SIZES.map((accounts) => {
    const runs = sets.flat().filter((r) => r.accounts === accounts);
    const setBestMs = runs.map((r) => Math.min(...r.samples.map((s) => s.ms)));
    const accountDays = runs[0]?.samples[0]?.accountDays ?? 0;
    const records = runs[0]?.ready.records ?? 0;
    const mid = median(setBestMs);
    return {
      accounts,
      explain: mode === "explained",
      accountDays,
      records,
      bestMs: Math.min(...setBestMs),
      medianMs: mid,
      accountDaysPerSec: Math.round(accountDays / (mid / 1000)),
      recordsPerSec: Math.round(records / (mid / 1000)),
      inputRssMb: Math.max(...runs.map((r) => r.ready.inputRssMb)),
      peakRssMb: Math.max(...runs.map((r) => r.end.peakRssMb)),
      setBestMs,
    };
  });
}

console.log("Scoring (core/engine.ts, one thread): every account, every day, all seven signals");
console.log(
  "mode          accounts  account-days   records  best s  median s  account-days/s  records/s   rss in/peak MB",
);
const rows: Row[] = [];
for (const mode of ["explained", "numbers-only"] as const) {
  for (const r of await measure(mode)) {
    rows.push(r);
    console.log(
      `${mode.padEnd(13)} ${fmt(r.accounts).padStart(8)} ${fmt(r.accountDays).padStart(13)} ${fmt(r.records).padStart(10)} ${secs(r.bestMs).padStart(7)} ${secs(r.medianMs).padStart(9)} ${fmt(r.accountDaysPerSec).padStart(15)} ${fmt(r.recordsPerSec).padStart(10)} ${`${r.inputRssMb}/${r.peakRssMb}`.padStart(16)}`,
    );
  }
}
console.log("");
console.log(
  "explained: snapshots with evidence sentences and ids (what `ebb score` writes); numbers-only: the daily score, band and alert without building snapshots (what `ebb backtest` reads).",
);
console.log(
  `node --max-semi-space-size=${SEMI_SPACE_MB}; ${SETS} sets of fresh processes, one process per size in each set, all up at once and timing ${REPEAT} samples each in turn; a sample is ${fmt(WORK)} accounts' scoring (${SIZES.map((n) => `${fmt(Math.max(1, Math.round(WORK / n)))} pass(es) over ${fmt(n)}`).join(", ")}) and its time is per pass; best = fastest sample of all, median = median of the sets' best samples (speeds are from the median); rss in = after generating the portfolio in memory, peak = process high-water mark.`,
);
for (const r of rows)
  console.log(
    `  ${r.explain ? "explained" : "numbers-only"} ${fmt(r.accounts)}: best sample of each set ${r.setBestMs.map(secs).join(", ")} s`,
  );
for (const mode of [true, false]) {
  const sized = rows.filter((r) => r.explain === mode).sort((a, b) => a.accounts - b.accounts);
  for (let k = 1; k < sized.length; k++) {
    const a = sized[k - 1];
    const b = sized[k];
    if (!a || !b) continue;
    // Paired by set: within a set the two sizes' samples took turns seconds apart, so a slow spell
    // of the machine weighs on both sides of each ratio; the ratio of medians compares sets up to
    // twenty minutes apart.
    const paired = a.setBestMs.map((ms, set) => (b.setBestMs[set] ?? Number.NaN) / ms);
    console.log(
      `${mode ? "explained" : "numbers-only"}: ${fmt(b.accounts / a.accounts)}× the accounts took ${median(paired).toFixed(2)}× the time (paired by set: median; sets ${paired.map((r) => r.toFixed(2)).join(", ")}; medians: ${(b.medianMs / a.medianMs).toFixed(2)}×; best samples: ${(b.bestMs / a.bestMs).toFixed(2)}×) (${fmt(a.accounts)} → ${fmt(b.accounts)})`,
    );
  }
}
