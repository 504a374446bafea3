// One sync message: take the connection's lease in the tenant store, pull pages through the gate
// from the saved cursor and store each with its cursor; pause into a new message after a budget of
// pages or time; at the end, start scoring what changed (which queues the writeback when done).

import type { SetupResult } from "../../connectors/connector.ts";
import { ConnectorError } from "../../connectors/errors.ts";
import { getConnection, listConnections, markConnection } from "../db/directory-repo.ts";
import { type Deps, dayOf, gateContext } from "../deps.ts";
import { LEASE_MS } from "../tenant/sync-repo.ts";
import { ticketSourcesOf } from "../vendors.ts";
import { sliceBatch } from "./chunk-batch.ts";
import { PoisonMessage } from "./errors.ts";
import type { SyncJob } from "./messages.ts";

export interface SyncBudget {
  /** Pages stored before the run continues in a fresh message. */
  maxPages: number;
  maxMs: number;
}

export const DEFAULT_SYNC_BUDGET: SyncBudget = { maxPages: 50, maxMs: 60_000 };

export type SyncOutcome =
  /** Pulled to the end; scoring has started, or will run again after the one running. */
  | { status: "done"; pages: number; scoring: "started" | "queued" }
  | { status: "continued"; pages: number }
  /** Another live delivery holds the connection: try this message again after `retryInMs`. */
  | { status: "busy"; retryInMs: number }
  /** A redelivery of a run that has already finished: nothing to pull (its scoring is started). */
  | { status: "finished" | "inactive" };

export async function runSync(
  deps: Deps,
  job: SyncJob,
  budget: SyncBudget = DEFAULT_SYNC_BUDGET,
): Promise<SyncOutcome> {
  const conn = await getConnection(deps.db, job.connectionId);
  if (!conn || conn.tenant_id !== job.tenantId)
    throw new PoisonMessage(`no connection ${job.connectionId} for tenant ${job.tenantId}`);
  if (conn.status !== "active") return { status: "inactive" };
  const vendor = deps.vendors.find(conn.vendor);
  if (!vendor)
    throw new PoisonMessage(
      `connection ${conn.id} is for ${conn.vendor}, which this Worker does not serve`,
    );
  const store = deps.tenant(conn.tenant_id);
  // This delivery of the message: a second delivery of the same run is a different holder.
  const holder = crypto.randomUUID();
  const lease = await store.beginSync(conn.id, vendor.id, job.runId, holder, deps.now());
  if (!lease.ok) {
    if (!lease.finished) return { status: "busy", retryInMs: lease.retryInMs };
    // The run is over; the delivery that finished it may have died before its scoring started.
    await startScoring(deps, store, conn);
    return { status: "finished" };
  }
  const ctx = gateContext(deps, conn.id, vendor, conn.external_id);
  const connections = await listConnections(deps.db, {
    tenantId: conn.tenant_id,
    status: "active",
  });
  const ticketSources = ticketSourcesOf(deps.vendors, connections);
  const started = deps.now();
  let pages = 0;
  let storeMs = 0;
  try {
    if (!conn.setup_done) {
      const setup = (await vendor.connector.install.setup(ctx)) as SetupResult | undefined;
      // Secrets the vendor generated for this connection (webhook signing secrets) are sealed in
      // its gate before setup counts as done: a crash in between runs setup again, which finds
      // what it made and reads their secrets again.
      if (setup?.webhookSecrets)
        await deps.gate(conn.id).saveSecrets(conn.id, setup.webhookSecrets);
      await markConnection(deps.db, conn.id, { setupDone: true });
    }
    for await (const page of vendor.connector.pull(
      ctx,
      vendor.settings,
      lease.cursorJson ? JSON.parse(lease.cursorJson) : undefined,
    )) {
      const storeStarted = Date.now();
      const slices = sliceBatch(page.records);
      let stored = true;
      for (const [k, slice] of slices.entries()) {
        const last = k === slices.length - 1;
        const r = await store.applyPage(
          conn.id,
          vendor.id,
          job.runId,
          holder,
          slice,
          last ? { cursor: page.cursor, refused: page.refused ?? [] } : null,
          deps.now(),
          ticketSources,
        );
        stored &&= r.stored;
        if (!stored) break;
      }
      storeMs += Date.now() - storeStarted;
      if (!stored) return { status: "busy", retryInMs: LEASE_MS };
      pages++;
      if (page.done) break;
      if (pages >= budget.maxPages || deps.now() - started >= budget.maxMs) {
        await store.endSync(
          conn.id,
          vendor.id,
          job.runId,
          holder,
          { paused: true, storeMs },
          deps.now(),
        );
        await deps.enqueue([job]);
        return { status: "continued", pages };
      }
    }
  } catch (e) {
    // A spent allowance is not a failure: what was stored stays, the cursor after it too; the run
    // continues in the same message queued again later (consume does that for every job).
    const paused = e instanceof ConnectorError && e.code === "paused";
    await store.endSync(
      conn.id,
      vendor.id,
      job.runId,
      holder,
      paused ? { paused: true, storeMs } : { error: (e as Error).message, storeMs },
      deps.now(),
    );
    throw e;
  }
  await store.endSync(conn.id, vendor.id, job.runId, holder, { storeMs }, deps.now());
  const scoring = await startScoring(deps, store, conn, connections);
  await markConnection(deps.db, conn.id, { lastError: null });
  return { status: "done", pages, scoring: scoring.started ? "started" : "queued" };
}

/**
 * Scoring runs in the tenant's store, a slice of accounts per store call driven by score
 * messages; every connection's writeback is queued when it is done. Starting it again when nothing
 * changed plans nothing and only queues the writeback.
 */
async function startScoring(
  deps: Deps,
  store: ReturnType<Deps["tenant"]>,
  conn: { id: string; tenant_id: string },
  /** The tenant's active connections, when this invocation has read them already. */
  known?: { id: string; vendor: string }[],
) {
  const connections =
    known ?? (await listConnections(deps.db, { tenantId: conn.tenant_id, status: "active" }));
  // New records from one vendor change the scores every vendor shows: each connection's
  // writeback follows.
  const scoring = await store.startScoring(
    dayOf(deps.now()),
    [...new Set(connections.map((c) => c.vendor))],
    connections.map((c) => ({
      kind: "writeback" as const,
      tenantId: conn.tenant_id,
      connectionId: c.id,
    })),
  );
  if (scoring.drive) await deps.enqueue([{ kind: "score", tenantId: conn.tenant_id }]);
  return scoring;
}
