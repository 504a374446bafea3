// Writeback: score properties through batch update (≤ 100 per call) only where they changed, and one
// task per opened episode — read back by its unique dedupe key before creating, so a retried push
// after a crash creates nothing twice — completed when the episode closes.

import { Band, Trend } from "../../core/model.ts";
import type { AccountChange, ConnectorContext, PushResult } from "../connector.ts";
import { emptyPushResult } from "../records.ts";
import { createHubSpotApi, type HubSpotApi, type PropertyDefinition } from "./client.ts";
import {
  DEDUPE_PROPERTY,
  EBB_GROUP,
  SCORE_PROPERTIES,
  scoreProperties,
  taskProperties,
} from "./map.ts";

const BATCH = 100;
/** HubSpot's association type id for task → company. */
export const TASK_TO_COMPANY = 192;

/** Enumeration options labelled as a person reads them: "at_risk" → "At risk". */
function options(values: readonly string[]): NonNullable<PropertyDefinition["options"]> {
  return values.map((value, displayOrder) => ({
    value,
    label: value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, " "),
    displayOrder,
    hidden: false,
  }));
}

const COMPANY_PROPERTIES: PropertyDefinition[] = [
  {
    name: SCORE_PROPERTIES.score,
    label: "Ebb health score",
    type: "number",
    fieldType: "number",
    groupName: EBB_GROUP,
    description: "0–100, higher is healthier",
  },
  // Band and trend are enumerations, so a CSM can filter views and build reports on them.
  {
    name: SCORE_PROPERTIES.band,
    label: "Ebb health band",
    type: "enumeration",
    fieldType: "select",
    groupName: EBB_GROUP,
    options: options([...Band.options, "churned"]),
  },
  {
    name: SCORE_PROPERTIES.trend,
    label: "Ebb health trend",
    type: "enumeration",
    fieldType: "select",
    groupName: EBB_GROUP,
    options: options(Trend.options),
  },
  {
    name: SCORE_PROPERTIES.coverage,
    label: "Ebb data coverage",
    type: "number",
    fieldType: "number",
    groupName: EBB_GROUP,
    description: "Share of signals with data, 0–1",
  },
  {
    name: SCORE_PROPERTIES.reasons,
    label: "Ebb top reasons",
    type: "string",
    fieldType: "textarea",
    groupName: EBB_GROUP,
  },
  {
    name: SCORE_PROPERTIES.scoredAt,
    label: "Ebb scored on",
    type: "date",
    fieldType: "date",
    groupName: EBB_GROUP,
  },
];

/** One-time setup at install: the Ebb property group and properties on companies, the dedupe key on tasks. */
export async function ensureHubSpotSetup(
  ctx: ConnectorContext,
  api: HubSpotApi = createHubSpotApi(ctx),
): Promise<{ created: string[] }> {
  const created: string[] = [];
  if (await api.createGroup("companies", EBB_GROUP, "Ebb")) created.push(`companies:${EBB_GROUP}`);
  for (const p of COMPANY_PROPERTIES)
    if (await api.createProperty("companies", p)) created.push(`companies.${p.name}`);
  if (await api.createGroup("tasks", EBB_GROUP, "Ebb")) created.push(`tasks:${EBB_GROUP}`);
  // Unique, so a task is read back by its key directly (search trails writes by seconds) and
  // HubSpot itself refuses a second task with the same key.
  const dedupe: PropertyDefinition = {
    name: DEDUPE_PROPERTY,
    label: "Ebb episode key",
    type: "string",
    fieldType: "text",
    groupName: EBB_GROUP,
    hasUniqueValue: true,
  };
  if (await api.createProperty("tasks", dedupe)) created.push(`tasks.${DEDUPE_PROPERTY}`);
  return { created };
}

export async function pushHubSpot(
  ctx: ConnectorContext,
  changes: AccountChange[],
  api: HubSpotApi = createHubSpotApi(ctx),
): Promise<PushResult> {
  const result = emptyPushResult();

  // Fields: only values that differ from what was last written.
  const updates: { id: string; properties: Record<string, string> }[] = [];
  for (const c of changes) {
    const next = scoreProperties(c.snapshot, c.churnedAt);
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(next)) if (c.lastWritten?.[k] !== v) changed[k] = v;
    result.written[c.externalId] = next;
    if (Object.keys(changed).length) updates.push({ id: c.externalId, properties: changed });
  }
  for (let k = 0; k < updates.length; k += BATCH) {
    const chunk = updates.slice(k, k + BATCH);
    const res = await api.batchUpdate("companies", chunk);
    result.writeCalls++;
    result.updatedRecords += res.results.length;
    for (const e of res.errors ?? []) {
      for (const id of e.context?.ids ?? []) {
        result.failures.push({ externalId: id, message: e.message });
        // Not written after all: the store must not remember it.
        delete result.written[id];
      }
    }
  }

  // Tasks: look up every key first, so nothing already in HubSpot is created again.
  const tasks = changes.flatMap((c) =>
    c.tasks.map((t) => ({ t, company: c.externalId, owner: c.ownerId })),
  );
  if (tasks.length === 0) return result;
  const keys = [...new Set(tasks.map((x) => x.t.dedupeKey))];
  const existing = new Map<string, { id: string; status: string | undefined }>();
  // By the unique key, not by search: a task created seconds ago (a retried push after a crash) is
  // found at once, where HubSpot's search index would not have it yet. Keys not found are a 207.
  for (let k = 0; k < keys.length; k += BATCH) {
    const found = await api.readByUnique("tasks", DEDUPE_PROPERTY, keys.slice(k, k + BATCH), [
      DEDUPE_PROPERTY,
      "hs_task_status",
    ]);
    for (const o of found.results) {
      const key = o.properties[DEDUPE_PROPERTY];
      if (key && !existing.has(key))
        existing.set(key, { id: o.id, status: o.properties.hs_task_status ?? undefined });
    }
  }
  const toCreate = tasks.filter((x) => x.t.action === "open" && !existing.has(x.t.dedupeKey));
  const uniqueCreates = [...new Map(toCreate.map((x) => [x.t.dedupeKey, x])).values()];
  for (let k = 0; k < uniqueCreates.length; k += BATCH) {
    const chunk = uniqueCreates.slice(k, k + BATCH);
    const res = await api.batchCreate(
      "tasks",
      chunk.map((x) => ({
        properties: taskProperties(x.t, x.owner),
        associations: [
          {
            to: { id: x.company },
            types: [
              {
                associationCategory: "HUBSPOT_DEFINED" as const,
                associationTypeId: TASK_TO_COMPANY,
              },
            ],
          },
        ],
      })),
    );
    result.writeCalls++;
    result.tasksCreated += res.results.length;
    for (const o of res.results) {
      const key = o.properties[DEDUPE_PROPERTY];
      if (key) existing.set(key, { id: o.id, status: "NOT_STARTED" });
    }
  }
  const toComplete = [
    ...new Set(tasks.filter((x) => x.t.action === "close").map((x) => x.t.dedupeKey)),
  ]
    .map((key) => existing.get(key))
    .filter(
      (x): x is { id: string; status: string | undefined } =>
        x !== undefined && x.status !== "COMPLETED",
    );
  for (let k = 0; k < toComplete.length; k += BATCH) {
    const res = await api.batchUpdate(
      "tasks",
      toComplete
        .slice(k, k + BATCH)
        .map((x) => ({ id: x.id, properties: { hs_task_status: "COMPLETED" } })),
    );
    result.writeCalls++;
    result.tasksCompleted += res.results.length;
  }
  return result;
}
