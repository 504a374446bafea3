// What HubSpot calls: the app card's data (hubspot.fetch) and webhook deliveries. Both are verified
// with the v3 signature before anything else; the portal in the signed request resolves the tenant,
// and only that tenant's store is asked.
import { Hono } from "hono";
import { z } from "zod";
import { HubSpotCardResponse } from "../../connectors/hubspot/card.ts";
import { hubspot } from "../../connectors/hubspot/index.ts";
import { HubSpotWebhookBody, toChangeMark } from "../../connectors/hubspot/webhooks.ts";
import { findInstall } from "../db/directory-repo.ts";
import type { Deps } from "../deps.ts";
import { syncJob } from "../jobs/messages.ts";
import { describeIssues, HttpProblem } from "./problem.ts";

const CardQuery = z.object({
  objectId: z.string().regex(/^\d+$/, "expected a HubSpot record id (digits)"),
  portalId: z.string().regex(/^\d+$/, "expected a HubSpot portal id (digits)"),
});

/** Webhook deliveries are at most 100 events; a body beyond this is not HubSpot's. */
const MAX_WEBHOOK_BYTES = 256 * 1024;

async function verified(d: Deps, req: Request, body: string): Promise<void> {
  const r = await hubspot.verify(
    {
      method: req.method,
      uri: req.url,
      body,
      signature: req.headers.get("x-hubspot-signature-v3"),
      timestamp: req.headers.get("x-hubspot-request-timestamp"),
    },
    d.hubspot.clientSecret,
    d.now(),
  );
  if (!r.ok)
    throw new HttpProblem(401, "invalid_signature", `HubSpot signature check failed: ${r.reason}`);
}

export function hubspotRoutes(deps: (c: { env: Env }) => Deps) {
  const r = new Hono<{ Bindings: Env }>();

  r.get("/hubspot/card", async (c) => {
    const d = deps(c);
    await verified(d, c.req.raw, "");
    const q = CardQuery.safeParse(c.req.query());
    if (!q.success) throw new HttpProblem(400, "invalid_query", describeIssues(q.error.issues));
    const install = await findInstall(d.db, "hubspot", q.data.portalId);
    if (!install)
      throw new HttpProblem(
        404,
        "not_installed",
        `portal ${q.data.portalId} has not installed Ebb`,
      );
    const card = await d.tenant(install.tenant_id).card("hubspot", q.data.objectId);
    return c.json(HubSpotCardResponse.parse(card));
  });

  r.post("/hubspot/webhooks", async (c) => {
    const d = deps(c);
    const length = Number(c.req.header("content-length") ?? 0);
    if (length > MAX_WEBHOOK_BYTES)
      throw new HttpProblem(413, "too_large", "webhook body over 256 KB");
    const body = await c.req.text();
    await verified(d, c.req.raw, body);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new HttpProblem(400, "invalid_json", "webhook body is not JSON");
    }
    const events = HubSpotWebhookBody.safeParse(json);
    if (!events.success)
      throw new HttpProblem(400, "invalid_events", describeIssues(events.error.issues));
    const byPortal = new Map<string, typeof events.data>();
    for (const e of events.data) byPortal.set(e.portalId, [...(byPortal.get(e.portalId) ?? []), e]);
    let accepted = 0;
    let ignored = 0;
    for (const [portalId, list] of byPortal) {
      const install = await findInstall(d.db, "hubspot", portalId);
      if (!install) {
        ignored += list.length;
        continue;
      }
      const r = await d.tenant(install.tenant_id).markChanges(list.map(toChangeMark));
      accepted += r.accepted;
      if (r.accepted > 0)
        await d.enqueue([syncJob(install.tenant_id, install.connection_id, "webhook")]);
    }
    return c.json({ accepted, ignored });
  });

  return r;
}
