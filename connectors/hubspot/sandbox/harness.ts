// What the shared contract suite needs from the HubSpot sandbox: start it seeded, make a connection
// context, inject faults, and count what was written.
import type { Portfolio } from "../../../core/model.ts";
import type { SandboxHarness } from "../../connector.ts";
import { createWindowBudget } from "../../limits.ts";
import { HUBSPOT_LIMITS } from "../client.ts";
import { seedPortal } from "./seed.ts";
import { startHubSpotSandbox } from "./server.ts";

export async function startHubSpotHarness(p: Portfolio): Promise<SandboxHarness> {
  const seeded = seedPortal(p);
  const sandbox = await startHubSpotSandbox({ state: seeded.state });
  const budget = createWindowBudget(HUBSPOT_LIMITS);
  const first = p.accounts[0];
  return {
    ctx: {
      baseUrl: sandbox.url,
      accessToken: async () => sandbox.token,
      budget,
      now: () => Date.now(),
      log: () => {},
    },
    firstAccountId: (first && seeded.ids.get(`companies:${first.id}`)) ?? "",
    inject: (kind, count) => sandbox.faults.push({ kind, atCall: sandbox.callCount() + 1, count }),
    calls: () => sandbox.state.calls,
    taskCount: () => sandbox.state.objects.tasks.size,
    token: sandbox.token,
    close: () => sandbox.close(),
  };
}
