// Scoring inside the Worker at tenant scale: 1,000 and 10,000 accounts × two years loaded into a
// tenant store under `wrangler dev` through the store's own page path, then scored in slices, one
// store invocation per slice, each driven and timed from here. `wrangler dev` enforces neither the
// 128 MB memory limit nor the CPU limit, so memory is observed from outside: the V8 heap of the
// isolate running the store (through wrangler's inspector, every 50 ms), and workerd's resident
// memory (all its processes), sampled every 50 ms, from a freshly started workerd with the tenant's object open
// (baseline) to its peak while scoring. Then the cost of rescoring one changed account (a ticket
// dated 20 days back, as a late CSAT or a late export brings): a whole scoring run for it, planned
// and sliced, timed from the start request to the end of its last step.
// Sizes: EBB_BENCH_SCORE_SIZES (default "1000,10000").

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { SCORE_SLICE_ACCOUNTS } from "../app/tenant/score-slice.ts";
import { demoStateDir, freePort, startLocalWorker } from "../cli/local-worker.ts";
import type { RecordBatch } from "../connectors/connector.ts";
import { addDays } from "../core/day.ts";
import { generateAccount } from "../core/generate/generate.ts";
import { planOf } from "../core/generate/life.ts";
import { emptyPortfolio, RECORD_KINDS } from "../core/model.ts";
import { DEFAULT_POLICY } from "../core/policy.ts";
import { descendants } from "../tests/support/processes.ts";

const SIZES = (process.env.EBB_BENCH_SCORE_SIZES ?? "1000,10000").split(",").map(Number);
const CONFIG = "bench/score-worker/wrangler.toml";
const PAGE_RECORDS = 4000;
const START = "2024-01-01";
const DAYS = 730;
const LAST_DAY = addDays(START, DAYS - 1);
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The V8 heap of the isolate that runs the Worker and its Durable Objects, through wrangler's
 * inspector (Chrome DevTools protocol): used bytes, asked every 50 ms (one question at a time).
 */
