// The sandbox refuses what HubSpot refuses. Batch reads: at most 100 inputs, and at most 50 when the
// call asks for property history (HubSpot answers 400 VALIDATION_ERROR above that; the operation is
// `post-/crm/v3/objects/companies/batch/read_read` in the public spec collection's
// PublicApiSpecs/CRM/Companies/Rollouts/424/v3/companies.json, whose schema states no limit: the 50
// is HubSpot's documented message for property histories).
import { afterEach, describe, expect, it } from "vitest";
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
