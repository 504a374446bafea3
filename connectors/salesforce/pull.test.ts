// A full pull of a generated portfolio through the Salesforce sandbox, with jsforce, scores exactly
// like the generator's own files and gives its outcomes from renewal opportunities; the same pull
// under every fault, across page edges inside one SystemModstamp, and killed and resumed at every
// page, ends with exactly the same records; an incremental pass reads only changes; and with the
// daily allocation nearly spent Ebb stops at its share and resumes later with nothing lost.
import { afterEach, describe, expect, it } from "vitest";
import { scorePortfolio } from "../../core/engine.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot, Portfolio } from "../../core/model.ts";
import { bySnapshotKey } from "../../tests/builders.ts";
import { applyPages } from "../../tests/support/hubspot.ts";
import {
  pullInto,
  salesforceContext,
  salesforcePart,
  salesforceTranslator,
} from "../../tests/support/salesforce.ts";
import { ConnectorError } from "../errors.ts";
import { createAllowance } from "../limits.ts";
import { pullSalesforce, type SalesforceCursor } from "./pull.ts";
import { seedOrg } from "./sandbox/seed.ts";
import {
  type FaultKind,
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "./sandbox/server.ts";
import { SalesforceSettings } from "./settings.ts";

let sandbox: SalesforceSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function score(p: Portfolio): HealthSnapshot[] {
  const out: HealthSnapshot[] = [];
  scorePortfolio(p, {}, { snapshot: (s) => out.push(s) });
  return out.sort(bySnapshotKey);
}

const portfolio = generatePortfolio({ accounts: 12, seed: 31, days: 200 }).portfolio;
const settings = SalesforceSettings.parse({ pageSize: 200 });

/** Every record of a pull, sorted, for comparing two pulls. */
const contents = (store: Map<string, Map<string, unknown>>) =>
  [...store.entries()]
    .map(([kind, m]) => [kind, [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));

/** Pull as the Worker does: store each page with its cursor; a failure leaves what was stored. */
async function pullSaving(
  ctx: Parameters<typeof pullSalesforce>[0],
  from: SalesforceCursor | undefined,
  store: Map<string, Map<string, unknown>>,
) {
  let cursor = from;
  try {
    for await (const page of pullSalesforce(ctx, settings, from)) {
      applyPages(store, page);
      cursor = JSON.parse(JSON.stringify(page.cursor)) as SalesforceCursor;
      if (page.done) return { cursor, done: true as const };
    }
    return { cursor, done: false as const };
  } catch (error) {
    return { cursor, done: false as const, error };
  }
}

const queries = (s: SalesforceSandbox) =>
  s.state.calls.filter((c) => c.path.includes("/services/data/"));

describe("Salesforce pull", () => {
  it("gives exactly the snapshots the generator's own files give, and its outcomes from renewals", async () => {
    const seeded = seedOrg(portfolio);
    sandbox = await startSalesforceSandbox({ state: seeded.state });
    const run = await pullInto(salesforceContext(sandbox), settings, undefined);
    expect(run.done).toBe(true);
    const pulled = run.portfolio();
    expect(pulled.accounts).toHaveLength(12);
    expect(pulled.stakeholders).toHaveLength(portfolio.stakeholders.length);
    expect(pulled.tickets).toHaveLength(portfolio.tickets.length);
    expect(pulled.engagements).toHaveLength(portfolio.engagements.length);
    const translate = salesforceTranslator(seeded.ids);
    const expected = score(salesforcePart(portfolio)).map(translate).sort(bySnapshotKey);
    const actual = score(pulled);
    expect(actual.length).toBe(expected.length);
    expect(actual).toEqual(expected);
    // Outcomes come from closed renewal opportunities (not the new-business one), renewal dates
    // from the next open one.
    const key = (o: { accountId: string; kind: string; at: string }) =>
      `${o.accountId}/${o.kind}/${o.at}`;
    const account = (id: string) => `sf-account-${seeded.ids.get(`accounts:${id}`)}`;
    const byAccount = new Map<string, string[]>();
    for (const o of portfolio.outcomes) {
      const k = account(o.accountId);
      byAccount.set(k, [...(byAccount.get(k) ?? []), key({ ...o, accountId: k })]);
    }
    const last = [...byAccount.values()].map((l) => l.sort().at(-1)).sort();
    // (The test store keeps one outcome per account and kind; every kind's latest is there.)
    expect(pulled.outcomes.map(key).sort()).toEqual(
      expect.arrayContaining(last.filter((k): k is string => !!k)),
    );
    for (const a of portfolio.accounts)
      expect(pulled.accounts.find((x) => x.id === account(a.id))?.renewalAt).toBe(a.renewalAt);
    // Cases and tasks came over several 200-row pages, followed through nextRecordsUrl.
    expect(queries(sandbox).filter((c) => c.path.includes("/query/01g")).length).toBeGreaterThan(1);
    expect(queries(sandbox).every((c) => c.status === 200)).toBe(true);
  });

  const faults: { kind: FaultKind; count: number }[] = [
    { kind: "expire_session", count: 1 },
    { kind: "rotate_tokens", count: 1 },
    { kind: "server_error", count: 3 },
    { kind: "malformed", count: 2 },
    { kind: "concurrent_limit", count: 2 },
  ];
  for (const f of faults)
    it(`ends with exactly the same records under ${f.kind} (${f.count}×)`, async () => {
      const clean = await startSalesforceSandbox({ state: seedOrg(portfolio).state });
      const expected = await pullInto(salesforceContext(clean), settings, undefined);
      await clean.close();
      sandbox = await startSalesforceSandbox({ state: seedOrg(portfolio).state });
      sandbox.faults.push({ kind: f.kind, atCall: 4, count: f.count });
      const ctx = salesforceContext(sandbox);
      const run = await pullInto(ctx, settings, undefined);
      expect(run.done).toBe(true);
      expect(contents(run.store)).toEqual(contents(expected.store));
      if (f.kind === "expire_session" || f.kind === "rotate_tokens") {
        expect(ctx.refreshes()).toBe(1);
        expect(queries(sandbox).filter((c) => c.status === 401)).toHaveLength(1);
      }
      // A refresh never presented a rotated-away token (which would have revoked the install).
      expect(sandbox.staleRefreshes).toBe(0);
    }, 60_000);

  it("pauses on REQUEST_LIMIT_EXCEEDED instead of failing, and resumes with nothing lost", async () => {
    const clean = await startSalesforceSandbox({ state: seedOrg(portfolio).state });
    const expected = await pullInto(salesforceContext(clean), settings, undefined);
    await clean.close();
    sandbox = await startSalesforceSandbox({ state: seedOrg(portfolio).state });
    sandbox.faults.push({ kind: "request_limit", atCall: 5, count: 1 });
    const ctx = salesforceContext(sandbox);
    const store = new Map<string, Map<string, unknown>>();
    const head = await pullSaving(ctx, undefined, store);
    const err = head.error;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: "paused", retryable: false });
    expect((err as ConnectorError).retryAfterMs).toBeGreaterThan(0);
    const rest = await pullInto(ctx, settings, head.cursor, store);
    expect(rest.done).toBe(true);
    expect(contents(rest.store)).toEqual(contents(expected.store));
  }, 60_000);

  it("reads rows that share one SystemModstamp across page edges exactly once", async () => {
    // 500 rows a second and 200 a page: every page edge falls inside a second.
    const seeded = seedOrg(portfolio, undefined, Date.now() - 5 * 60_000, 500);
    sandbox = await startSalesforceSandbox({ state: seeded.state });
    const seen: string[] = [];
    const ctx = salesforceContext(sandbox);
    // Resumed from the cursor after every page, so each page is a fresh query from a watermark
    // inside a crowded second.
    let cursor: SalesforceCursor | undefined;
    for (;;) {
      let last: { cursor: SalesforceCursor; done: boolean } | undefined;
      for await (const page of pullSalesforce(ctx, settings, cursor)) {
        seen.push(
          ...page.records.tickets.map((t) => t.id),
          ...page.records.engagements.map((e) => e.id),
        );
        last = page;
        break;
      }
      if (!last || last.done) break;
      cursor = JSON.parse(JSON.stringify(last.cursor));
    }
    expect(seen.length).toBe(portfolio.tickets.length + portfolio.engagements.length);
    expect(new Set(seen).size).toBe(seen.length);
  }, 60_000);

  it("killed after any page and resumed from its cursor, ends with exactly the same records", async () => {
    sandbox = await startSalesforceSandbox({ state: seedOrg(portfolio).state });
    const ctx = salesforceContext(sandbox);
    const whole = await pullInto(ctx, settings, undefined);
    expect(whole.pages).toBeGreaterThan(5);
    for (let k = 1; k < whole.pages; k++) {
      const head = await pullInto(ctx, settings, undefined, undefined, k);
      expect(head.done).toBe(false);
      const saved = JSON.parse(JSON.stringify(head.cursor));
      const tail = await pullInto(ctx, settings, saved, head.store);
      expect(tail.done).toBe(true);
      expect(contents(tail.store)).toEqual(contents(whole.store));
    }
  }, 120_000);

  it("reads only what changed on the next pass, deletions included, and leaves the last minute", async () => {
    let clock = Date.now();
    const seeded = seedOrg(portfolio, undefined, clock - 5 * 60_000);
    sandbox = await startSalesforceSandbox({ state: seeded.state, now: () => clock });
    const ctx = salesforceContext(sandbox, { now: () => clock });
    const first = await pullInto(ctx, settings, undefined);
    const cases = [...seeded.state.table("Case").keys()].slice(0, 3);
    for (const id of cases) seeded.state.update("Case", id, { Subject: "Changed just now" }, clock);
    const gone = [...seeded.state.table("Task").keys()][0] as string;
    seeded.state.remove("Task", gone, clock);
    // The next renewal of an account moves: its account is read again with the new date.
    const open = [...seeded.state.table("Opportunity").values()].find((o) => o.IsClosed === false);
    seeded.state.update("Opportunity", open?.Id as string, { CloseDate: "2031-01-31" }, clock);
    const calls = queries(sandbox).length;
    const soon = await pullInto(ctx, settings, first.cursor, first.store);
    expect(soon.store.get("tickets")?.get(`sf-case-${cases[0]}`)).not.toMatchObject({
      subject: "Changed just now",
    });
    clock += 61_000;
    const later = await pullInto(ctx, settings, soon.cursor, soon.store);
    for (const id of cases)
      expect(later.store.get("tickets")?.get(`sf-case-${id}`)).toMatchObject({
        subject: "Changed just now",
      });
    expect(later.store.get("engagements")?.has(`sf-task-${gone}`)).toBe(false);
    expect(later.store.get("accounts")?.get(`sf-account-${open?.AccountId}`)).toMatchObject({
      renewalAt: "2031-01-31",
    });
    // Two passes: seven queries each (six objects and contacts' moves), one page each, and one
    // account re-read for the renewal.
    expect(queries(sandbox).length - calls).toBe(7 + 7 + 1);
  });
});

