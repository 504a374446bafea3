// HubSpot writeback against the sandbox: setup once, changed values only, tasks never twice.
import { afterEach, describe, expect, it } from "vitest";
import type { HealthSnapshot, Task } from "../../core/model.ts";
import { hubspotBudget, sandboxContext } from "../../tests/support/hubspot.ts";
import type { AccountChange } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { createHubSpotApi } from "./client.ts";
import { DEDUPE_PROPERTY, SCORE_PROPERTIES } from "./map.ts";
import { ensureHubSpotSetup, pushHubSpot } from "./push.ts";
import { type HubSpotSandbox, startHubSpotSandbox } from "./sandbox/server.ts";
import { PortalState } from "./sandbox/state.ts";

let sandbox: HubSpotSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function portal(companies: number): PortalState {
  const state = new PortalState();
  for (let k = 0; k < companies; k++) {
    const id = String(500 + k);
    state.put("companies", {
      id,
      properties: { name: `Co ${k}`, hs_object_id: id },
      history: {},
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-01-01T00:00:00.000Z",
      archived: false,
    });
  }
  return state;
}

const snapshot = (accountId: string, score: number): HealthSnapshot => ({
  accountId,
  day: "2025-03-01",
  score,
  band: score < 45 ? "at_risk" : "healthy",
  trend: score < 45 ? "decaying" : "plateau",
  coverage: 0.9,
  signals: [
    {
      key: "usage_drop",
      risk: score < 45 ? 0.9 : 0,
      weight: 0.75,
      evidence: "Active users averaged 3 a day over the last 14 days, down 80% from the usual 15.",
    },
  ],
});

const task = (key: string, action: Task["action"]): Task => ({
  accountId: "acc",
  playbook: "adoption-rescue",
  title: "Ebb: Co 0 is at risk — usage drop",
  body: "Health 30/100 (at risk, decaying).",
  dueAt: "2025-03-04",
  priority: "high",
  dedupeKey: key,
  action,
});

const writes = (sb: HubSpotSandbox, from: number) =>
  sb.state.calls.slice(from).filter((c) => /batch\/(update|create)$/.test(c.path));

