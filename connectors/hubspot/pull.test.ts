// A full pull of a generated portfolio through the sandbox, with the official SDK, scores exactly
// like the generator's own files.
import { afterEach, describe, expect, it } from "vitest";
import { scorePortfolio } from "../../core/engine.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import type { HealthSnapshot, Portfolio } from "../../core/model.ts";
import { bySnapshotKey } from "../../tests/builders.ts";
import {
  applyPages,
  hubspotBudget,
  sandboxContext,
  toPortfolio,
  translator,
} from "../../tests/support/hubspot.ts";
import { createWindowBudget } from "../limits.ts";
import { createHubSpotApi } from "./client.ts";
import { type HubSpotCursor, pullHubSpot } from "./pull.ts";
import { ensureHubSpotSetup, pushHubSpot } from "./push.ts";
import { seedPortal } from "./sandbox/seed.ts";
import { type HubSpotSandbox, startHubSpotSandbox } from "./sandbox/server.ts";
import { OBJECT_TYPES, PortalState } from "./sandbox/state.ts";
import { DEFAULT_SETTINGS } from "./settings.ts";

let sandbox: HubSpotSandbox | undefined;
afterEach(async () => {
  connection = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

function score(p: Portfolio): HealthSnapshot[] {
  const out: HealthSnapshot[] = [];
  scorePortfolio(p, {}, { snapshot: (s) => out.push(s) });
  return out.sort(bySnapshotKey);
}

describe("HubSpot pull", () => {
  it("gives exactly the snapshots the generator's own files give", async () => {
    const { portfolio } = generatePortfolio({ accounts: 12, seed: 31, days: 200 });
    const seeded = seedPortal(portfolio);
    sandbox = await startHubSpotSandbox({ state: seeded.state });
    const ctx = sandboxContext(sandbox);
    const store = new Map<string, Map<string, unknown>>();
    let pages = 0;
    let cursor: HubSpotCursor | undefined;
    for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, undefined)) {
      applyPages(store, page);
      cursor = page.cursor;
      pages++;
    }
    const pulled = toPortfolio(store);
    expect(pulled.accounts).toHaveLength(12);
    expect(pulled.tickets).toHaveLength(portfolio.tickets.length);
    expect(pulled.engagements).toHaveLength(portfolio.engagements.length);
    expect(pulled.usage).toHaveLength(portfolio.usage.length);
    expect(pulled.milestones).toHaveLength(portfolio.milestones.length);
    const translate = translator(seeded.ids);
    const milestoneIds = new Set(portfolio.milestones.map((m) => m.id));
    const expected = score(portfolio).map((s) => translate(s, milestoneIds));
    const actual = score(pulled);
    expect(actual.length).toBe(expected.length);
    expect(actual.sort(bySnapshotKey)).toEqual(expected.sort(bySnapshotKey));
    expect(pages).toBeGreaterThan(8);
    expect(cursor?.since).toBeGreaterThan(0);
    expect(sandbox.limitHits).toBe(0);
  });
});

// One connection per test: its budget and tokens are shared by every run against it, as the
// Worker's ConnectionGate shares them across invocations.
let connection: ReturnType<typeof sandboxContext> | undefined;

async function pullAll(
  sb: HubSpotSandbox,
  from?: HubSpotCursor,
  stopAfterPages = Number.POSITIVE_INFINITY,
  store = new Map<string, Map<string, unknown>>(),
) {
  let cursor = from;
  let pages = 0;
  let done = false;
  connection ??= sandboxContext(sb, hubspotBudget());
  const ctx = connection;
  for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, from)) {
    if (pages === stopAfterPages) break; // killed: this page was fetched but never stored
    applyPages(store, page);
    cursor = page.cursor;
    pages++;
    done = page.done;
  }
  return { store, cursor, pages, done };
}

function fingerprint(store: Map<string, Map<string, unknown>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [kind, m] of store)
    out[kind] = [...m.entries()].map(([id, v]) => `${id}=${JSON.stringify(v)}`).sort();
  return out;
}

