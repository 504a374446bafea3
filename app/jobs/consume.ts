// The queue consumer and the cron planner. Errors are mapped here, once: retryable vendor failures
// retry with a delay, a revoked connection is marked and dropped, poison is recorded and acked.
import { ConnectorError } from "../../connectors/errors.ts";
import { listConnections, markConnection, recordJobFailure } from "../db/directory-repo.ts";
import type { Deps } from "../deps.ts";
import { PoisonMessage } from "./errors.ts";
import { Job, syncJob } from "./messages.ts";
import { runScore } from "./run-score.ts";
import { runSync } from "./run-sync.ts";
import { runWriteback } from "./run-writeback.ts";

/** Deliveries before a failing message is recorded and dropped (the queue's max_retries is 5). */
export const MAX_ATTEMPTS = 5;

/** Cron only plans: one incremental sync per active connection. */
export async function planSyncs(deps: Deps): Promise<number> {
  const connections = await listConnections(deps.db, { status: "active" });
  await deps.enqueue(connections.map((c) => syncJob(c.tenant_id, c.id, "cron")));
  return connections.length;
}

export async function consume(deps: Deps, batch: MessageBatch<unknown>): Promise<void> {
  for (const msg of batch.messages) await handle(deps, msg);
}

async function handle(deps: Deps, msg: Message<unknown>): Promise<void> {
  const parsed = Job.safeParse(msg.body);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
      .join("; ");
    await recordJobFailure(deps.db, {
      messageId: msg.id,
      body: msg.body,
      error: `invalid message: ${problem}`,
      at: deps.now(),
    });
    msg.ack();
    return;
  }
  const job = parsed.data;
  // A score job belongs to a tenant, not to one connection.
  const connectionId = "connectionId" in job ? job.connectionId : undefined;
  const noteError = async (change: Parameters<typeof markConnection>[2]) => {
    if (connectionId) await markConnection(deps.db, connectionId, change);
  };
  try {
    const result =
      job.kind === "sync"
        ? await runSync(deps, job)
        : job.kind === "score"
          ? await runScore(deps, job)
          : await runWriteback(deps, job);
    console.log(
      JSON.stringify({
        event: `job.${job.kind}`,
        tenant: job.tenantId,
        connection: connectionId,
        ...logged(result),
      }),
    );
    // Another delivery holds the connection's lease: come back when it would have lapsed (it is
    // released earlier if that delivery finishes; then this one finds the run done, or runs). A
    // live run that keeps the lease through every attempt covers what this one would read: after
    // the last attempt the message is acknowledged, not sent to the dead-letter queue.
    if ("retryInMs" in result && msg.attempts < MAX_ATTEMPTS)
      msg.retry({ delaySeconds: Math.ceil(result.retryInMs / 1000) + 1 });
    else msg.ack();
  } catch (e) {
    const err = e as Error;
    const give = async (reason: string) => {
      await recordJobFailure(deps.db, {
        messageId: msg.id,
        tenantId: job.tenantId,
        connectionId,
        body: job,
        error: reason,
        at: deps.now(),
      });
      msg.ack();
    };
    if (e instanceof PoisonMessage) return give(err.message);
    // A spent allowance (Ebb's share of a vendor's daily calls): the same job again once it allows;
    // a paused sync has ended its run as paused, so it resumes from its cursor.
    if (e instanceof ConnectorError && e.code === "paused") {
      const afterMs = e.retryAfterMs ?? 60 * 60_000;
      await noteError({
        lastError: `Paused until ${new Date(deps.now() + afterMs).toISOString()}: ${e.message}`,
      });
      await deps.enqueue([job], { delaySeconds: afterMs / 1000 });
      msg.ack();
      return;
    }
    if (e instanceof ConnectorError && !e.retryable) {
      // Authorization gone (uninstalled, revoked, refresh refused): stop syncing until the admin
      // reinstalls. A 403 is not that: the pull skips what it may not read; one it cannot skip
      // fails this message only, and the next sync tries again.
      if (e.code === "auth") await noteError({ status: "error", lastError: e.message });
      else await noteError({ lastError: e.message.slice(0, 500) });
      return give(`${e.code}: ${e.message}`);
    }
    if (msg.attempts >= MAX_ATTEMPTS)
      return give(`gave up after ${msg.attempts} attempts: ${err.message}`);
    await noteError({ lastError: err.message.slice(0, 500) });
    const afterMs = e instanceof ConnectorError ? (e.retryAfterMs ?? 0) : 0;
    const backoffS = Math.min(300, 5 * 2 ** (msg.attempts - 1));
    msg.retry({ delaySeconds: Math.max(Math.ceil(afterMs / 1000), backoffS) });
  }
}

/**
 * What a job's result may say in the logs: counts and ids only. The writeback's field values carry
 * the reasons' evidence (ticket topics, contacts' activity), which stays out of logs.
 */
export function logged(result: object): Record<string, unknown> {
  const { written, failures, ...counts } = result as {
    written?: Record<string, unknown>;
    failures?: { externalId: string }[];
  };
  return {
    ...counts,
    ...(written ? { writtenRecords: Object.keys(written).length } : {}),
    ...(failures ? { failedIds: failures.map((f) => f.externalId) } : {}),
  };
}