describe("Salesforce departures", () => {
  it("reads a contact moved to another account as a departure from the one it left", async () => {
    let clock = Date.now();
    const seeded = seedOrg(portfolio, undefined, clock - 5 * 60_000);
    sandbox = await startSalesforceSandbox({ state: seeded.state, now: () => clock });
    const ctx = salesforceContext(sandbox, { now: () => clock });
    const first = await pullInto(ctx, settings, undefined);
    const champion = portfolio.stakeholders.find((x) => x.persona === "champion" && x.active);
    const contact = seeded.ids.get(`stakeholders:${champion?.id}`) as string;
    const from = seeded.ids.get(`accounts:${champion?.accountId}`) as string;
    const to = [...seeded.state.table("Account").keys()].find((id) => id !== from) as string;
    seeded.state.update("Contact", contact, { AccountId: to }, clock - 120_000);
    clock += 61_000;
    const next = await pullInto(ctx, settings, first.cursor, first.store);
    const people = next.store.get("stakeholders");
    // The person now works with the other customer…
    expect(people?.get(`sf-contact-${contact}`)).toMatchObject({
      accountId: `sf-account-${to}`,
      active: true,
    });
    // …and left the first: a champion gone, dated the move, from CRM evidence alone.
    expect(people?.get(`sf-contact-${contact}-at-${from}`)).toEqual({
      id: `sf-contact-${contact}-at-${from}`,
      accountId: `sf-account-${from}`,
      name: champion?.name,
      email: champion?.email,
      title: champion?.title,
      persona: "champion",
      active: false,
      leftAt: new Date(clock - 61_000 - 120_000).toISOString(),
    });
    const soql = sandbox.state.calls
      .map((c) => c.soql ?? "")
      .filter((q) => q.includes("FROM ContactHistory"));
    expect(soql.at(-1)).toContain("Field = 'Account' AND DataType = 'EntityId'");
  });

  it("pulls without moves from an org that does not keep contacts' history", async () => {
    const state = seedOrg(portfolio).state;
    state.fields.delete("ContactHistory");
    sandbox = await startSalesforceSandbox({ state });
    const run = await pullInto(salesforceContext(sandbox), settings, undefined);
    expect(run.done).toBe(true);
    expect(run.portfolio().stakeholders).toHaveLength(portfolio.stakeholders.length);
    expect((run.cursor as SalesforceCursor).missing?.fields).toContain("ContactHistory");
  });
});

