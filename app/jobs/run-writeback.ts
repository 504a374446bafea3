// One writeback message: push what the tenant store says is owed to the vendor, in batches, then
// record what was written. A retried message finds tasks by their dedupe key and creates none twice.
import type { PushResult } from "../../connectors/connector.ts";
import { emptyPushResult } from "../../connectors/records.ts";
import { getConnection, listConnections } from "../db/directory-repo.ts";
import { type Deps, gateContext } from "../deps.ts";
import { taskVendorsOf } from "../vendors.ts";
import { PoisonMessage } from "./errors.ts";
import type { WritebackJob } from "./messages.ts";

/** Accounts per push: 5 batch-update calls of 100 companies each. */
const CHUNK = 500;

export async function runWriteback(deps: Deps, job: WritebackJob): Promise<PushResult> {
  const conn = await getConnection(deps.db, job.connectionId);
  if (!conn || conn.tenant_id !== job.tenantId)
    throw new PoisonMessage(`no connection ${job.connectionId} for tenant ${job.tenantId}`);
  const total = emptyPushResult();
  if (conn.status !== "active") return total;
  const vendor = deps.vendors.find(conn.vendor);
  if (!vendor)
    throw new PoisonMessage(
      `connection ${conn.id} is for ${conn.vendor}, which this Worker does not serve`,
    );
  const store = deps.tenant(conn.tenant_id);
  const ctx = gateContext(deps, conn.id, vendor, conn.external_id);
  // Tasks go into one CRM of the tenant's (its task home); the others get fields only.
  const connected = await listConnections(deps.db, { tenantId: conn.tenant_id, status: "active" });
  const withTasks =
    vendor.connector.writesTasks &&
    (await store.taskHome(taskVendorsOf(deps.vendors, connected))) === vendor.id;
  for (;;) {
    const changes = await store.pendingWriteback(
      vendor.id,
      CHUNK,
      deps.now(),
      withTasks,
      vendor.connector.pushSeriesDays ?? 0,
    );
    if (changes.length === 0) break;
    const r = await vendor.connector.push(ctx, vendor.settings, changes);
    await store.recordWriteback(vendor.id, changes, r, deps.now());
    total.writeCalls += r.writeCalls;
    total.updatedRecords += r.updatedRecords;
    total.tasksCreated += r.tasksCreated;
    total.tasksCompleted += r.tasksCompleted;
    total.failures.push(...r.failures);
    Object.assign(total.written, r.written);
    // Failed accounts stay pending; the next writeback tries them again rather than this loop.
    if (changes.length < CHUNK || r.failures.length > 0) break;
  }
  return total;
}