describe("HubSpot pull of a portal with more companies than a history read takes", () => {
  it("reads usage history 50 companies a call, as HubSpot allows, and loses none", async () => {
    const { portfolio } = generatePortfolio({ accounts: 130, seed: 33, days: 60 });
    sandbox = await startHubSpotSandbox({ state: seedPortal(portfolio).state });
    const store = new Map<string, Map<string, unknown>>();
    for await (const page of pullHubSpot(sandboxContext(sandbox), DEFAULT_SETTINGS, undefined))
      applyPages(store, page);
    const pulled = toPortfolio(store);
    expect(pulled.accounts).toHaveLength(130);
    expect(pulled.usage).toHaveLength(portfolio.usage.length);
    const reads = sandbox.state.calls.filter(
      (c) => c.path === "/crm/v3/objects/companies/batch/read",
    );
    expect(reads.every((c) => c.status === 200)).toBe(true);
    // 130 companies in pages of 100: 50 + 50, then 30.
    expect(reads).toHaveLength(3);
  });
});

describe("HubSpot incremental pull", () => {
  it("reads back only what changed since the last pass, and skips the daily deletion sweep", async () => {
    const { portfolio } = generatePortfolio({ accounts: 6, seed: 9, days: 120 });
    const seeded = seedPortal(portfolio, DEFAULT_SETTINGS, new Date(Date.now() - 3_600_000));
    sandbox = await startHubSpotSandbox({ state: seeded.state });
    const full = await pullAll(sandbox);
    expect(full.done).toBe(true);
    const [a, b] = [...sandbox.state.objects.tickets.keys()];
    sandbox.state.update("tickets", a ?? "", { subject: "Export still broken" }, new Date());
    sandbox.state.update("tickets", b ?? "", { subject: "SSO question" }, new Date());
    const before = sandbox.state.calls.length;
    const next = await pullAll(sandbox, full.cursor);
    expect(next.done).toBe(true);
    expect([...(next.store.get("tickets")?.keys() ?? [])].sort()).toEqual(
      [`hs-ticket-${a}`, `hs-ticket-${b}`].sort(),
    );
    expect(next.store.get("engagements")).toBeUndefined();
    const calls = sandbox.state.calls.slice(before);
    expect(calls.filter((c) => c.path.endsWith("/search"))).toHaveLength(8);
    expect(
      calls.some(
        (c) =>
          c.path.startsWith("/crm/v3/objects/") &&
          !c.path.includes("search") &&
          !c.path.includes("batch"),
      ),
    ).toBe(false);
  });
});

describe("HubSpot refusing one object type (403, a scope the install lacks)", () => {
  it("skips that type, says which scope is missing, reads the rest, and reads it all once granted", async () => {
    const { portfolio } = generatePortfolio({ accounts: 8, seed: 12, days: 90 });
    const seeded = seedPortal(portfolio, DEFAULT_SETTINGS, new Date(Date.now() - 3_600_000));
    sandbox = await startHubSpotSandbox({ state: seeded.state });
    const whole = await pullAll(sandbox, undefined, Number.POSITIVE_INFINITY, new Map());
    connection = undefined;
    sandbox.state.withheldScopes.add("tickets");

    const refusedPages: unknown[] = [];
    const store = new Map<string, Map<string, unknown>>();
    const ctx = sandboxContext(sandbox, hubspotBudget());
    let cursor: HubSpotCursor | undefined;
    let done = false;
    for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, undefined)) {
      applyPages(store, page);
      refusedPages.push(page.refused);
      cursor = page.cursor;
      done = page.done;
    }
    expect(done).toBe(true);
    // HubSpot answered 403 on tickets; the pass went on without them.
    expect(sandbox.state.calls.some((c) => c.status === 403 && c.path.includes("tickets"))).toBe(
      true,
    );
    expect(store.get("tickets")).toBeUndefined();
    expect(refusedPages.at(-1)).toEqual([
      { objectType: "tickets", reason: expect.stringMatching(/403.*missing scope tickets/) },
    ]);
    for (const kind of ["accounts", "stakeholders", "engagements", "usage"])
      expect(store.get(kind)?.size, kind).toBe(whole.store.get(kind)?.size);

    // Granted later: the next (incremental) pass reads every ticket, old ones included, and the
    // refusal is gone.
    sandbox.state.withheldScopes.clear();
    let last: { refused?: unknown } | undefined;
    for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, cursor)) {
      applyPages(store, page);
      last = page;
    }
    expect(store.get("tickets")?.size).toBe(whole.store.get("tickets")?.size);
    expect(store.get("tickets")?.size).toBeGreaterThan(0);
    expect(last?.refused).toEqual([]);
  });

  it("reads companies without owners when the owners scope is missing, and says so", async () => {
    const { portfolio } = generatePortfolio({ accounts: 3, seed: 4, days: 30 });
    sandbox = await startHubSpotSandbox({ state: seedPortal(portfolio).state });
    sandbox.state.withheldScopes.add("crm.objects.owners.read");
    const ctx = sandboxContext(sandbox, hubspotBudget());
    const store = new Map<string, Map<string, unknown>>();
    let refused: unknown;
    for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, undefined)) {
      applyPages(store, page);
      refused = page.refused;
    }
    expect(store.get("accounts")?.size).toBe(3);
    expect(refused).toEqual([
      {
        objectType: "owners",
        reason: expect.stringMatching(/missing scope crm.objects.owners.read/),
      },
    ]);
  });
});

