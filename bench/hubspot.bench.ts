// HubSpot connector figures: API calls for a full pull of 1,000 accounts × two years against the
// minimum HubSpot's page sizes allow, an incremental pull after 1% of records changed, a writeback
// where nothing changed, and the pull's request rate against the sandbox's enforced limits.

import type { AccountChange } from "../connectors/connector.ts";
import { type HubSpotCursor, pullHubSpot } from "../connectors/hubspot/pull.ts";
import { ensureHubSpotSetup, pushHubSpot } from "../connectors/hubspot/push.ts";
import { seedPortal } from "../connectors/hubspot/sandbox/seed.ts";
import { startHubSpotSandbox } from "../connectors/hubspot/sandbox/server.ts";
import { OBJECT_TYPES } from "../connectors/hubspot/sandbox/state.ts";
import { DEFAULT_SETTINGS } from "../connectors/hubspot/settings.ts";
import { scorePortfolio } from "../core/engine.ts";
import { generatePortfolio } from "../core/generate/generate.ts";
import type { HealthSnapshot } from "../core/model.ts";
import {
  applyPages,
  hubspotBudget,
  sandboxContext,
  toPortfolio,
  translator,
} from "../tests/support/hubspot.ts";

const ACCOUNTS = Number(process.env.EBB_BENCH_HUBSPOT_ACCOUNTS ?? 1000);
const fmt = (n: number) => n.toLocaleString("en-US");

const { portfolio } = generatePortfolio({ accounts: ACCOUNTS, seed: 2026, days: 730 });
const seeded = seedPortal(portfolio, DEFAULT_SETTINGS, new Date(Date.now() - 3_600_000));
const sandbox = await startHubSpotSandbox({ state: seeded.state });
const ctx = sandboxContext(sandbox, hubspotBudget());

const counts = Object.fromEntries(
  OBJECT_TYPES.map((t) => [t, sandbox.state.objects[t].size]),
) as Record<(typeof OBJECT_TYPES)[number], number>;
const ceil = (n: number, per: number) => Math.max(1, Math.ceil(n / per));
/**
 * The fewest calls a full pull can make, given which lane read each type (search: 200 a page, the
 * list endpoint: 100 a page; companies: 100 a search page plus usage history 50 a call).
 */
function minimumCalls(listed: ReadonlySet<string>): number {
  let n = 1; // owners
  for (const t of OBJECT_TYPES) {
    const per = t === "companies" ? 100 : listed.has(t) ? 100 : 200;
    n += ceil(counts[t], per);
  }
  n += ceil(counts.companies, 50); // usage history batch reads (50 a call with history)
  n += ceil(counts.contacts, 1000); // contact → company
  for (const t of OBJECT_TYPES)
    if (t !== "companies" && t !== "contacts") n += 2 * ceil(counts[t], 1000); // → company, → contact
  return n + 7; // one archived listing per type that can be deleted
}

console.log(
  `HubSpot sandbox: ${fmt(ACCOUNTS)} accounts, ${Object.entries(counts)
    .map(([t, n]) => `${fmt(n)} ${t}`)
    .join(", ")}`,
);
console.log(
  "limits enforced: 110 requests per 10 s (search and association batches exempt), search 5 per second, association batches 110 per 10 s of their own, 200 per search page, 10,000 per query",
);

