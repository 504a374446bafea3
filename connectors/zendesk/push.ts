// Writeback: Ebb's health into organization fields through update_many (≤ 100 organizations a call,
// a background job polled to completion, per-organization failures reported), only the values that
// changed since the last write; and the `ebb_at_risk` organization tag, added and removed through the
// Tags API so the organization's other tags stay as they are. Zendesk has no tasks: the CSM's tasks
// go to the CRM; agents see them in the sidebar.
import type { AccountChange, ConnectorContext, PushResult } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { emptyPushResult } from "../records.ts";
import { webhooksPath } from "../routes.ts";
import { createZendeskApi, UPDATE_MANY_MAX, type ZendeskApi } from "./client.ts";
import { AT_RISK_TAG, HEALTH_FIELDS, healthFields } from "./map.ts";
import { EVENT_SUBSCRIPTIONS, TICKET_TRIGGER_BODY } from "./webhooks.ts";

/** The tag's state, remembered with the field values under a key no field can have. */
const TAG_KEY = `tag:${AT_RISK_TAG}`;

/** How long to wait between job status polls, and how many polls before giving up on a job. */
const POLL_MS = 1000;
const MAX_POLLS = 120;

/** Names of what Ebb creates in a Zendesk account for its webhooks. */
export const WEBHOOK_NAMES = {
  events: "Ebb: organization and user changes",
  tickets: "Ebb: ticket changes",
  trigger: "Ebb: tell Ebb a ticket changed",
} as const;

/**
 * Create the organization fields Ebb writes (idempotent: existing keys are left as they are); and,
 * when Ebb has a public address, its two webhooks (organization and user events; ticket changes,
 * connected to a trigger) with their signing secrets, which the Worker keeps for the connection.
 */
export async function ensureZendeskSetup(
  ctx: ConnectorContext,
  api: ZendeskApi = createZendeskApi(ctx),
): Promise<{ created: string[]; webhookSecrets?: Record<string, string> }> {
  const existing = new Set<string>();
  let page: string | undefined;
  for (;;) {
    const list = await api.organizationFields(page);
    for (const f of list.organization_fields) existing.add(f.key);
    const next = list.next_page ? new URL(list.next_page).searchParams.get("page[after]") : null;
    if (!next) break;
    page = next;
  }
  const created: string[] = [];
  for (const f of Object.values(HEALTH_FIELDS)) {
    if (existing.has(f.key)) continue;
    const made = await api.createOrganizationField({
      key: f.key,
      title: f.title,
      type: f.type,
      description: "Written by Ebb every day; do not edit.",
    });
    if (made) created.push(f.key);
  }
  if (!ctx.publicUrl || !ctx.installId) return { created };
  const endpoint = new URL(webhooksPath("zendesk"), ctx.publicUrl);
  endpoint.searchParams.set("install", ctx.installId);
  const ours = (await api.webhooks("Ebb")).webhooks.filter(
    (w) => w.endpoint === endpoint.toString(),
  );
  const ensure = async (name: string, subscriptions: string[]) => {
    const found = ours.find((w) => w.name === name);
    if (found) return found.id;
    const made = await api.createWebhook({ name, endpoint: endpoint.toString(), subscriptions });
    created.push(`webhook ${name}`);
    return made.webhook.id;
  };
  const events = await ensure(WEBHOOK_NAMES.events, [...EVENT_SUBSCRIPTIONS]);
  const tickets = await ensure(WEBHOOK_NAMES.tickets, ["conditional_ticket_events"]);
  const found = await api.triggers(WEBHOOK_NAMES.trigger);
  if (!found.triggers.some((t) => t.title === WEBHOOK_NAMES.trigger)) {
    await api.createTrigger({
      title: WEBHOOK_NAMES.trigger,
      conditions: {
        any: [
          { field: "update_type", operator: "is", value: "Create" },
          { field: "update_type", operator: "is", value: "Change" },
        ],
      },
      actions: [{ field: "notification_webhook", value: [tickets, TICKET_TRIGGER_BODY] }],
    });
    created.push(`trigger ${WEBHOOK_NAMES.trigger}`);
  }
  const webhookSecrets: Record<string, string> = {};
  for (const id of [events, tickets])
    webhookSecrets[id] = (await api.webhookSecret(id)).signing_secret.secret;
  return { created, webhookSecrets };
}