describe("HubSpot search's 10,000-result cap", () => {
  it("never bites: keyset pages on hs_object_id read all 10,500 tickets of one portal", async () => {
    const state = new PortalState();
    const stamp = "2025-01-01T00:00:00.000Z";
    state.put("companies", {
      id: "1",
      properties: { name: "Big", hs_object_id: "1" },
      history: {},
      createdAt: stamp,
      updatedAt: stamp,
      archived: false,
    });
    for (let k = 0; k < 10_500; k++) {
      const id = String(100_000 + k);
      state.put("tickets", {
        id,
        properties: { hs_object_id: id, createdate: stamp, subject: `Question ${k}` },
        history: {},
        createdAt: stamp,
        updatedAt: stamp,
        archived: false,
      });
      state.associate("tickets", id, "companies", "1");
    }
    // The limits are HubSpot's elsewhere; here only the cap is under test, so the clock need not wait.
    sandbox = await startHubSpotSandbox({
      state,
      burstPer10s: 1_000_000,
      searchPerSecond: 1_000_000,
    });
    const capped = await fetch(`${sandbox.url}/crm/v3/objects/tickets/search`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
      body: JSON.stringify({ limit: 200, after: "9900", filterGroups: [] }),
    });
    expect(capped.status).toBe(400);
    connection = sandboxContext(
      sandbox,
      createWindowBudget({ default: { max: 1_000_000, windowMs: 1000 } }),
    );
    const { store, done } = await pullAll(sandbox);
    expect(done).toBe(true);
    expect(store.get("tickets")?.size).toBe(10_500);
  });
});

describe("HubSpot pull under faults", () => {
  it("ends with exactly the same records after 429 storms, 5xx, a malformed page, token expiry and a crash", async () => {
    const { portfolio } = generatePortfolio({ accounts: 8, seed: 5, days: 150 });
    const seeded = seedPortal(portfolio, DEFAULT_SETTINGS, new Date("2025-01-01T00:00:00Z"));
    sandbox = await startHubSpotSandbox({ state: seeded.state });
    const clean = await pullAll(sandbox);
    expect(clean.done).toBe(true);

    const at = sandbox.callCount();
    sandbox.faults.push(
      { kind: "rate_limit", atCall: at + 4, count: 3 },
      { kind: "server_error", atCall: at + 9, count: 2 },
      { kind: "malformed", atCall: at + 13 },
      { kind: "expire_token", atCall: at + 16 },
      { kind: "slow", atCall: at + 18, delayMs: 300 },
    );
    const base = sandbox.state.calls.length;
    // First run: killed after 5 stored pages (the 6th fetched, never stored).
    const first = await pullAll(sandbox, undefined, 5);
    expect(first.done).toBe(false);
    // Second run: resumes from the saved cursor into the same store.
    const second = await pullAll(sandbox, first.cursor, Number.POSITIVE_INFINITY, first.store);
    expect(second.done).toBe(true);
    expect(fingerprint(second.store)).toEqual(fingerprint(clean.store));
    expect(connection?.refreshes).toBe(1);
    const statuses = sandbox.state.calls.slice(base).map((c) => c.status);
    expect(statuses).toContain(429);
    expect(statuses).toContain(502);
    expect(statuses).toContain(401);
    expect(sandbox.limitHits).toBe(0);
  }, 60_000);

  it("fails with invalid_response, without the token, when HubSpot keeps sending garbage", async () => {
    sandbox = await startHubSpotSandbox({ faults: [{ kind: "malformed", atCall: 1, count: 100 }] });
    const ctx = sandboxContext(sandbox);
    const run = async () => {
      // Fewer, shorter retries than production, so the test need not wait out the backoff.
      for await (const _ of pullHubSpot(
        ctx,
        DEFAULT_SETTINGS,
        undefined,
        createHubSpotApi(ctx, { retries: 2, baseDelayMs: 5 }),
      )) {
        // nothing arrives
      }
    };
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: "ConnectorError", code: "invalid_response" });
    expect(JSON.stringify(error)).not.toContain(sandbox.token);
    expect(String((error as Error).message)).not.toContain(sandbox.token);
    // First try and two retries of the first call, then it gave up.
    expect(sandbox.state.calls.length).toBe(3);
  }, 60_000);
});

