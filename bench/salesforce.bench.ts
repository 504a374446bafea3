// Salesforce connector figures, against the sandbox org (2,000-row query batches, the daily
// allocation counted and reported in Sforce-Limit-Info): API calls for a full pull of 1,000 accounts
// × two years against the fewest 2,000-row pages allow, whether those records score exactly like
// the generator's files (with outcomes from renewal opportunities), an incremental pull after 1% of
// cases and tasks changed, a writeback and the same writeback with nothing changed, and the share
// of a 100,000-call daily allocation one day of syncing uses.
import { isDeepStrictEqual } from "node:util";
import type { AccountChange } from "../connectors/connector.ts";
import { createAllowance } from "../connectors/limits.ts";
import { pullSalesforce, type SalesforceCursor } from "../connectors/salesforce/pull.ts";
import { ensureSalesforceSetup, pushSalesforce } from "../connectors/salesforce/push.ts";
import { seedOrg } from "../connectors/salesforce/sandbox/seed.ts";
import { startSalesforceSandbox } from "../connectors/salesforce/sandbox/server.ts";
import { DEFAULT_SETTINGS } from "../connectors/salesforce/settings.ts";
import { scorePortfolio } from "../core/engine.ts";
import { generatePortfolio } from "../core/generate/generate.ts";
import type { HealthSnapshot, Portfolio } from "../core/model.ts";
import { applyPages, toPortfolio } from "../tests/support/hubspot.ts";
import {
  salesforceContext,
  salesforcePart,
  salesforceTranslator,
} from "../tests/support/salesforce.ts";

const ACCOUNTS = Number(process.env.EBB_BENCH_SALESFORCE_ACCOUNTS ?? 1000);
/** wrangler.toml's cron: a sync of every connection every 15 minutes. */
const PASSES_A_DAY = 96;
const fmt = (n: number) => n.toLocaleString("en-US");

const { portfolio } = generatePortfolio({ accounts: ACCOUNTS, seed: 2027, days: 730 });
let offset = 0;
const now = () => Date.now() + offset;
const seeded = seedOrg(portfolio, DEFAULT_SETTINGS, now() - 5 * 60_000);
const sandbox = await startSalesforceSandbox({ state: seeded.state, now });
const allowance = createAllowance({ share: 0.1, windowMs: 86_400_000 });
const ctx = salesforceContext(sandbox, { allowance, now });
const rows = Object.fromEntries(
  ["Account", "Contact", "ContactHistory", "Case", "Task", "Event", "Opportunity"].map((o) => [
    o,
    seeded.state.table(o).size,
  ]),
);
console.log(
  `Salesforce sandbox: ${fmt(ACCOUNTS)} accounts — ${Object.entries(rows)
    .map(([o, n]) => `${fmt(n)} ${o}`)
    .join(", ")}; allocation ${fmt(sandbox.allocation.max)} calls a day, Ebb's share 10%`,
);

const store = new Map<string, Map<string, unknown>>();
const api = () => sandbox.state.calls.filter((c) => c.path.startsWith("/services/data/")).length;
async function pass(from: SalesforceCursor | undefined) {
  let cursor = from;
  for await (const page of pullSalesforce(ctx, DEFAULT_SETTINGS, from)) {
    applyPages(store, page);
    cursor = page.cursor;
  }
  return cursor;
}

const t0 = Date.now();
const cursor = await pass(undefined);
const fullMs = Date.now() - t0;
const fullCalls = api();
const minimum = Object.values(rows).reduce((n, r) => n + Math.max(1, Math.ceil(r / 2000)), 0);
console.log(
  `full pull: ${fmt(fullCalls)} calls (minimum ${fmt(minimum)} at 2,000 rows a page; ${((fullCalls / minimum - 1) * 100).toFixed(1)}% over) in ${(fullMs / 1000).toFixed(1)} s`,
);

const byKey = (a: HealthSnapshot, b: HealthSnapshot) =>
  a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.day < b.day ? -1 : 1;
