// What the shared contract suite needs from Tally's sandbox: start it seeded, a connection context
// with the sandbox's test token, faults, the call log and the tasks written.
import type { SandboxHarness } from "../../connectors/connector.ts";
import { createWindowBudget } from "../../connectors/limits.ts";
import type { Portfolio } from "../../core/model.ts";
import { startTallySandbox, TALLY_TEST_TOKEN } from "./sandbox.ts";

export async function startHarness(p: Portfolio): Promise<SandboxHarness> {
  const sandbox = await startTallySandbox(p);
  const first = p.accounts[0];
  return {
    ctx: {
      baseUrl: sandbox.url,
      accessToken: async () => TALLY_TEST_TOKEN,
      budget: createWindowBudget({ default: { max: 50, windowMs: 1000 } }),
      now: () => Date.now(),
      log: () => {},
    },
    firstAccountId: first ? `c-${first.id}` : "",
    inject: (kind, count) => sandbox.inject(kind, count),
    calls: () => sandbox.state.calls.filter((c) => c.path.startsWith("/v1/")),
    taskCount: () => Object.keys(sandbox.state.tasks).length,
    token: TALLY_TEST_TOKEN,
    close: () => sandbox.close(),
  };
}