describe("HubSpot tasks as customer activity", () => {
  it("never counts Ebb's own tasks, nor a task's due date, as something the customer did", async () => {
    const { portfolio } = generatePortfolio({ accounts: 3, seed: 21, days: 60 });
    const seeded = seedPortal(portfolio, DEFAULT_SETTINGS, new Date(Date.now() - 3_600_000));
    sandbox = await startHubSpotSandbox({ state: seeded.state });
    const before = await pullAll(sandbox);
    const engagementsBefore = before.store.get("engagements")?.size ?? 0;
    const company = [...sandbox.state.objects.companies.keys()][0] ?? "";
    const ctx = sandboxContext(sandbox, hubspotBudget());
    await ensureHubSpotSetup(ctx);
    // Ebb writes a follow-up task due in three days, through its own push.
    const due = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await pushHubSpot(ctx, [
      {
        externalId: company,
        snapshot: {
          accountId: "a",
          day: due,
          score: 30,
          band: "at_risk",
          trend: "decaying",
          coverage: 1,
          signals: [],
        },
        tasks: [
          {
            accountId: "a",
            playbook: "re-engage",
            title: "Ebb: at risk",
            body: "Why",
            dueAt: due,
            priority: "high",
            dedupeKey: "a/re-engage/x",
            action: "open",
          },
        ],
      },
    ]);
    // A CSM's own open task due next week, and one completed an hour ago.
    const api = createHubSpotApi(ctx);
    const link = [
      {
        to: { id: company },
        types: [{ associationCategory: "HUBSPOT_DEFINED" as const, associationTypeId: 192 }],
      },
    ];
    const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await api.batchCreate("tasks", [
      {
        properties: {
          hs_task_subject: "Plan QBR",
          hs_timestamp: nextWeek,
          hs_task_status: "NOT_STARTED",
        },
        associations: link,
      },
      {
        properties: {
          hs_task_subject: "Sent the deck",
          hs_timestamp: nextWeek,
          hs_task_status: "COMPLETED",
          hs_task_completion_date: anHourAgo,
        },
        associations: link,
      },
    ]);
    // Past the search index's lag, so the pull can find what was just written.
    await new Promise((r) => setTimeout(r, sandbox?.searchLagMs ?? 0));
    connection = undefined;
    const after = await pullAll(sandbox);
    const engagements = [...(after.store.get("engagements")?.values() ?? [])] as {
      kind: string;
      at: string;
    }[];
    // Only the completed task is new, dated when it was completed; nothing lies in the future.
    expect(engagements).toHaveLength(engagementsBefore + 1);
    expect(engagements.filter((e) => e.at === anHourAgo)).toHaveLength(1);
    expect(engagements.every((e) => Date.parse(e.at) <= Date.now())).toBe(true);
  });
});

