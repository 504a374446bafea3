// A full pull of a generated portfolio through the Zendesk sandbox, with node-zendesk, scores exactly
// like the generator's own files; the same pull under every fault, and killed and resumed from its
// cursor at every page, ends with exactly the same records; an incremental pass reads only changes.
import { afterEach, describe, expect, it } from "vitest";
import { scorePortfolio } from "../../core/engine.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot, Portfolio } from "../../core/model.ts";
import { bySnapshotKey } from "../../tests/builders.ts";
import {
  pullInto,
  zendeskContext,
  zendeskPart,
  zendeskTranslator,
} from "../../tests/support/zendesk.ts";
import { ZENDESK_LIMITS } from "./client.ts";
import { seedAccount } from "./sandbox/seed.ts";
import { type FaultKind, startZendeskSandbox, type ZendeskSandbox } from "./sandbox/server.ts";
import { ZendeskSettings } from "./settings.ts";

let sandbox: ZendeskSandbox | undefined;
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

/** Every record of a pull, sorted, for comparing two pulls. */
const contents = (store: Map<string, Map<string, unknown>>) =>
  [...store.entries()]
    .map(([kind, m]) => [kind, [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));

// Fault and resume runs pull the same small account many times: the exports' limit is lifted there
// (in the sandbox and the budget alike); the first test runs at Zendesk's own limits.
const FAST = { ...ZENDESK_LIMITS, export: { max: 1000, windowMs: 60_000 } };

describe("Zendesk pull", () => {
  it("gives exactly the snapshots the generator's own files give, within Zendesk's limits", async () => {
    const seeded = seedAccount(portfolio);
    sandbox = await startZendeskSandbox({ state: seeded.state });
    const settings = ZendeskSettings.parse({ pageSize: 100 });
    const run = await pullInto(zendeskContext(sandbox), settings, undefined);
    expect(run.done).toBe(true);
    const pulled = run.portfolio();
    expect(pulled.accounts).toHaveLength(12);
    expect(pulled.stakeholders).toHaveLength(portfolio.stakeholders.length);
    expect(pulled.tickets).toHaveLength(portfolio.tickets.length);
    const translate = zendeskTranslator(seeded.ids);
    const expected = score(zendeskPart(portfolio)).map(translate).sort(bySnapshotKey);
    const actual = score(pulled);
    expect(actual.length).toBe(expected.length);
    expect(actual).toEqual(expected);
    // Tickets came over more than one page, and nothing was refused for going too fast.
    expect(
      sandbox.state.calls.filter((c) => c.path.includes("tickets/cursor")).length,
    ).toBeGreaterThan(1);
    expect(sandbox.limitHits).toBe(0);
    // The ticket export was asked for metric sets; the user export reads end-users only.
    expect(sandbox.state.calls.some((c) => c.query?.includes("include=metric_sets"))).toBe(true);
  });

  const faults: { kind: FaultKind; count: number }[] = [
    { kind: "rate_limit", count: 5 },
    { kind: "server_error", count: 3 },
    { kind: "malformed", count: 2 },
    { kind: "rotate_tokens", count: 1 },
  ];
  for (const f of faults)
    it(`ends with exactly the same records under ${f.kind} (${f.count}×)`, async () => {
      const settings = ZendeskSettings.parse({ pageSize: 40 });
      const clean = await startZendeskSandbox({
        state: seedAccount(portfolio).state,
        exportsPerMinute: 1000,
      });
      const expected = await pullInto(zendeskContext(clean, FAST), settings, undefined);
      await clean.close();
      sandbox = await startZendeskSandbox({
        state: seedAccount(portfolio).state,
        exportsPerMinute: 1000,
      });
      sandbox.faults.push({ kind: f.kind, atCall: 4, count: f.count });
      const ctx = zendeskContext(sandbox, FAST);
      const run = await pullInto(ctx, settings, undefined);
      expect(run.done).toBe(true);
      expect(contents(run.store)).toEqual(contents(expected.store));
      if (f.kind === "rotate_tokens") expect(ctx.refreshes()).toBe(1);
      const hit = sandbox.state.calls.filter((c) => c.status === 429 || c.status >= 500).length;
      if (f.kind === "rate_limit" || f.kind === "server_error") expect(hit).toBe(f.count);
    }, 60_000);

  it("repeats organizations at time-based page edges and keeps each once", async () => {
    // Three organizations a second and two a page: every page edge falls inside a second.
    const settings = ZendeskSettings.parse({ pageSize: 2 });
    sandbox = await startZendeskSandbox({
      state: seedAccount(portfolio).state,
      exportsPerMinute: 1000,
    });
    const ctx = zendeskContext(sandbox, FAST);
    const pages: string[][] = [];
    const { pullZendesk } = await import("./pull.ts");
    for await (const page of pullZendesk(ctx, settings, undefined)) {
      pages.push(page.records.accounts.map((a) => a.id));
      if (page.cursor.stage !== "organizations") break;
    }
    const served = sandbox.state.calls.filter((c) => c.path.includes("incremental/organizations"));
    const read = pages.flat();
    // The export served some organizations twice; the pull kept each exactly once.
    expect(served.length).toBeGreaterThan(1);
    expect(read.length).toBe(12);
    expect(new Set(read).size).toBe(12);
  });

  it("killed after any page and resumed from its cursor, ends with exactly the same records", async () => {
    const settings = ZendeskSettings.parse({ pageSize: 60 });
    sandbox = await startZendeskSandbox({
      state: seedAccount(portfolio).state,
      exportsPerMinute: 1000,
    });
    const ctx = zendeskContext(sandbox, FAST);
    const whole = await pullInto(ctx, settings, undefined);
    expect(whole.pages).toBeGreaterThan(3);
    for (let k = 1; k < whole.pages; k++) {
      const head = await pullInto(ctx, settings, undefined, undefined, k);
      expect(head.done).toBe(false);
      // The cursor is what the store saved with the page: plain JSON, read back as such.
      const saved = JSON.parse(JSON.stringify(head.cursor));
      const tail = await pullInto(ctx, settings, saved, head.store);
      expect(tail.done).toBe(true);
      expect(contents(tail.store)).toEqual(contents(whole.store));
    }
  }, 120_000);

  it("reads only what changed on the next pass, and nothing changed within the last minute", async () => {
    let clock = Date.now();
    const seeded = seedAccount(portfolio, undefined, clock - 5 * 60_000);
    sandbox = await startZendeskSandbox({
      state: seeded.state,
      exportsPerMinute: 1000,
      now: () => clock,
    });
    const settings = ZendeskSettings.parse({});
    const ctx = { ...zendeskContext(sandbox, FAST), now: () => clock };
    const first = await pullInto(ctx, settings, undefined);
    const changed = [...seeded.state.tickets.keys()].slice(0, 3);
    for (const id of changed)
      seeded.state.touchTicket(id, Math.floor(clock / 1000), (t) => {
        t.subject = "Changed just now";
      });
    const calls = sandbox.state.calls.length;
    const soon = await pullInto(ctx, settings, first.cursor, first.store);
    expect(soon.store.get("tickets")?.get(`zd-ticket-${changed[0]}`)).not.toMatchObject({
      subject: "Changed just now",
    });
    clock += 61_000;
    const later = await pullInto(ctx, settings, soon.cursor, soon.store);
    for (const id of changed)
      expect(later.store.get("tickets")?.get(`zd-ticket-${id}`)).toMatchObject({
        subject: "Changed just now",
      });
    const read = sandbox.state.calls.slice(calls).filter((c) => c.path.includes("tickets/cursor"));
    expect(read.length).toBe(2);
  });
});