const score = (p: Portfolio) => {
  const out: HealthSnapshot[] = [];
  scorePortfolio(p, {}, { snapshot: (s) => out.push(s) });
  return out.sort(byKey);
};
const translate = salesforceTranslator(seeded.ids);
const expected = score(salesforcePart(portfolio)).map(translate).sort(byKey);
const pulled = toPortfolio(store);
const actual = score(pulled);
const same =
  actual.length === expected.length && actual.every((s, k) => isDeepStrictEqual(s, expected[k]));
const churned = new Set(
  portfolio.outcomes.filter((o) => o.kind === "churned").map((o) => o.accountId),
);
const pulledChurned = new Set(
  pulled.outcomes.filter((o) => o.kind === "churned").map((o) => o.accountId),
);
console.log(
  `scored: ${fmt(actual.length)} snapshots, ${same ? "exactly" : "NOT"} the generator's files' ${fmt(expected.length)}; churned accounts from closed-lost renewals: ${fmt(pulledChurned.size)} (the generator's: ${fmt(churned.size)})`,
);

// 1% of cases and tasks change; a minute later (a pass leaves the last minute) the next pass reads them.
let touched = 0;
for (const object of ["Case", "Task"]) {
  const ids = [...seeded.state.table(object).keys()].filter((_, k) => k % 100 === 0);
  for (const id of ids) seeded.state.update(object, id, { Description: "Changed" }, now());
  touched += ids.length;
}
offset += 61_000;
const calls1 = api();
const next = await pass(cursor);
const incremental = api() - calls1;
console.log(
  `incremental pull after ${fmt(touched)} cases and tasks (1%) changed: ${incremental} calls`,
);
offset += 61_000;
const calls2 = api();
await pass(next);
const quiet = api() - calls2;
console.log(
  `incremental pull with nothing changed: ${quiet} calls (one query per object, and one for contacts' moves)`,
);

// Writeback: every account's latest health (with its 90-day series) once, then nothing changed.
await ensureSalesforceSetup(ctx);
const latest = new Map<string, HealthSnapshot>();
const series = new Map<string, { day: string; score: number }[]>();
for (const s of actual) {
  latest.set(s.accountId, s);
  const list = series.get(s.accountId) ?? [];
  list.push({ day: s.day, score: s.score });
  if (list.length > 90) list.shift();
  series.set(s.accountId, list);
}
const changes: AccountChange[] = [...seeded.state.table("Account").keys()].flatMap((id) => {
  const s = latest.get(`sf-account-${id}`);
  return s
    ? [{ externalId: id, snapshot: s, series: series.get(`sf-account-${id}`) ?? [], tasks: [] }]
    : [];
});
const first = await pushSalesforce(ctx, changes);
const calls3 = api();
const again = await pushSalesforce(
  ctx,
  changes.map((c) => ({ ...c, lastWritten: first.written[c.externalId] ?? {} })),
);
console.log(
  `writeback: first ${first.writeCalls} calls for ${fmt(first.updatedRecords)} accounts (200 a call), ${first.failures.length} failures; nothing changed: ${again.writeCalls} write calls, ${api() - calls3} calls in all`,
);
// After a writeback every account's SystemModstamp moved: the next pass reads them again (once).
offset += 61_000;
const calls4 = api();
await pass(next);
const afterWrite = api() - calls4;

// One day of syncing this org: a pass every 15 minutes, one a day after a writeback reads the
// accounts again, and the day's writeback (every score changes once a day: the first's calls).
const day = (PASSES_A_DAY - 1) * quiet + afterWrite + first.writeCalls;
console.log(
  `one day of syncing (${PASSES_A_DAY} passes, one after the day's writeback, and the writeback): ${fmt(day)} calls = ${((day / 100_000) * 100).toFixed(2)}% of a 100,000-call daily allocation (Ebb's cap: 10%); the install day adds the full pull: ${fmt(day + fullCalls)} calls = ${(((day + fullCalls) / 100_000) * 100).toFixed(2)}%`,
);
console.log(
  `allowance as the gate keeps it: ${fmt(allowance.usage(now()).calls)} calls made of ${fmt(allowance.usage(now()).allowed ?? 0)} allowed; the org reports ${fmt(sandbox.allocation.used())} used`,
);
await sandbox.close();