describe("HubSpot writeback", () => {
  it("creates the Ebb property group and properties once", async () => {
    sandbox = await startHubSpotSandbox({ state: portal(1) });
    const ctx = sandboxContext(sandbox, hubspotBudget());
    const first = await ensureHubSpotSetup(ctx);
    const second = await ensureHubSpotSetup(ctx);
    expect(first.created).toContain(`companies.${SCORE_PROPERTIES.score}`);
    expect(first.created).toContain(`tasks.${DEDUPE_PROPERTY}`);
    expect(second.created).toEqual([]);
    expect(sandbox.state.propertyGroups.get("companies")).toEqual(new Set(["ebb"]));
  });

  it("writes only changed values, in batches of 100, and nothing when nothing changed", async () => {
    sandbox = await startHubSpotSandbox({ state: portal(150) });
    const ctx = sandboxContext(sandbox, hubspotBudget());
    await ensureHubSpotSetup(ctx);
    const changes: AccountChange[] = [...sandbox.state.objects.companies.keys()].map((id) => ({
      externalId: id,
      snapshot: snapshot(`hs-company-${id}`, 80),
      tasks: [],
    }));
    let mark = sandbox.state.calls.length;
    const first = await pushHubSpot(ctx, changes);
    expect(first.writeCalls).toBe(2);
    expect(first.updatedRecords).toBe(150);
    expect(writes(sandbox, mark)).toHaveLength(2);
    expect(sandbox.state.objects.companies.get("500")?.properties[SCORE_PROPERTIES.score]).toBe(
      "80",
    );

    mark = sandbox.state.calls.length;
    const again = await pushHubSpot(
      ctx,
      changes.map((c) => ({ ...c, lastWritten: first.written[c.externalId] })),
    );
    expect(again.writeCalls).toBe(0);
    expect(sandbox.state.calls.length).toBe(mark);

    mark = sandbox.state.calls.length;
    const one = changes.map((c) => ({
      ...c,
      lastWritten: first.written[c.externalId],
      snapshot: c.externalId === "501" ? snapshot("hs-company-501", 30) : c.snapshot,
    }));
    const changed = await pushHubSpot(ctx, one);
    expect(changed.writeCalls).toBe(1);
    expect(changed.updatedRecords).toBe(1);
    expect(sandbox.state.objects.companies.get("501")?.properties[SCORE_PROPERTIES.band]).toBe(
      "at_risk",
    );
  });

  it("opens one task per episode, owned and associated to the company, never twice when retried, and completes it on close", async () => {
    sandbox = await startHubSpotSandbox({ state: portal(2) });
    const ctx = sandboxContext(sandbox, hubspotBudget());
    await ensureHubSpotSetup(ctx);
    const open: AccountChange = {
      externalId: "500",
      ownerId: "70001",
      snapshot: snapshot("hs-company-500", 30),
      tasks: [task("acc/adoption-rescue/2025-03-01", "open")],
    };
    const first = await pushHubSpot(ctx, [open]);
    expect(first.tasksCreated).toBe(1);
    // HubSpot's search has not indexed the new task yet (it trails writes by seconds)...
    const searched = await createHubSpotApi(ctx).search("tasks", {
      filterGroups: [
        {
          filters: [
            {
              propertyName: DEDUPE_PROPERTY,
              operator: "EQ",
              value: "acc/adoption-rescue/2025-03-01",
            },
          ],
        },
      ],
      sorts: [],
      properties: [],
      limit: 10,
    });
    expect(searched.total).toBe(0);
    // ...and the same push, retried at once after a crash (the store never saw the result), still
    // creates no second task.
    const retried = await pushHubSpot(ctx, [open]);
    expect(retried.tasksCreated).toBe(0);
    const tasks = [...sandbox.state.objects.tasks.values()];
    expect(tasks).toHaveLength(1);
    const t = tasks[0];
    expect(t?.properties).toMatchObject({
      hs_task_status: "NOT_STARTED",
      hs_task_priority: "HIGH",
      hubspot_owner_id: "70001",
      [DEDUPE_PROPERTY]: "acc/adoption-rescue/2025-03-01",
    });
    expect(sandbox.state.associated("tasks", t?.id ?? "", "companies")).toEqual(["500"]);

    const close: AccountChange = {
      ...open,
      snapshot: snapshot("hs-company-500", 85),
      tasks: [task("acc/adoption-rescue/2025-03-01", "close")],
    };
    const closed = await pushHubSpot(ctx, [close]);
    expect(closed.tasksCompleted).toBe(1);
    expect(sandbox.state.objects.tasks.get(t?.id ?? "")?.properties.hs_task_status).toBe(
      "COMPLETED",
    );
    const closedAgain = await pushHubSpot(ctx, [close]);
    expect(closedAgain.tasksCompleted).toBe(0);
    expect(closedAgain.writeCalls).toBe(1); // the unchanged fields were written again only because no lastWritten was passed
  });

  it("writes only what HubSpot's property types accept, and a churned company's final state", async () => {
    sandbox = await startHubSpotSandbox({ state: portal(1) });
    const ctx = sandboxContext(sandbox, hubspotBudget());
    await ensureHubSpotSetup(ctx);
    const api = createHubSpotApi(ctx);
    // What HubSpot refuses: an unknown property, a number that is not one, a value outside an
    // enumeration, a date that is not at midnight UTC — the whole batch, with 400.
    for (const [name, value, error] of [
      ["ebb_no_such_property", "1", "PROPERTY_DOESNT_EXIST"],
      [SCORE_PROPERTIES.score, "high", "INVALID_INTEGER"],
      [SCORE_PROPERTIES.band, "great", "INVALID_OPTION"],
      [SCORE_PROPERTIES.scoredAt, "2025-03-01T10:00:00Z", "INVALID_DATE"],
    ] as const) {
      const err = await api
        .batchUpdate("companies", [{ id: "500", properties: { [name]: value } }])
        .catch((e: unknown) => e as ConnectorError);
      expect(err, name).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).status).toBe(400);
      expect((err as ConnectorError).message).toContain(error);
      expect((err as ConnectorError).message).toContain(name);
    }
    expect(
      sandbox.state.objects.companies.get("500")?.properties[SCORE_PROPERTIES.score],
    ).toBeUndefined();
    // Every value Ebb writes is accepted, the churned final state included.
    const scored = await pushHubSpot(ctx, [
      { externalId: "500", snapshot: snapshot("hs-company-500", 30), tasks: [task("k1", "open")] },
    ]);
    expect(scored.failures).toEqual([]);
    const ended = await pushHubSpot(ctx, [
      {
        externalId: "500",
        snapshot: snapshot("hs-company-500", 30),
        tasks: [],
        churnedAt: "2025-03-02",
        ...(scored.written["500"] ? { lastWritten: scored.written["500"] } : {}),
      },
    ]);
    expect(ended.failures).toEqual([]);
    const p = sandbox.state.objects.companies.get("500")?.properties ?? {};
    expect(p[SCORE_PROPERTIES.band]).toBe("churned");
    expect(p[SCORE_PROPERTIES.score]).toBe("");
    expect(p[SCORE_PROPERTIES.reasons]).toBe(
      "Churned on 2025-03-02; Ebb no longer scores this customer.",
    );
  });
});
