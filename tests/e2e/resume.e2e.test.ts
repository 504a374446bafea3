// A crash mid-sync, for real: the Worker runs under wrangler dev with its local state on disk, the
// first full sync is under way, workerd is killed, and wrangler dev is started again on the same
// state. The sync goes on from its saved cursor: every record arrives once, the pages already
// stored are not pulled again, and the writeback after it creates no task twice.
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { askStatus, type DemoStatus, installThroughSandbox } from "../../cli/local-demo.ts";
import {
  demoStateDir,
  freePort,
  type LocalWorker,
  startLocalWorker,
} from "../../cli/local-worker.ts";
import { pullHubSpot } from "../../connectors/hubspot/pull.ts";
import { seedPortal } from "../../connectors/hubspot/sandbox/seed.ts";
import {
  type HubSpotSandbox,
  startHubSpotSandbox,
} from "../../connectors/hubspot/sandbox/server.ts";
import { DEFAULT_SETTINGS } from "../../connectors/hubspot/settings.ts";
import { addDays } from "../../core/day.ts";
import { portfolioAsOf } from "../../core/generate/as-of.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import { applyPages, sandboxContext } from "../support/hubspot.ts";
import { alive, descendants } from "../support/processes.ts";
import { until } from "../support/wait.ts";

let sandbox: HubSpotSandbox | undefined;
let worker: LocalWorker | undefined;
afterAll(async () => {
  await worker?.stop();
  await sandbox?.close();
});

// npm start's portfolio: two years up to today, cut from a longer story so some accounts decay now
// (it writes follow-up tasks).
const today = new Date().toISOString().slice(0, 10);
const portfolio = portfolioAsOf(
  generatePortfolio({ accounts: 120, seed: 42, start: addDays(today, -730), days: 880 }).portfolio,
  today,
);

describe("killing workerd in the middle of the first sync", () => {
  it("resumes from the saved cursor after a restart: nothing lost, nothing pulled or written twice", async () => {
    // What a clean pull of this portal gives: records per kind, and pages.
    const ref = await startHubSpotSandbox({ state: seedPortal(portfolio).state });
    const expected = new Map<string, Map<string, unknown>>();
    let refPages = 0;
    for await (const page of pullHubSpot(sandboxContext(ref), DEFAULT_SETTINGS, undefined)) {
      applyPages(expected, page);
      refPages++;
    }
    const refCalls = ref.callCount();
    await ref.close();

    // The same portal, each call slowed so the sync is still under way when workerd dies.
    sandbox = await startHubSpotSandbox({
      state: seedPortal(portfolio).state,
      faults: [{ kind: "slow", atCall: 1, count: 1_000_000, delayMs: 150 }],
    });
    const tokenKey = randomBytes(32).toString("base64");
    const stateDir = demoStateDir("e2e-resume");
    const port = await freePort();
    worker = await startLocalWorker({ port, hubspotUrl: sandbox.url, stateDir, tokenKey });
    const cookie = await installThroughSandbox(worker.url);
    const status = () => askStatus(worker as LocalWorker, cookie);
    // Killed by the sandbox's own count of the calls served, not by polling the Worker (a loaded
    // machine can answer a status poll only after the sync is over): at 40% of a clean pull's calls.
    const killAt = Math.round(refCalls * 0.4);
    await until(
      `the sync to make ${killAt} calls`,
      async () => ((sandbox?.callCount() ?? 0) >= killAt ? true : undefined),
      240_000,
    );
    const workerd = descendants(worker.pid).find((p) => /workerd serve/.test(p.args));
    expect(workerd).toBeDefined();
    process.kill(workerd?.pid ?? 0, "SIGKILL");
    await until(
      "workerd to die",
      async () => (alive(workerd?.pid ?? 0) ? undefined : true),
      10_000,
    );
    await worker.stop();

    // Started again on the state it left. wrangler dev's local queue does not keep messages across
    // a restart (Cloudflare's redelivers an unacknowledged one), so the admin presses "Sync now":
    // that run is deferred until the dead run's lease lapses, then goes on from its cursor.
    worker = await startLocalWorker({
      port,
      hubspotUrl: sandbox.url,
      stateDir,
      keepState: true,
      tokenKey,
    });
    // What the dead run left: some pages stored, the run not finished, its lease still held.
    const mid = await status();
    expect(mid.syncs[0]?.status).toBe("running");
    expect(mid.syncs[0]?.last_success_at).toBeNull();
    const pagesAtKill = mid.syncs[0]?.pages ?? 0;
    expect(pagesAtKill).toBeGreaterThan(0);
    expect(pagesAtKill).toBeLessThan(refPages);
    const { csrf } = (await (
      await fetch(`${worker.url}/admin/api/session`, { headers: { cookie } })
    ).json()) as { csrf: string };
    const pressed = await fetch(`${worker.url}/admin/sync`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf }),
    });
    expect(pressed.status).toBe(303);
    const done = await until<DemoStatus>(
      "the sync to finish after the restart",
      async () => {
        const s = await status();
        const sync = s.syncs[0];
        return sync?.last_success_at && s.lastScore && !s.scoring && s.pendingWriteback === 0
          ? s
          : undefined;
      },
      360_000,
    );
    const sync = done.syncs[0];
    // Nothing lost, nothing doubled: exactly the records a clean pull gives, by kind.
    expect(done.accounts).toBe(expected.get("accounts")?.size);
    const rows = Object.fromEntries(
      (done as DemoStatus & { dataAge: { kind: string; rows: number }[] }).dataAge.map((a) => [
        a.kind,
        a.rows,
      ]),
    );
    for (const [kind, m] of expected)
      if (kind !== "accounts") expect(rows[kind], kind).toBe(m.size);
    // Resumed behind the stored pages, not from the start (the page in flight at the kill may be
    // pulled again).
    expect(sync?.pages).toBeGreaterThanOrEqual(refPages);
    expect(sync?.pages).toBeLessThanOrEqual(refPages + 1);
    // The writeback after it: health fields on every company, one task per dedupe key.
    const written = [...sandbox.state.objects.companies.values()].filter(
      (c) => c.properties.ebb_health_score != null,
    );
    expect(written).toHaveLength(120);
    const keys = [...sandbox.state.objects.tasks.values()]
      .map((t) => t.properties.ebb_dedupe_key)
      .filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
  }, 600_000);
});