export async function pushZendesk(
  ctx: ConnectorContext,
  changes: AccountChange[],
  api: ZendeskApi = createZendeskApi(ctx),
): Promise<PushResult> {
  const result = emptyPushResult();
  const updates: { id: number; externalId: string; fields: Record<string, string> }[] = [];
  const tagChanges: { id: number; externalId: string; atRisk: boolean; known: boolean }[] = [];
  for (const c of changes) {
    const id = Number(c.externalId);
    if (!Number.isSafeInteger(id) || id <= 0) {
      result.failures.push({ externalId: c.externalId, message: "not a Zendesk organization id" });
      continue;
    }
    const fields = healthFields(c.snapshot, c.churnedAt);
    const last = c.lastWritten ?? {};
    const changed = Object.fromEntries(Object.entries(fields).filter(([k, v]) => last[k] !== v));
    if (Object.keys(changed).length > 0)
      updates.push({ id, externalId: c.externalId, fields: changed });
    const atRisk = !c.churnedAt && c.snapshot.band === "at_risk";
    if (last[TAG_KEY] !== (atRisk ? "1" : "0"))
      tagChanges.push({ id, externalId: c.externalId, atRisk, known: last[TAG_KEY] !== undefined });
    result.written[c.externalId] = { ...last };
  }

  for (let k = 0; k < updates.length; k += UPDATE_MANY_MAX) {
    const chunk = updates.slice(k, k + UPDATE_MANY_MAX);
    const job = await api.updateMany(
      chunk.map((u) => ({
        id: u.id,
        // An empty value clears the field (a churned customer has no score).
        organization_fields: Object.fromEntries(
          Object.entries(u.fields).map(([f, v]) => [f, v === "" ? null : v]),
        ),
      })),
    );
    result.writeCalls++;
    const done = await untilDone(api, job.job_status);
    const outcome = new Map((done.results ?? []).map((r) => [r.id, r]));
    for (const u of chunk) {
      const r = outcome.get(u.id);
      const ok = done.status === "completed" && r !== undefined && r.success !== false && !r.error;
      if (!ok) {
        result.failures.push({
          externalId: u.externalId,
          message:
            r?.error || r?.details
              ? `Zendesk refused the update: ${[r.error, r.details].filter(Boolean).join(": ")}`
              : `Zendesk's update job ended ${done.status}${done.message ? ` (${done.message})` : ""} without this organization`,
        });
        continue;
      }
      result.updatedRecords++;
      Object.assign(result.written[u.externalId] ?? {}, u.fields);
    }
  }

  const failed = new Set(result.failures.map((f) => f.externalId));
  // Never written before: whether the tag is there already (an earlier install's) is read, 100 a
  // call, rather than removed blindly from every organization that is not at risk.
  const unknown = tagChanges.filter((t) => !t.known && !failed.has(t.externalId)).map((t) => t.id);
  const tagged = new Set<number>();
  for (let k = 0; k < unknown.length; k += 100) {
    const { organizations } = await api.organizationsById(unknown.slice(k, k + 100));
    for (const o of organizations) if (o.tags?.includes(AT_RISK_TAG)) tagged.add(o.id);
  }
  for (const t of tagChanges) {
    // An organization Zendesk just refused (deleted, say) is reported once, not again for its tag.
    if (failed.has(t.externalId)) continue;
    if (!t.known && t.atRisk === tagged.has(t.id)) {
      (result.written[t.externalId] ?? {})[TAG_KEY] = t.atRisk ? "1" : "0";
      continue;
    }
    try {
      if (t.atRisk) await api.addTags(t.id, [AT_RISK_TAG]);
      else await api.removeTags(t.id, [AT_RISK_TAG]);
      result.writeCalls++;
      (result.written[t.externalId] ?? {})[TAG_KEY] = t.atRisk ? "1" : "0";
    } catch (e) {
      if (!(e instanceof ConnectorError) || e.retryable) throw e;
      result.failures.push({ externalId: t.externalId, message: e.message });
    }
  }
  return result;
}

type Job = Awaited<ReturnType<ZendeskApi["jobStatus"]>>["job_status"];

/** Poll a job until Zendesk says it is over (completed, failed or killed). */
async function untilDone(api: ZendeskApi, job: Job): Promise<Job> {
  let current = job;
  for (let polls = 0; current.status === "queued" || current.status === "working"; polls++) {
    if (polls >= MAX_POLLS)
      throw new ConnectorError(
        "unavailable",
        `Zendesk's update job ${current.id} is still ${current.status} after ${MAX_POLLS} polls`,
      );
    await new Promise((r) => setTimeout(r, POLL_MS));
    current = (await api.jobStatus(current.id)).job_status;
  }
  return current;
}
