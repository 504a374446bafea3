// The Worker end to end under `wrangler dev` (workerd, local D1, Durable Objects, queue): install
// and a full first sync → score → writeback of 1,000 accounts × two years from the HubSpot sandbox
// at HubSpot's limits; then the card endpoint's latency under 200 signed requests per second from
// an open-loop local load generator (requests leave on schedule whether or not earlier ones ended).

import { appendFileSync } from "node:fs";
import { startLocalDemo } from "../cli/local-demo.ts";
import { freePort } from "../cli/local-worker.ts";
import { signHubSpotRequest } from "../connectors/hubspot/verify.ts";

const ACCOUNTS = Number(process.env.EBB_BENCH_WORKER_ACCOUNTS ?? 1000);
const RATE = Number(process.env.EBB_BENCH_CARD_RPS ?? 200);
const SECONDS = Number(process.env.EBB_BENCH_CARD_SECONDS ?? 15);
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

console.log(`\nWorker bench: ${ACCOUNTS} accounts × 2 years through wrangler dev\n`);
const demo = await startLocalDemo({
  accounts: ACCOUNTS,
  seed: 2026,
  port: await freePort(),
  stateName: "bench-state",
  log: () => {},
  ...(process.env.EBB_BENCH_WORKER_LOG
    ? {
        workerLog: (l: string) =>
          appendFileSync(process.env.EBB_BENCH_WORKER_LOG as string, `${l}\n`),
      }
    : {}),
});
try {
  const s = demo.status;
  const sync = s.syncs[0];
  const calls = demo.sandbox.state.calls;
  const api = calls.filter((c) => c.path.startsWith("/crm"));
  const pulled = sync?.records ?? 0;
  const detail = sync as typeof sync & {
    store_ms?: number;
    run_started_at?: number;
    last_page_at?: number;
  };
  const storeSeconds = (detail?.store_ms ?? 0) / 1000;
  const pullSeconds = ((detail?.last_page_at ?? 0) - (detail?.run_started_at ?? 0)) / 1000;
  const score = s.lastScore;
  const rows: [string, string][] = [
    ["wrangler dev up (migrations, workerd)", `${fmt(demo.timings.startMs / 1000, 1)} s`],
    ["install (OAuth through the sandbox)", `${fmt(demo.timings.installMs)} ms`],
    ["sync → score → writeback, wall", `${fmt(demo.timings.syncMs / 1000, 1)} s`],
    [
      "429s by kind of call",
      `${fmt(api.filter((c) => c.status === 429 && c.path.endsWith("/search")).length)} search, ${fmt(api.filter((c) => c.status === 429 && !c.path.endsWith("/search")).length)} other`,
    ],
    [
      "HubSpot API calls (reads + writes)",
      `${fmt(api.length)} (${fmt(api.filter((c) => c.method !== "GET" && !c.path.endsWith("/search") && !c.path.endsWith("/batch/read")).length)} writes), ${fmt(demo.sandbox.limitHits)} refused by the rate limit`,
    ],
    ["records stored in the tenant store", `${fmt(pulled)} rows in ${fmt(sync?.pages ?? 0)} pages`],
    [
      "pull phase (paced by HubSpot's limits)",
      `${fmt(pullSeconds, 1)} s, ${fmt(pulled / Math.max(pullSeconds, 0.001))} records/s`,
    ],
    [
      "store writes (upserts + cursor, one transaction a page)",
      `${fmt(storeSeconds, 2)} s in store calls: ${fmt(pulled / Math.max(storeSeconds, 0.001))} rows/s`,
    ],
    [
      "rescoring (first, full history)",
      score
        ? `${fmt(score.accounts)} accounts, ${fmt(score.account_days)} account-days in ${fmt(score.ms)} ms (${fmt(score.account_days / (score.ms / 1000))} account-days/s), ${fmt(score.rows_written)} rows written`
        : "–",
    ],
  ];
  for (const [k, v] of rows) console.log(`  ${k.padEnd(46)} ${v}`);

  // Card latency, signed as hubspot.fetch signs, over the companies of the portal.
  const companies = [...demo.sandbox.state.objects.companies.keys()];
  const portal = "4000001";
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = companies[i % companies.length];
    const path = `/hubspot/card?objectId=${id}&portalId=${portal}`;
    const sig = await signHubSpotRequest(
      { method: "GET", uri: `${demo.worker.url}${path}`, body: "" },
      "sandbox-secret",
      Date.now(),
    );
    inflight.push(
      (async () => {
        const t = performance.now();
        try {
          const res = await fetch(`${demo.worker.url}${path}`, {
            headers: {
              "x-hubspot-signature-v3": sig.signature,
              "x-hubspot-request-timestamp": sig.timestamp,
            },
          });
          await res.arrayBuffer();
          if (res.status !== 200) failures++;
        } catch {
          failures++;
        }
        // Latency from when the request was due, so a stalled generator cannot hide queueing.
        latencies.push(performance.now() - Math.min(t, due));
      })(),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  console.log(
    `  ${"card endpoint".padEnd(46)} ${fmt(total)} requests at ${RATE}/s offered (${fmt(total / elapsed, 1)}/s achieved): p50 ${fmt(q(0.5), 1)} ms, p99 ${fmt(q(0.99), 1)} ms, max ${fmt(q(1), 1)} ms, ${failures} failed`,
  );
} finally {
  await demo.stop();
}
