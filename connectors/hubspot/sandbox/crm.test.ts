// The sandbox refuses what HubSpot refuses. Batch reads: at most 100 inputs, and at most 50 when the
// call asks for property history (HubSpot answers 400 VALIDATION_ERROR above that; the operation is
// `post-/crm/v3/objects/companies/batch/read_read` in the public spec collection's
// PublicApiSpecs/CRM/Companies/Rollouts/424/v3/companies.json, whose schema states no limit: the 50
// is HubSpot's documented message for property histories).
import { afterEach, describe, expect, it } from "vitest";
import { createSlotPlanner } from "../../limits.ts";
import { HUBSPOT_LIMITS } from "../client.ts";
import { createRateLimits } from "./limits.ts";
import { startHubSpotSandbox } from "./server.ts";
import { PortalState } from "./state.ts";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function batchRead(ids: number, withHistory: string[]) {
  const state = new PortalState();
  for (let k = 1; k <= ids; k++)
    state.put("companies", {
      id: String(k),
      properties: { name: `Co ${k}`, hs_object_id: String(k) },
      history: {},
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-01-01T00:00:00.000Z",
      archived: false,
    });
  const sandbox = await startHubSpotSandbox({ state });
  close = sandbox.close;
  const res = await fetch(`${sandbox.url}/crm/v3/objects/companies/batch/read`, {
    method: "POST",
    headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      inputs: Array.from({ length: ids }, (_, k) => ({ id: String(k + 1) })),
      properties: ["name"],
      propertiesWithHistory: withHistory,
    }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { category?: string; message?: string },
  };
}

describe("the sandbox's batch read", () => {
  it("refuses more than 50 records when property history is asked for, as HubSpot does", async () => {
    const r = await batchRead(51, ["ebb_active_users"]);
    expect(r.status).toBe(400);
    expect(r.body.category).toBe("VALIDATION_ERROR");
    expect(r.body.message).toContain("property histories is 50");
  });

  it("reads 50 with history, and 100 without", async () => {
    expect((await batchRead(50, ["ebb_active_users"])).status).toBe(200);
    expect((await batchRead(100, [])).status).toBe(200);
    expect((await batchRead(101, [])).status).toBe(400);
  });
});

describe("HubSpot's rate limits", () => {
  // The spec exempts CRM search and v4 association batches from the 10-second window
  // (`x-hubspot-rate-limit-exemptions: ["ten-secondly"]` on post-/crm/v3/objects/companies/search,
  // PublicApiSpecs/CRM/Companies/Rollouts/424/v3/companies.json, and on the batch operations of
  // PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/associations.json).
  it("the sandbox does not count search or association batches in the 110 per 10 s", () => {
    const limits = createRateLimits({});
    for (let k = 0; k < 110; k++)
      expect(limits.admit("/crm/v3/objects/companies/batch/read", k).ok).toBe(true);
    expect(limits.admit("/crm/v3/objects/companies/batch/read", 200).ok).toBe(false);
    expect(limits.admit("/crm/v3/objects/companies/search", 200).ok).toBe(true);
    expect(limits.admit("/crm/v4/associations/contacts/companies/batch/read", 200).ok).toBe(true);
    // Search keeps its own 5 per second.
    for (let k = 0; k < 4; k++)
      expect(limits.admit("/crm/v3/objects/tickets/search", 300).ok).toBe(true);
    expect(limits.admit("/crm/v3/objects/tickets/search", 300).ok).toBe(false);
  });

  it("the connection's budget spends both at once: a search never waits for the 10-second window", () => {
    const planner = createSlotPlanner(HUBSPOT_LIMITS);
    for (let k = 0; k < 110; k++) planner.reserve("default", 0);
    expect(planner.reserve("default", 0)).toBeGreaterThanOrEqual(10_000);
    expect(planner.reserve("search", 0)).toBe(0);
    expect(planner.reserve("associations", 0)).toBe(0);
  });
});