const store = new Map<string, Map<string, unknown>>();
let cursor: HubSpotCursor | undefined;
let start = performance.now();
for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, undefined)) {
  applyPages(store, page);
  cursor = page.cursor;
}
const fullSeconds = (performance.now() - start) / 1000;
const fullCalls = sandbox.state.calls.filter((c) => c.path !== "/oauth/2026-03/token");
const listedTypes = new Set(
  fullCalls
    .filter(
      (c) =>
        c.method === "GET" &&
        /^\/crm\/v3\/objects\/[a-z]+$/.test(c.path) &&
        !(c.query ?? "").includes("archived=true"),
    )
    .map((c) => c.path.split("/")[4] ?? ""),
);
const minimum = minimumCalls(listedTypes);
const searches = fullCalls.filter((c) => c.path.endsWith("/search")).length;
const associationCalls = fullCalls.filter((c) => c.path.startsWith("/crm/v4/associations/")).length;
const otherCalls = fullCalls.length - searches - associationCalls;
const rate = fullCalls.length / fullSeconds;
// The shortest time the limits allow for this mix of calls, each budget spent in parallel:
// searches ≤ 5/s, association batches ≤ 11/s, everything else ≤ 11/s.
const floorSeconds = Math.max(searches / 5, associationCalls / 11, otherCalls / 11);
const allowed = fullCalls.length / floorSeconds;
console.log("");
console.log(
  `full pull:        ${fmt(fullCalls.length)} calls (minimum for these page sizes: ${fmt(minimum)}; +${(((fullCalls.length - minimum) / minimum) * 100).toFixed(1)}%), ${fullSeconds.toFixed(0)} s; listed (not searched): ${[...listedTypes].join(", ")}`,
);
console.log(
  `request rate:     ${rate.toFixed(2)} calls/s against ${allowed.toFixed(2)} allowed for this mix (${((rate / allowed) * 100).toFixed(0)}%; floor ${floorSeconds.toFixed(0)} s), ${searches} searches, ${associationCalls} association batches, ${otherCalls} others; 429s caused by our pacing: ${sandbox.limitHits}`,
);

const refused = fullCalls.filter((c) => c.status === 429);
if (refused.length)
  console.log(
    `429s:             ${refused.map((c) => `${c.method} ${c.path} at ${((c.at - (fullCalls[0]?.at ?? 0)) / 1000).toFixed(2)} s`).join("; ")}`,
  );

// Same snapshots as scoring the generator's own files.
const pulled = toPortfolio(store);
const translate = translator(seeded.ids);
const milestoneIds = new Set(portfolio.milestones.map((m) => m.id));
const key = (s: HealthSnapshot) => `${s.accountId}|${s.day}`;
const expected = new Map<string, string>();
scorePortfolio(
  portfolio,
  {},
  {
    snapshot: (s) =>
      expected.set(key(translate(s, milestoneIds)), JSON.stringify(translate(s, milestoneIds))),
  },
);
let same = 0;
let differ = 0;
let lastDay = new Map<string, HealthSnapshot>();
scorePortfolio(
  pulled,
  {},
  {
    snapshot: (s) => {
      if (expected.get(key(s)) === JSON.stringify(s)) same++;
      else differ++;
      lastDay.set(s.accountId, s);
    },
  },
);
console.log(
  `round trip:       ${fmt(same)} snapshots identical to scoring the generator's files, ${fmt(differ)} different, ${fmt(expected.size - same)} missing`,
);

// Incremental: 1% of all records change.
const all = OBJECT_TYPES.flatMap((t) =>
  [...sandbox.state.objects[t].keys()].map((id) => [t, id] as const),
);
const changed = all.filter((_, k) => k % 100 === 0);
for (const [t, id] of changed)
  sandbox.state.update(t, id, { ebb_bench_touch: String(Date.now()) }, new Date());
const before = sandbox.state.calls.length;
start = performance.now();
for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, cursor)) applyPages(store, page);
const incCalls = sandbox.state.calls
  .slice(before)
  .filter((c) => c.path !== "/oauth/2026-03/token").length;
console.log(
  `incremental pull: ${fmt(incCalls)} calls after ${fmt(changed.length)} of ${fmt(all.length)} records (1%) changed = ${((incCalls / fullCalls.length) * 100).toFixed(1)}% of the full pull's calls, ${((performance.now() - start) / 1000).toFixed(1)} s`,
);

// Writeback: the last day's scores for every company, then the same again.
const changes: AccountChange[] = [...lastDay.values()].map((s) => ({
  externalId: s.accountId.replace("hs-company-", ""),
  snapshot: s,
  tasks: [],
}));
await ensureHubSpotSetup(ctx);
const first = await pushHubSpot(ctx, changes);
const second = await pushHubSpot(
  ctx,
  changes.map((c) => ({ ...c, lastWritten: first.written[c.externalId] })),
);
console.log(
  `writeback:        first ${fmt(first.writeCalls)} write calls for ${fmt(first.updatedRecords)} companies; again with nothing changed: ${second.writeCalls} write calls`,
);
lastDay = new Map();
await sandbox.close();
