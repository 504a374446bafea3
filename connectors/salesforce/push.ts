// Write Ebb's health into Salesforce: the packaged Account fields through sObject Collections (200
// records a call, allOrNone false, per-record failures reported), only the values that changed
// since the last write; and follow-up Tasks on the account, upserted by Ebb's external-id field so a
// retried push updates the task it made instead of making a second, completed when the episode
// closes. Setup checks that Ebb's package is installed (its fields exist): fields are not created by
// API calls in Salesforce, they come with the package.
import type { AccountChange, ConnectorContext, PushResult } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { emptyPushResult } from "../records.ts";
import { COLLECTION_MAX, createSalesforceApi, type SalesforceApi } from "./client.ts";
import { HEALTH_FIELDS, healthFields, TASK_KEY_FIELD, taskRecord } from "./map.ts";

const asText = (v: string | number | null): string => (v === null ? "" : String(v));

export async function ensureSalesforceSetup(
  ctx: ConnectorContext,
  api: SalesforceApi = createSalesforceApi(ctx),
): Promise<{ packageFields: number }> {
  const account = await api.describe("Account");
  const task = await api.describe("Task");
  const have = new Set(account.fields.map((f) => f.name));
  const lacking: string[] = Object.values(HEALTH_FIELDS).filter((f) => !have.has(f));
  if (!task.fields.some((f) => f.name === TASK_KEY_FIELD)) lacking.push(TASK_KEY_FIELD);
  if (lacking.length)
    throw new ConnectorError(
      "config",
      `Ebb's package is not installed in this org (or its permission set is not assigned): missing ${lacking.join(", ")}`,
    );
  return { packageFields: Object.keys(HEALTH_FIELDS).length + 1 };
}

export async function pushSalesforce(
  ctx: ConnectorContext,
  changes: AccountChange[],
  api: SalesforceApi = createSalesforceApi(ctx),
): Promise<PushResult> {
  const out = emptyPushResult();
  const failed = new Map<string, string>();
  // Account fields: only what differs from what was written last time.
  const updates: {
    externalId: string;
    next: Record<string, string>;
    record: Record<string, unknown>;
  }[] = [];
  for (const c of changes) {
    const values = healthFields(c.snapshot, c.series ?? [], c.churnedAt);
    const next = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, asText(v)]));
    const changed = Object.fromEntries(
      Object.entries(values).filter(([k]) => c.lastWritten?.[k] !== next[k]),
    );
    if (Object.keys(changed).length === 0) {
      out.written[c.externalId] = next;
      continue;
    }
    updates.push({
      externalId: c.externalId,
      next,
      record: { attributes: { type: "Account" }, Id: c.externalId, ...changed },
    });
  }
  for (let k = 0; k < updates.length; k += COLLECTION_MAX) {
    const chunk = updates.slice(k, k + COLLECTION_MAX);
    const results = await api.update(
      "Account",
      chunk.map((u) => u.record),
    );
    out.writeCalls++;
    chunk.forEach((u, i) => {
      const r = results[i];
      if (r?.success) {
        out.updatedRecords++;
        out.written[u.externalId] = u.next;
      } else
        failed.set(
          u.externalId,
          `Account ${u.externalId}: ${r?.errors.map((e) => `${e.statusCode}: ${e.message}`).join("; ") ?? "no result"}`,
        );
    });
  }
  // Tasks: one record per dedupe key (an open and its close in one push become a completed task).
  const tasks = new Map<
    string,
    { externalId: string; record: Record<string, string>; close: boolean }
  >();
  for (const c of changes)
    for (const t of c.tasks) {
      const record = taskRecord(t, c.externalId, c.ownerId);
      const prior = tasks.get(t.dedupeKey);
      tasks.set(t.dedupeKey, {
        externalId: c.externalId,
        record: prior ? { ...prior.record, ...record } : record,
        close: t.action === "close",
      });
    }
  const list = [...tasks.values()];
  for (let k = 0; k < list.length; k += COLLECTION_MAX) {
    const chunk = list.slice(k, k + COLLECTION_MAX);
    const results = await api.upsert(
      "Task",
      TASK_KEY_FIELD,
      chunk.map((t) => ({ attributes: { type: "Task" }, ...t.record })),
    );
    out.writeCalls++;
    chunk.forEach((t, i) => {
      const r = results[i];
      if (!r?.success) {
        const why = r?.errors.map((e) => `${e.statusCode}: ${e.message}`).join("; ") ?? "no result";
        failed.set(t.externalId, `Task ${t.record[TASK_KEY_FIELD]}: ${why}`);
      } else if (t.close) out.tasksCompleted++;
      else if (r.created) out.tasksCreated++;
    });
  }
  for (const [externalId, message] of failed) {
    out.failures.push({ externalId, message });
    delete out.written[externalId];
  }
  return out;
}
