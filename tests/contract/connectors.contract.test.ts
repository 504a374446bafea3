// The contract every connector must pass, run against each registered connector's sandbox through
// its official SDK: pagination to the end, resume from a saved cursor, 429 paced and retried, a
// malformed body failing as `invalid_response` without leaking a token, a retried push creating
// nothing twice.
import { afterEach, describe, expect, it } from "vitest";
import type {
  AccountChange,
  Connector,
  ConnectorContext,
  RecordBatch,
} from "../../connectors/connector.ts";
import {
  type SandboxHarness,
  startHubSpotHarness,
} from "../../connectors/hubspot/sandbox/harness.ts";
import { CONNECTORS, type ConnectorId } from "../../connectors/registry.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot, Portfolio } from "../../core/model.ts";

/** Each registered connector's sandbox harness; a connector without one fails the suite. */
const HARNESSES: Record<ConnectorId, (p: Portfolio) => Promise<SandboxHarness>> = {
  hubspot: startHubSpotHarness,
};

const portfolio = generatePortfolio({ accounts: 6, seed: 12, days: 120 }).portfolio;
let harness: SandboxHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

type AnyConnector = Connector<unknown, unknown> & { settings: { parse(v: unknown): unknown } };

async function pullAll(
  c: AnyConnector,
  ctx: ConnectorContext,
  cursor: unknown,
  limit = Number.POSITIVE_INFINITY,
) {
  const settings = c.settings.parse({});
  const pages: { records: RecordBatch; cursor: unknown; done: boolean }[] = [];
  for await (const page of c.pull(ctx, settings, cursor)) {
    if (pages.length === limit) break;
    pages.push(page);
  }
  return pages;
}

const ids = (pages: { records: RecordBatch }[]) =>
  pages
    .flatMap((p) => [
      ...p.records.accounts.map((a) => a.id),
      ...p.records.tickets.map((t) => t.id),
      ...p.records.engagements.map((e) => e.id),
      ...p.records.stakeholders.map((s) => s.id),
    ])
    .sort();

describe.each(Object.keys(CONNECTORS) as ConnectorId[])("connector contract: %s", (id) => {
  const connector = CONNECTORS[id] as unknown as AnyConnector;
  const start = async () => {
    harness = await HARNESSES[id](portfolio);
    return harness;
  };

  it("paginates to the end and reports done", async () => {
    const h = await start();
    const pages = await pullAll(connector, h.ctx, undefined);
    expect(pages.at(-1)?.done).toBe(true);
    expect(new Set(pages.flatMap((p) => p.records.accounts.map((a) => a.name)))).toEqual(
      new Set(portfolio.accounts.map((a) => a.name)),
    );
    expect(pages.reduce((n, p) => n + p.records.tickets.length, 0)).toBe(portfolio.tickets.length);
  });

  it("resumes from a saved cursor with nothing lost and nothing read twice beyond the page in flight", async () => {
    const h = await start();
    const whole = await pullAll(connector, h.ctx, undefined);
    const head = await pullAll(connector, h.ctx, undefined, 3);
    const tail = await pullAll(connector, h.ctx, head.at(-1)?.cursor);
    expect(ids([...head, ...tail])).toEqual(ids(whole));
  });

  it("paces and retries a 429 storm, then carries on", async () => {
    const h = await start();
    h.inject("rate_limit", 3);
    const pages = await pullAll(connector, h.ctx, undefined);
    expect(pages.at(-1)?.done).toBe(true);
    expect(h.calls().filter((c) => c.status === 429)).toHaveLength(3);
  });

  it("fails a malformed body as invalid_response without leaking the token", async () => {
    const h = await start();
    h.inject("malformed", 50);
    const error = await pullAll(connector, h.ctx, undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "invalid_response" });
    expect(JSON.stringify(error)).not.toContain(h.token);
    expect(String(error)).not.toContain(h.token);
  }, 120_000);

  it("creates nothing twice when the same push is retried", async () => {
    const h = await start();
    const snapshot: HealthSnapshot = {
      accountId: "a",
      day: "2024-04-01",
      score: 30,
      band: "at_risk",
      trend: "decaying",
      coverage: 1,
      signals: [],
    };
    const change: AccountChange = {
      externalId: h.firstAccountId,
      snapshot,
      tasks: [
        {
          accountId: "a",
          playbook: "adoption-rescue",
          title: "Ebb: at risk",
          body: "Why: usage fell.",
          dueAt: "2024-04-03",
          priority: "high",
          dedupeKey: "a/adoption-rescue/2024-04-01",
          action: "open",
        },
      ],
    };
    const before = h.taskCount();
    await connector.push(h.ctx, connector.settings.parse({}), [change]);
    await connector.push(h.ctx, connector.settings.parse({}), [change]);
    expect(h.taskCount()).toBe(before + 1);
  });
});
