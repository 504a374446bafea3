// The contract every connector must pass, as a suite run against a connector's own sandbox (its
// harness from the connector's `sandbox()`) through its official SDK: pagination to the end, resume
// from a saved cursor, 429 paced and retried, a malformed body failing as `invalid_response` without
// leaking a token, a retried push creating nothing twice; and what the Worker needs of every entry.
// connectors.contract.test.ts runs it for every connector in the registry.
import { afterEach, describe, expect, it } from "vitest";
import type {
  AccountChange,
  AnyConnector,
  ConnectorContext,
  RecordBatch,
  SandboxHarness,
} from "../../connectors/connector.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot } from "../../core/model.ts";

const portfolio = generatePortfolio({ accounts: 6, seed: 12, days: 120 }).portfolio;
let harness: SandboxHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function pullAll(
  c: AnyConnector,
  ctx: ConnectorContext,
  cursor: unknown,
  limit = Number.POSITIVE_INFINITY,
) {
  const settings = c.settings.parse({}) as unknown;
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

/** The contract's cases for one connector; every registered one runs them, and so can a test's own. */
export function contractSuite(id: string, connector: AnyConnector): void {
  describe(`connector contract: ${id}`, () => {
    const start = async () => {
      harness = await (await connector.sandbox()).startHarness(portfolio);
      return harness;
    };

    it("declares what the Worker builds its routes and jobs from", () => {
      expect(connector.id).toBe(id);
      expect(connector.label.length).toBeGreaterThan(0);
      // Settings all default: a new connection works before an admin changes anything.
      expect(connector.settings.safeParse({}).success).toBe(true);
      // Without its secrets the configuration fails, naming them; with them it parses.
      const missing = connector.config.safeParse({});
      expect(missing.success).toBe(false);
      for (const name of connector.secrets) expect(missing.error?.message).toContain(name);
      const given = Object.fromEntries(connector.secrets.map((n) => [n, "x"]));
      expect(connector.config.safeParse(given).success).toBe(true);
      expect(connector.limits.default.max).toBeGreaterThan(0);
      expect(connector.install.refreshAheadMs).toBeGreaterThan(0);
      const app = { config: connector.config.parse(given), redirectUri: "https://ebb.example/cb" };
      // A vendor whose installs live at their own address takes it from the install start.
      const site = connector.install.site ? "acme" : undefined;
      if (connector.install.site) {
        expect(connector.install.site.schema.safeParse("acme").success).toBe(true);
        expect(connector.install.site.schema.safeParse("not a site/").success).toBe(false);
      }
      const consent = new URL(connector.install.authorizeUrl(app, "state-123", site));
      expect(consent.searchParams.get("state")).toBe("state-123");
      expect(consent.searchParams.get("redirect_uri")).toBe("https://ebb.example/cb");
    });

    it("refuses a request without the vendor's signature", async () => {
      const given = Object.fromEntries(connector.secrets.map((n) => [n, "x"]));
      const app = { config: connector.config.parse(given), redirectUri: "https://ebb.example/cb" };
      const r = await connector.verify(
        app,
        { method: "POST", url: "https://ebb.example/x", headers: new Headers(), body: "{}" },
        Date.now(),
      );
      expect(r.ok).toBe(false);
    });

    it("paginates to the end and reports done", async () => {
      const h = await start();
      const pages = await pullAll(connector, h.ctx, undefined);
      expect(pages.at(-1)?.done).toBe(true);
      expect(new Set(pages.flatMap((p) => p.records.accounts.map((a) => a.name)))).toEqual(
        new Set(portfolio.accounts.map((a) => a.name)),
      );
      expect(pages.reduce((n, p) => n + p.records.tickets.length, 0)).toBe(
        portfolio.tickets.length,
      );
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
      expect(h.calls().filter((c) => c.status === (h.throttleStatus ?? 429))).toHaveLength(3);
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
      // As the Worker does once per connection before its first sync.
      await connector.install.setup(h.ctx);
      const before = h.taskCount();
      const settings = connector.settings.parse({});
      const first = await connector.push(h.ctx, settings, [change]);
      expect(first.failures).toEqual([]);
      expect(first.updatedRecords).toBe(1);
      await connector.push(h.ctx, settings, [change]);
      expect(h.taskCount()).toBe(before + (connector.writesTasks ? 1 : 0));
      // Told what it wrote last time (and with its task written: the Worker never sends a written
      // task again), a push of the same health writes nothing.
      const again = await connector.push(h.ctx, settings, [
        { ...change, tasks: [], lastWritten: first.written[h.firstAccountId] ?? {} },
      ]);
      expect(again.writeCalls).toBe(0);
    });
  });
}
