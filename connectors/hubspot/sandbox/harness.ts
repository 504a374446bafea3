// What the shared contract suite needs from the HubSpot sandbox: start it seeded, make a connection
// context, inject faults, and count what was written.
import type { Portfolio } from "../../../core/model.ts";
import type { ConnectorContext } from "../../connector.ts";
import { createWindowBudget } from "../../limits.ts";
import { HUBSPOT_LIMITS } from "../client.ts";
import { seedPortal } from "./seed.ts";
import { type FaultKind, startHubSpotSandbox } from "./server.ts";

export interface SandboxHarness {
  ctx: ConnectorContext;
  /** The vendor id of the first account, for pushes. */
  firstAccountId: string;
  /** Make the next `count` API calls fail with `kind`. */
  inject(kind: FaultKind, count: number): void;
  calls(): { status: number; path: string }[];
  /** How many tasks exist in the vendor. */
  taskCount(): number;
  token: string;
  close(): Promise<void>;
}

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
