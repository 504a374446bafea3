// Zendesk beside HubSpot in one tenant: an admin of the HubSpot install connects their Zendesk
// (subdomain → consent → callback), the first sync pulls organizations, end-users and tickets
// through node-zendesk into the same accounts (joined by domain), scoring runs, and the health goes
// back into the organizations' fields with the at-risk tag.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { depsOf } from "../../app/deps.ts";
import { CONNECTORS } from "../../connectors/registry.ts";
import { signZendeskWebhook } from "../../connectors/zendesk/verify.ts";
import { workerTestPortfolio } from "../support/worker-portfolio.ts";
import { install, signIn, stateCookieOf, until, worker } from "./support/helpers.ts";

interface Status {
  accounts: number;
  pendingWriteback: number;
  syncs: {
    vendor: string;
    connection_id: string;
    status: string;
    last_success_at: number | null;
    records: number;
  }[];
  lastScore: { accounts: number; at: number } | null;
  scoring: { planned: number; done: number } | null;
  atRisk: { name: string }[];
}
const zendesk = async <T>(path: string) =>
  (await (await fetch(`${inject("zendeskUrl")}${path}`)).json()) as T;

/** How many tickets each vendor brought into the tenant's store. */
const ticketsByVendor = (tenantId: string) =>
  runInDurableObject(depsOf(env, CONNECTORS).tenant(tenantId), (_, state) =>
    state.storage.sql
      .exec<{ vendor: string; n: number }>(
        "SELECT vendor, COUNT(*) AS n FROM records WHERE kind = 'tickets' GROUP BY vendor",
      )
      .toArray(),
  );

