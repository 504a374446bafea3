// What the shared contract suite needs from the Salesforce sandbox: start it seeded, make a
// connection context, inject faults, and count the tasks a push made.
import type { Portfolio } from "../../../core/model.ts";
import type { SandboxHarness } from "../../connector.ts";
import { createWindowBudget } from "../../limits.ts";
import { SALESFORCE_LIMITS } from "../client.ts";
import { TASK_KEY_FIELD } from "../map.ts";
import { seedOrg } from "./seed.ts";
import { startSalesforceSandbox } from "./server.ts";

export async function startSalesforceHarness(p: Portfolio): Promise<SandboxHarness> {
  const seeded = seedOrg(p);
  const sandbox = await startSalesforceSandbox({ state: seeded.state, maxBatch: 2000 });
  const first = p.accounts[0];
  return {
    ctx: {
      baseUrl: sandbox.url,
      accessToken: async () => sandbox.token,
      budget: createWindowBudget(SALESFORCE_LIMITS),
      now: () => Date.now(),
      log: () => {},
    },
    firstAccountId: (first && seeded.ids.get(`accounts:${first.id}`)) ?? "",
    // Salesforce has no 429: its transient throttle is the concurrency limit, a 403.
    inject: (kind, count) =>
      sandbox.faults.push({
        kind: kind === "rate_limit" ? "concurrent_limit" : "malformed",
        atCall: sandbox.callCount() + 1,
        count,
      }),
    throttleStatus: 403,
    calls: () => sandbox.state.calls.map((c) => ({ status: c.status, path: c.path })),
    taskCount: () =>
      [...sandbox.state.table("Task").values()].filter((t) => !t.IsDeleted && t[TASK_KEY_FIELD])
        .length,
    token: sandbox.token,
    close: () => sandbox.close(),
  };
}
