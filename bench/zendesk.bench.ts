// Zendesk connector figures, at Zendesk's limits (the plan's 700 requests a minute in the sandbox,
// Ebb's budget of 200; the exports' 10 a minute, 1,000 a page): API calls for a full pull of 1,000
// accounts × two years against the fewest the page sizes allow, whether those records score exactly
// like the generator's files, an incremental pull after 1% of tickets changed, a writeback with
// nothing changed, and the pull's request rate with the 429s it caused itself.
import { isDeepStrictEqual } from "node:util";
import type { AccountChange } from "../connectors/connector.ts";
import { ZENDESK_LIMITS } from "../connectors/zendesk/client.ts";
import { pullZendesk, type ZendeskCursor } from "../connectors/zendesk/pull.ts";
import { ensureZendeskSetup, pushZendesk } from "../connectors/zendesk/push.ts";
import { seedAccount } from "../connectors/zendesk/sandbox/seed.ts";
import { startZendeskSandbox } from "../connectors/zendesk/sandbox/server.ts";
import { DEFAULT_SETTINGS } from "../connectors/zendesk/settings.ts";
import { scorePortfolio } from "../core/engine.ts";
import { generatePortfolio } from "../core/generate/generate.ts";
import type { HealthSnapshot, Portfolio } from "../core/model.ts";
import { applyPages, toPortfolio } from "../tests/support/hubspot.ts";
import { zendeskContext, zendeskPart, zendeskTranslator } from "../tests/support/zendesk.ts";

const ACCOUNTS = Number(process.env.EBB_BENCH_ZENDESK_ACCOUNTS ?? 1000);
const fmt = (n: number) => n.toLocaleString("en-US");

const { portfolio } = generatePortfolio({ accounts: ACCOUNTS, seed: 2027, days: 730 });
// The sandbox's clock runs with the real one; the incremental step moves it a minute on.
let offset = 0;
const now = () => Date.now() + offset;
const seeded = seedAccount(portfolio, DEFAULT_SETTINGS, now() - 5 * 60_000);
const sandbox = await startZendeskSandbox({ state: seeded.state, now, jobMs: 500 });
const ctx = { ...zendeskContext(sandbox, ZENDESK_LIMITS), now };
const counts = {
  organizations: seeded.state.organizations.size,
  users: seeded.state.users.size,
  tickets: seeded.state.tickets.size,
};
console.log(
  `Zendesk sandbox: ${fmt(ACCOUNTS)} accounts — ${fmt(counts.organizations)} organizations, ${fmt(counts.users)} users, ${fmt(counts.tickets)} tickets`,
);
console.log(
  "limits enforced: 700 requests a minute (Ebb budgets 200), incremental exports 10 a minute, 1,000 items a page",
);

const store = new Map<string, Map<string, unknown>>();
async function pass(from: ZendeskCursor | undefined) {
  let cursor = from;
  for await (const page of pullZendesk(ctx, DEFAULT_SETTINGS, from)) {
    applyPages(store, page);
    cursor = page.cursor;
  }
  return cursor;
}

const t0 = Date.now();
const calls0 = sandbox.state.calls.length;
const cursor = await pass(undefined);
const fullMs = Date.now() - t0;
const full = sandbox.state.calls.slice(calls0).filter((c) => c.path.startsWith("/api/"));
const ceil = (n: number) => Math.max(1, Math.ceil(n / 1000));
const minimum = ceil(counts.organizations) + ceil(counts.users) + ceil(counts.tickets);
const selfCaused = sandbox.limitHits;
const perMinute = full.length / (fullMs / 60_000);
console.log(
  `full pull: ${fmt(full.length)} calls (minimum ${fmt(minimum)} at 1,000 a page; ${((full.length / minimum - 1) * 100).toFixed(1)}% over) in ${(fullMs / 1000).toFixed(1)} s — ${perMinute.toFixed(1)} calls a minute on average (the sliding window lets the first 10 go at once, then 10 a minute); ${selfCaused} self-caused 429s`,
);

// Scored, the pulled records give exactly the generator's snapshots.
const score = (p: Portfolio) => {
  const out: HealthSnapshot[] = [];
  scorePortfolio(p, {}, { snapshot: (s) => out.push(s) });
  return out.sort((a, b) =>
    a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.day < b.day ? -1 : 1,
  );
};
const translate = zendeskTranslator(seeded.ids);
const expected = score(zendeskPart(portfolio)).map(translate);
const actual = score(toPortfolio(store));
expected.sort((a, b) =>
  a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.day < b.day ? -1 : 1,
);
// Compared one snapshot at a time: the whole portfolio's snapshots are too long for one string.
const same =
  actual.length === expected.length && actual.every((s, k) => isDeepStrictEqual(s, expected[k]));
console.log(
  `scored: ${fmt(actual.length)} snapshots, ${same ? "exactly" : "NOT"} the generator's files' ${fmt(expected.length)}`,
);

// 1% of tickets change; a minute later (the export leaves the last minute out) the next pass reads them.
const changed = [...seeded.state.tickets.keys()].filter((_, k) => k % 100 === 0);
for (const id of changed)
  seeded.state.touchTicket(id, Math.floor(now() / 1000), (t) => {
    t.status = "solved";
  });
offset += 61_000;
const calls1 = sandbox.state.calls.length;
await pass(cursor);
const incremental = sandbox.state.calls.slice(calls1).filter((c) => c.path.startsWith("/api/"));
console.log(
  `incremental pull after ${fmt(changed.length)} tickets (1%) changed: ${incremental.length} calls`,
);

// Writeback: every organization once, then again with nothing changed.
await ensureZendeskSetup(ctx);
const snapshots = new Map(actual.map((s) => [s.accountId, s]));
const changes: AccountChange[] = [...seeded.state.organizations.keys()].flatMap((id) => {
  const s = snapshots.get(`zd-org-${id}`);
  return s ? [{ externalId: String(id), snapshot: s, tasks: [] }] : [];
});
const first = await pushZendesk(ctx, changes);
const calls2 = sandbox.state.calls.length;
const again = await pushZendesk(
  ctx,
  changes.map((c) => ({ ...c, lastWritten: first.written[c.externalId] ?? {} })),
);
console.log(
  `writeback: first ${first.writeCalls} write calls for ${fmt(first.updatedRecords)} organizations (${Math.ceil(changes.length / 100)} update_many jobs + tag changes), ${first.failures.length} failures; nothing changed: ${again.writeCalls} write calls, ${sandbox.state.calls.length - calls2} calls in all`,
);
await sandbox.close();