describe("Zendesk in the Worker", () => {
  it("connects to the HubSpot tenant, joins its accounts, scores and writes health into the organizations", async () => {
    const { loginPath } = await install();
    const cookie = await signIn(loginPath);
    const status = async () =>
      (await (await worker("/admin/api/status", { headers: { cookie } })).json()) as Status;
    await until("HubSpot's first sync and writeback", async () => {
      const x = await status();
      return x.syncs[0]?.last_success_at && x.pendingWriteback === 0 && x.lastScore && !x.scoring
        ? x
        : undefined;
    });
    const page = await (await worker("/admin", { headers: { cookie } })).text();
    expect(page).toContain("Connect Zendesk");
    const { csrf } = (await (
      await worker("/admin/api/session", { headers: { cookie } })
    ).json()) as { csrf: string };
    const connect = (site: string) =>
      worker("/admin/connect", {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, vendor: "zendesk", site }),
      });
    // Not a subdomain: refused, naming what is wanted.
    const bad = await connect("acme.zendesk.com/x");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Zendesk subdomain");
    const started = await connect("acme");
    expect(started.status).toBe(200);
    const href =
      /href="([^"]+)" id="continue"/.exec(await started.text())?.[1]?.replaceAll("&amp;", "&") ??
      "";
    const consent = new URL(href);
    expect(consent.pathname).toBe("/oauth/authorizations/new");
    const approved = await fetch(consent, { redirect: "manual" });
    const back = new URL(approved.headers.get("location") ?? "");
    const callback = await worker(`${back.pathname}${back.search}`, {
      headers: { cookie: stateCookieOf(started) },
    });
    expect(callback.status).toBe(302);

    const done = await until(
      "Zendesk's first sync, scoring and writeback",
      async () => {
        const x = await status();
        // Zendesk's own answer says the writeback happened: every organization carries a band.
        const { organizations } = await zendesk<{
          organizations: { organization_fields: Record<string, unknown> }[];
        }>("/__sandbox/organizations");
        return organizations.every((o) => o.organization_fields.ebb_health_band) &&
          x.syncs.length === 2 &&
          x.syncs.every((y) => y.last_success_at) &&
          x.pendingWriteback === 0 &&
          x.lastScore &&
          !x.scoring
          ? x
          : undefined;
      },
      120_000,
    );
    // Every Zendesk organization joined its HubSpot company: still 12 customers.
    expect(done.accounts).toBe(12);
    // HubSpot holds copies of the same tickets; with Zendesk connected only Zendesk's count.
    const { tenantId } = (await (
      await worker("/admin/api/session", { headers: { cookie } })
    ).json()) as {
      tenantId: string;
    };
    const tickets = await ticketsByVendor(tenantId);
    expect(tickets).toEqual([{ vendor: "zendesk", n: workerTestPortfolio().tickets.length }]);
    expect(done.syncs.find((y) => y.records > 0 && y.connection_id)).toBeTruthy();
    const { organizations } = await zendesk<{
      organizations: {
        name: string;
        tags: string[];
        organization_fields: Record<string, unknown>;
      }[];
    }>("/__sandbox/organizations");
    const written = organizations.filter((o) => o.organization_fields.ebb_health_band);
    expect(written.length).toBeGreaterThan(0);
    for (const o of written) {
      const band = o.organization_fields.ebb_health_band;
      expect(o.tags.includes("ebb_at_risk")).toBe(band === "at_risk");
    }

    // Setup registered Ebb's webhooks in Zendesk; a delivery signed with one's secret marks the
    // ticket for the next sync; a forged one, or one for an install that is not there, is refused.
    const { webhooks } = await zendesk<{
      webhooks: { id: string; endpoint: string; secret: string; subscriptions: string[] }[];
    }>("/__sandbox/webhooks");
    expect(webhooks.map((w) => new URL(w.endpoint).pathname + new URL(w.endpoint).search)).toEqual([
      "/zendesk/webhooks?install=acme",
      "/zendesk/webhooks?install=acme",
    ]);
    const hook = webhooks.find((w) => w.subscriptions.includes("conditional_ticket_events"));
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const body = JSON.stringify({
      type: "ebb:ticket.changed",
      id: "t-1",
      ticket_id: "1001",
      status: "open",
      time: timestamp,
    });
    const sign = (secret: string) => signZendeskWebhook(secret, timestamp, body);
    const deliver = async (install: string, secret: string) =>
      worker(`/zendesk/webhooks?install=${install}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-zendesk-webhook-id": hook?.id ?? "",
          "x-zendesk-webhook-signature": await sign(secret),
          "x-zendesk-webhook-signature-timestamp": timestamp,
        },
        body,
      });
    const accepted = await deliver("acme", hook?.secret ?? "");
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ accepted: 1 });
    expect((await deliver("acme", "not-the-secret")).status).toBe(401);
    expect((await deliver("globex", hook?.secret ?? "")).status).toBe(401);

    // The admin chooses HubSpot's tickets instead: Zendesk's go, HubSpot's are read again.
    const admin = await (await worker("/admin", { headers: { cookie } })).text();
    expect(admin).toContain("Tickets count from");
    expect(admin).toMatch(/<option value="zendesk" selected[^>]*>Zendesk/);
    const hubspotDone = done.syncs.find((y) => y.vendor === "hubspot")?.last_success_at ?? 0;
    const choose = await worker("/admin/ticket-source", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, vendor: "hubspot" }),
    });
    expect(choose.status).toBe(303);
    await until(
      "HubSpot's full sync after the switch",
      async () => {
        const x = await status();
        const h = x.syncs.find((y) => y.vendor === "hubspot");
        return h?.last_success_at && h.last_success_at > hubspotDone && !x.scoring ? x : undefined;
      },
      120_000,
    );
    const after = await ticketsByVendor(tenantId);
    expect(after).toEqual([{ vendor: "hubspot", n: workerTestPortfolio().tickets.length }]);
    // Not a connected vendor: refused.
    const other = await worker("/admin/ticket-source", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, vendor: "salesforce" }),
    });
    expect(other.status).toBe(400);
  }, 300_000);
});