async function heapSampler(inspectorPort: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(targets[0]?.webSocketDebuggerUrl ?? "");
  await new Promise((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  let id = 0;
  const pending = new Map<number, (v: { usedSize: number; totalSize: number }) => void>();
  ws.on("message", (m) => {
    const msg = JSON.parse(String(m)) as {
      id?: number;
      result?: { usedSize: number; totalSize: number };
    };
    if (msg.id && msg.result) pending.get(msg.id)?.(msg.result);
    if (msg.id) pending.delete(msg.id);
  });
  const usage = () =>
    new Promise<{ usedSize: number; totalSize: number }>((ok) => {
      const i = ++id;
      pending.set(i, ok);
      ws.send(JSON.stringify({ id: i, method: "Runtime.getHeapUsage" }));
    });
  let peak = 0;
  let samples = 0;
  let asking = false;
  const timer = setInterval(() => {
    if (asking) return;
    asking = true;
    void usage().then((u) => {
      asking = false;
      samples++;
      peak = Math.max(peak, u.usedSize);
    });
  }, 50);
  return {
    usage,
    /** Peak used heap since `reset`, MB, and how many answers it is the peak of. */
    read: () => ({ peakMb: peak / 2 ** 20, samples }),
    reset: async () => {
      peak = (await usage()).usedSize;
      samples = 0;
    },
    close: () => {
      clearInterval(timer);
      ws.close();
    },
  };
}

/** wrangler dev runs workerd as more than one process: their resident memory together. */
const workerdRss = (wranglerPid: number) =>
  descendants(wranglerPid)
    .filter((p) => /workerd/.test(p.args))
    .reduce((mb, p) => mb + rssMb(p.pid), 0);

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { method: "POST", ...init });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

interface Step {
  more: boolean;
  accounts: number;
  records: number;
  ms?: { context: number; load: number; scoreAndStore: number };
}

/** One scoring run through `today`, a slice per request: wall time per step and in all. */
async function score(base: string, today: string) {
  const t0 = performance.now();
  await call(`${base}/start?tenant=bench&today=${today}`);
  const steps: { ms: number; accounts: number; records: number; inside?: Step["ms"] }[] = [];
  for (;;) {
    const s0 = performance.now();
    const step = await call<Step>(`${base}/step?tenant=bench`);
    steps.push({
      ms: performance.now() - s0,
      accounts: step.accounts,
      records: step.records,
      inside: step.ms,
    });
    if (!step.more) break;
  }
  return { ms: performance.now() - t0, steps };
}

async function load(base: string, accounts: number): Promise<{ records: number; ms: number }> {
  const t0 = performance.now();
  const o = { accounts, seed: 2026, start: START, days: DAYS };
  const plan = planOf(o);
  let page: RecordBatch = { ...emptyPortfolio(), deleted: [] };
  let inPage = 0;
  let pages = 0;
  let records = 0;
  const send = async (last: boolean) => {
    await call(`${base}/load?tenant=bench${pages === 0 ? "&begin=1" : ""}`, {
      body: JSON.stringify({ run: "load", page, last }),
      headers: { "content-type": "application/json" },
    });
    pages++;
    page = { ...emptyPortfolio(), deleted: [] };
    inPage = 0;
  };
  for (let i = 0; i < accounts; i++) {
    const g = generateAccount(o, i, plan);
    page.accounts.push(g.account);
    for (const kind of RECORD_KINDS) {
      if (kind === "accounts") continue;
      const rows = g[kind] as unknown[];
      (page[kind] as unknown[]).push(...rows);
      inPage += rows.length;
      records += rows.length;
    }
    if (inPage >= PAGE_RECORDS) await send(false);
    if (i % 1000 === 999) console.log(`  loaded ${fmt(i + 1)} accounts, ${fmt(records)} records`);
  }
  await send(true);
  return { records, ms: performance.now() - t0 };
}

/**
 * The settings preview as the admin route runs it: the backtest of the settings in force, then of
 * a draft, each a budgeted store step per request until done. Wall time in all, the longest step.
 */
async function preview(base: string, today: string, goingDark: number) {
  const draft = {
    ...DEFAULT_POLICY,
    weights: Object.fromEntries(
      Object.entries(DEFAULT_POLICY.weights).map(([stage, w]) => [
        stage,
        { ...w, going_dark: goingDark },
      ]),
    ),
  };
  const t0 = performance.now();
  let longest = 0;
  let steps = 0;
  const out: { tasks: number; falseAlarms: number }[] = [];
  for (const policy of [null, draft]) {
    for (;;) {
      const s0 = performance.now();
      const p = await call<{
        done: boolean;
        tasksLastQuarter?: number;
        report?: { falseAlarmsPerHealthyAccountYear: number };
      }>(`${base}/backtest?tenant=bench&today=${today}`, {
        body: JSON.stringify({ policy }),
        headers: { "content-type": "application/json" },
      });
      longest = Math.max(longest, performance.now() - s0);
      steps++;
      if (p.done) {
        out.push({
          tasks: p.tasksLastQuarter ?? 0,
          falseAlarms: p.report?.falseAlarmsPerHealthyAccountYear ?? 0,
        });
        break;
      }
    }
  }
  return { ms: performance.now() - t0, longest, steps, out };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const rows: string[][] = [];
const previews: string[] = [];
for (const size of SIZES) {
  console.log(`\nScoring in the Worker: ${fmt(size)} accounts × 2 years under wrangler dev`);
  const stateDir = demoStateDir(`bench-score-${size}`);
  const port = await freePort();
  let worker = await startLocalWorker({
    port,
    hubspotUrl: "http://127.0.0.1:9",
    stateDir,
    config: CONFIG,
  });
  let peak = 0;
  try {
    const loaded = await load(worker.url, size);
    console.log(`  loaded ${fmt(loaded.records)} records in ${fmt(loaded.ms / 1000, 1)} s`);
    // A fresh workerd on the loaded state: what it holds after opening the tenant's object is the
    // baseline; what scoring adds on top is the peak's excess over it.
    await worker.stop();
    worker = await startLocalWorker({
      port,
      hubspotUrl: "http://127.0.0.1:9",
      stateDir,
      config: CONFIG,
      keepState: true,
    });
    await fetch(`${worker.url}/overview?tenant=bench&today=${LAST_DAY}`, { method: "GET" });
    const heap = await heapSampler(worker.inspectorPort);
    const heapBefore = (await heap.usage()).usedSize / 2 ** 20;
    await heap.reset();
    const wranglerPid = worker.pid;
    const baseline = workerdRss(wranglerPid);
    peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, workerdRss(wranglerPid));
    }, 50);
    const full = await score(worker.url, LAST_DAY);
    clearInterval(sampler);
    peak = Math.max(peak, workerdRss(wranglerPid));
    const heapFull = heap.read();
    const scored = full.steps.filter((s) => s.accounts > 0);
    const longest = Math.max(...full.steps.map((s) => s.ms));
    console.log(
      `  full scoring: ${fmt(full.ms / 1000, 1)} s in ${fmt(scored.length)} slices; longest ${fmt(longest)} ms; isolate heap ${fmt(heapBefore, 1)} MB before, peak ${fmt(heapFull.peakMb, 1)} MB (${fmt(heapFull.samples)} samples); workerd RSS ${fmt(baseline)} → ${fmt(peak)} MB`,
    );
    await heap.reset();

    // The settings preview: cold (neither backtest cached), then another draft (the backtest of
    // the settings in force kept, the new draft's run).
    const cold = await preview(worker.url, addDays(LAST_DAY, 1), 0);
    const warm = await preview(worker.url, addDays(LAST_DAY, 1), 0.3);
    console.log(
      `  settings preview: ${fmt(cold.ms / 1000, 1)} s cold (${cold.steps} store steps, the longest ${fmt(cold.longest)} ms), ${fmt(warm.ms / 1000, 1)} s for a second draft (the settings in force already backtested); tasks last quarter ${cold.out.map((o) => o.tasks).join(" → ")}, false alarms ${cold.out.map((o) => o.falseAlarms.toFixed(3)).join(" → ")}`,
    );
    previews.push(
      `${fmt(size)} accounts: ${fmt(cold.ms / 1000, 1)} s cold, ${fmt(warm.ms / 1000, 1)} s warm, longest step ${fmt(cold.longest)} ms`,
    );

    // One changed account, five times over (five accounts), each a late ticket 20 days back.
    const one: number[] = [];
    const oneSteps: number[] = [];
    for (let k = 0; k < 5; k++) {
      const accountId = `acc-${String(1 + k * Math.floor(size / 5)).padStart(5, "0")}`;
      const ticket = {
        id: `bench-late-${k}`,
        accountId,
        createdAt: `${addDays(LAST_DAY, -20)}T10:00:00Z`,
        status: "solved" as const,
        tags: ["billing"],
        subject: "Invoice wrong again",
        text: "Third time this quarter the invoice is wrong; we are not happy.",
        satisfaction: "bad" as const,
      };
      await call(`${worker.url}/load?tenant=bench&begin=1`, {
        body: JSON.stringify({
          run: `late-${k}`,
          page: { ...emptyPortfolio(), deleted: [], tickets: [ticket] },
          last: true,
        }),
        headers: { "content-type": "application/json" },
      });
      const r = await score(worker.url, LAST_DAY);
      const accounts = r.steps.reduce((n, s) => n + s.accounts, 0);
      if (accounts !== 1) throw new Error(`one changed account planned ${accounts} accounts`);
      one.push(r.ms);
      oneSteps.push(Math.max(...r.steps.map((s) => s.ms)));
      const inside = r.steps.find((s) => s.accounts > 0)?.inside;
      if (inside)
        console.log(
          `    run ${k + 1}: ${fmt(r.ms, 1)} ms; inside its slice: context ${inside.context} ms, records ${inside.load} ms, scoring and storing ${inside.scoreAndStore} ms`,
        );
    }
    const heapOne = heap.read();
    heap.close();
    console.log(
      `  one changed account: ${fmt(median(one), 1)} ms a run (median of 5; its slice ${fmt(median(oneSteps), 1)} ms); isolate heap peak ${fmt(heapOne.peakMb, 1)} MB`,
    );
    // What a slice needs where V8 collects under a cap: the smallest heap cap it completes in.
    let fits = 0;
    for (const cap of [64, 48, 40, 32, 24]) {
      const run = spawnSync(
        process.execPath,
        [`--max-old-space-size=${cap}`, "--import", "tsx", "bench/slice-heap.ts", String(size)],
        { encoding: "utf8" },
      );
      if (run.status !== 0) break;
      fits = cap;
    }
    console.log(
      `  a slice of ${SCORE_SLICE_ACCOUNTS} accounts scores within a ${fits ? `${fits} MB` : "no tried"} heap cap (Node, bench/slice-heap.ts)`,
    );
    rows.push([
      fmt(size),
      fmt(loaded.records),
      fits ? `≤ ${fits}` : "> 64",
      fmt(heapFull.peakMb, 1),
      fmt(peak - baseline),
      `${fmt(baseline)} → ${fmt(peak)}`,
      fmt(longest),
      fmt(full.ms / 1000, 1),
      fmt(scored.length),
      fmt(median(one), 1),
    ]);
  } finally {
    await worker.stop();
  }
}

console.log(
  "\n| accounts | records | heap cap a slice scores in, MB | isolate heap between slices, peak MB | RSS added while scoring, MB | workerd RSS, MB | longest invocation, ms | full scoring, s | slices | one changed account, ms |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
for (const p of previews) console.log(`settings preview (two backtests), ${p}`);