describe("Salesforce daily allocation", () => {
  it("stops at Ebb's share of the allocation and resumes later with nothing lost", async () => {
    let clock = Date.now();
    const clean = await startSalesforceSandbox({
      state: seedOrg(portfolio, undefined, clock - 5 * 60_000).state,
    });
    const expected = await pullInto(salesforceContext(clean), settings, undefined);
    const needed = queries(clean).length;
    await clean.close();
    // An org of 60 calls a day, 10% Ebb's: 6 calls, fewer than one pull needs.
    sandbox = await startSalesforceSandbox({
      state: seedOrg(portfolio, undefined, clock - 5 * 60_000).state,
      dailyAllocation: 60,
      now: () => clock,
    });
    const allowance = createAllowance({ share: 0.1, windowMs: 86_400_000 });
    const ctx = salesforceContext(sandbox, { allowance, now: () => clock });
    const store = new Map<string, Map<string, unknown>>();
    let cursor: SalesforceCursor | undefined;
    let pauses = 0;
    for (;;) {
      const before = queries(sandbox).length;
      const r = await pullSaving(ctx, cursor, store);
      cursor = r.cursor;
      if (r.done) break;
      expect(r.error).toMatchObject({ code: "paused" });
      pauses++;
      // Never more than its share in a day: 6 calls (the first answer tells the allocation).
      expect(queries(sandbox).length - before).toBeLessThanOrEqual(6);
      expect(allowance.usage(clock)).toMatchObject({ calls: 6, allowed: 6, max: 60 });
      expect(sandbox.allocation.used()).toBeLessThanOrEqual(6);
      clock += (r.error as ConnectorError).retryAfterMs ?? 0;
    }
    expect(pauses).toBeGreaterThan(0);
    expect(contents(store)).toEqual(contents(expected.store));
    expect(queries(sandbox).length).toBe(needed);
  }, 60_000);
});
