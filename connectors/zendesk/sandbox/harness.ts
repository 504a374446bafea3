// What the shared contract suite needs from the Zendesk sandbox: start it seeded, make a connection
// context, inject faults, and count what was written. The suite pulls a small portfolio several
// times in a row, so the harness lifts the exports' 10 per minute (its budget matches); the pull
// tests and the bench run at Zendesk's own limits.
import type { Portfolio } from "../../../core/model.ts";
import type { SandboxHarness } from "../../connector.ts";
import { createWindowBudget } from "../../limits.ts";
import { ZENDESK_LIMITS } from "../client.ts";
import { seedAccount } from "./seed.ts";
import { startZendeskSandbox } from "./server.ts";

const SUITE_LIMITS = { ...ZENDESK_LIMITS, export: { max: 100, windowMs: 60_000 } };

export async function startZendeskHarness(p: Portfolio): Promise<SandboxHarness> {
  const seeded = seedAccount(p);
  const sandbox = await startZendeskSandbox({
    state: seeded.state,
    exportsPerMinute: 100,
    jobMs: 50,
  });
  const budget = createWindowBudget(SUITE_LIMITS);
  const first = p.accounts[0];
  return {
    ctx: {
      baseUrl: sandbox.url,
      accessToken: async () => sandbox.token,
      budget,
      now: () => Date.now(),
      log: () => {},
    },
    firstAccountId: String((first && seeded.ids.get(`accounts:${first.id}`)) ?? ""),
    inject: (kind, count) => sandbox.faults.push({ kind, atCall: sandbox.callCount() + 1, count }),
    calls: () => sandbox.state.calls.map((c) => ({ status: c.status, path: c.path })),
    // Zendesk holds no tasks: what a push writes is organization fields and tags.
    taskCount: () => 0,
    token: sandbox.token,
    close: () => sandbox.close(),
  };
}
