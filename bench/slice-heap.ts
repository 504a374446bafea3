// What one scoring slice needs in memory, measured where V8 collects under a cap, as a Durable
// Object's 128 MB forces it to (wrangler dev enforces no cap: its isolate's heap grows with
// uncollected garbage). Run as `node --max-old-space-size=<MB> --import tsx bench/slice-heap.ts
// <accounts>`: the tenant's portfolio context is added up account by account (only its aggregates
// are kept), then three slices (of the store's slice size) are scored from their records as the store holds them
// (one JSON text per record, made afresh for each slice, as the store's query returns them),
// writing every snapshot, task and state out as text. It completes
// only if a slice fits the cap. worker-score.bench.ts runs it with lower and lower caps.
import { SCORE_SLICE_ACCOUNTS } from "../app/tenant/score-slice.ts";
import { toDayString } from "../core/day.ts";
import { rescoreAccounts } from "../core/engine.ts";
import { factsOf } from "../core/facts.ts";
import { generateAccount } from "../core/generate/generate.ts";
import { planOf } from "../core/generate/life.ts";
import { groupByAccount } from "../core/grouping.ts";
import { emptyPortfolio, RECORD_KINDS, type RecordKind } from "../core/model.ts";
import { ContextBuilder } from "../core/portfolio.ts";

const ACCOUNTS = Number(process.argv[2] ?? 1000);
const SLICE = Number(process.argv[3] ?? SCORE_SLICE_ACCOUNTS);
const SLICES = 3;
const o = { accounts: ACCOUNTS, seed: 2026, start: "2024-01-01", days: 730 };
const plan = planOf(o);
const builder = new ContextBuilder();
for (let i = 0; i < ACCOUNTS; i++) {
  const g = generateAccount(o, i, plan);
  const p = emptyPortfolio();
  p.accounts.push(g.account);
  for (const kind of RECORD_KINDS)
    if (kind !== "accounts") (p[kind] as unknown[]).push(...(g[kind] as unknown[]));
  for (const r of groupByAccount(p).groups) builder.add(factsOf(r));
}
/** A slice's records as the store's query hands them over: one JSON text per record. */
function rowsOf(first: number): { kind: RecordKind; text: string }[] {
  const rows: { kind: RecordKind; text: string }[] = [];
  for (let i = first; i < first + SLICE; i++) {
    const g = generateAccount(o, i, plan);
    rows.push({ kind: "accounts", text: JSON.stringify(g.account) });
    for (const kind of RECORD_KINDS)
      if (kind !== "accounts")
        for (const r of g[kind] as unknown[]) rows.push({ kind, text: JSON.stringify(r) });
  }
  return rows;
}
const ctx = builder.finish();
const to = toDayString(ctx.lastDay);
const before = process.memoryUsage().heapUsed;
let peak = before;
let written = 0;
for (let s = 0; s < SLICES; s++) {
  const first = Math.floor((s * ACCOUNTS) / SLICES);
  let rows: { kind: RecordKind; text: string }[] | undefined = rowsOf(first);
  const p = emptyPortfolio();
  for (const row of rows) (p[row.kind] as unknown[]).push(JSON.parse(row.text));
  rows = undefined;
  const slice = p.accounts.map((a) => a.id);
  const out: string[] = [];
  rescoreAccounts(
    p,
    slice.map((accountId) => ({ accountId })),
    { to },
    {
      snapshot: (x) => {
        out.push(JSON.stringify(x));
        if (out.length % 2000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
      task: (t) => out.push(JSON.stringify(t)),
      accountDone: (_, st) => out.push(JSON.stringify(st)),
    },
    ctx,
  );
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  written += out.length;
}
console.log(
  JSON.stringify({
    accounts: ACCOUNTS,
    slices: SLICES,
    written,
    heapBeforeMb: before / 2 ** 20,
    heapPeakMb: peak / 2 ** 20,
  }),
);