describe("HubSpot batch reads that miss some ids", () => {
  it("reads the rest and reports the missing ids (HubSpot answers 207), never dropping them silently", async () => {
    const { portfolio } = generatePortfolio({ accounts: 3, seed: 5, days: 30 });
    sandbox = await startHubSpotSandbox({ state: seedPortal(portfolio).state });
    const logged: { event: string; fields?: Record<string, unknown> }[] = [];
    const ctx = {
      ...sandboxContext(sandbox),
      log: (event: string, fields?: Record<string, unknown>) =>
        logged.push({ event, ...(fields ? { fields } : {}) }),
    };
    const api = createHubSpotApi(ctx);
    // A company the search found that is deleted before its history is read.
    const gone = [...sandbox.state.objects.companies.keys()][1] ?? "";
    const search = api.search;
    api.search = async (type, request) => {
      const page = await search(type, request);
      if (type === "companies") sandbox?.state.objects.companies.delete(gone);
      return page;
    };
    const store = new Map<string, Map<string, unknown>>();
    for await (const page of pullHubSpot(ctx, DEFAULT_SETTINGS, undefined, api))
      applyPages(store, page);
    const reads = sandbox.state.calls.filter(
      (c) => c.path === "/crm/v3/objects/companies/batch/read",
    );
    expect(reads.map((c) => c.status)).toEqual([207]);
    expect(logged.filter((l) => l.event === "hubspot.batch_read_missing")).toEqual([
      {
        event: "hubspot.batch_read_missing",
        fields: expect.objectContaining({
          type: "companies",
          ids: [gone],
          category: "OBJECT_NOT_FOUND",
        }),
      },
    ]);
    // The other companies' usage is all there.
    const usage = [...(store.get("usage")?.values() ?? [])] as { accountId: string }[];
    expect(new Set(usage.map((u) => u.accountId))).toEqual(
      new Set([...sandbox.state.objects.companies.keys()].map((id) => `hs-company-${id}`)),
    );
  });
});

describe("HubSpot records with several companies", () => {
  it("go to their Primary company, found by following the record's association paging", async () => {
    const { portfolio } = generatePortfolio({ accounts: 2, seed: 11, days: 30 });
    const seeded = seedPortal(portfolio);
    const state = seeded.state;
    const [contact] = [...state.objects.contacts.keys()];
    const [ticket] = [...state.objects.tickets.keys()];
    // 520 more companies (more than one association page), the contact's and the ticket's
    // Primary company being the last of them; the company they were seeded with stays associated.
    let primary = "";
    for (let k = 0; k < 520; k++) {
      const id = String(90_000 + k);
      state.put("companies", {
        id,
        properties: { name: `Extra ${k}`, hs_object_id: id },
        history: {},
        createdAt: "2025-01-01T00:00:00.000Z",
        updatedAt: "2025-01-01T00:00:00.000Z",
        archived: false,
      });
      state.associate("contacts", contact ?? "", "companies", id);
      state.associate("tickets", ticket ?? "", "companies", id);
      primary = id;
    }
    state.associatePrimary("contacts", contact ?? "", primary);
    state.associatePrimary("tickets", ticket ?? "", primary);
    sandbox = await startHubSpotSandbox({ state });
    const { store } = await pullAll(sandbox);
    const st = store.get("stakeholders")?.get(`hs-contact-${contact}`) as { accountId: string };
    const tk = store.get("tickets")?.get(`hs-ticket-${ticket}`) as { accountId: string };
    expect(st.accountId).toBe(`hs-company-${primary}`);
    expect(tk.accountId).toBe(`hs-company-${primary}`);
    const paged = sandbox.state.calls.filter(
      (c) => c.path === "/crm/v4/associations/contacts/companies/batch/read",
    );
    expect(paged.length).toBeGreaterThan(1);
  });
});

describe("HubSpot's first full pull", () => {
  it("reads with both budgets at once: search from the first type on, the list endpoint from the last one back, each type once", async () => {
    const { portfolio } = generatePortfolio({ accounts: 6, seed: 17, days: 120 });
    sandbox = await startHubSpotSandbox({ state: seedPortal(portfolio).state });
    const { done } = await pullAll(sandbox);
    expect(done).toBe(true);
    const typeOf = (path: string) => path.split("/")[4] ?? "";
    const searched = new Set(
      sandbox.state.calls.filter((c) => c.path.endsWith("/search")).map((c) => typeOf(c.path)),
    );
    const listed = sandbox.state.calls
      .filter(
        (c) =>
          c.method === "GET" &&
          /^\/crm\/v3\/objects\/[a-z]+$/.test(c.path) &&
          !(c.query ?? "").includes("archived=true"),
      )
      .map((c) => typeOf(c.path));
    expect(searched.has("companies")).toBe(true);
    expect(listed).toContain("tasks");
    // Every type is read by one lane only, and every type is read.
    for (const type of OBJECT_TYPES)
      expect(Number(searched.has(type)) + Number(listed.includes(type)), type).toBe(1);
  });
});
