// The routes HubSpot calls: unsigned, stale or forged requests are refused before anything is
// read or written; a signed card request resolves its tenant from the portal and can never read
// another tenant's account; webhooks mark changes once per event and queue a sync.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createLoginLink } from "../../app/db/sessions-repo.ts";
import { depsOf } from "../../app/deps.ts";
import { syncJob } from "../../app/jobs/messages.ts";
import { runScore } from "../../app/jobs/run-score.ts";
import { runSync } from "../../app/jobs/run-sync.ts";
import { HubSpotCardResponse } from "../../connectors/hubspot/card.ts";
import { signHubSpotRequest } from "../../connectors/hubspot/verify.ts";
import { CONNECTORS } from "../../connectors/registry.ts";
import { emptyPortfolio } from "../../core/model.ts";
import { directTenant, sandbox, scoreNow, signIn, worker } from "./support/helpers.ts";

const BASE = "http://127.0.0.1:8787";

async function signed(
  method: string,
  path: string,
  body = "",
  at = Date.now(),
  secret = "sandbox-secret",
) {
  const s = await signHubSpotRequest({ method, uri: `${BASE}${path}`, body }, secret, at);
  return worker(path, {
    method,
    headers: {
      "x-hubspot-signature-v3": s.signature,
      "x-hubspot-request-timestamp": s.timestamp,
      "content-type": "application/json",
    },
    ...(method === "GET" ? {} : { body }),
  });
}

const PORTAL_A = "8200001";
const PORTAL_B = "8200002";
let companyA = "";
let tenantA = { tenantId: "", connectionId: "" };
let tenantB = { tenantId: "", connectionId: "" };
const B_ONLY = "99999";

beforeAll(async () => {
  // Two tenants synced from the same sandbox data: the same companies exist in both stores.
  const deps = { ...depsOf(env, CONNECTORS), enqueue: async () => {} };
  const a = await directTenant(PORTAL_A);
  tenantA = a;
  tenantB = await directTenant(PORTAL_B);
  await runSync(deps, syncJob(a.tenantId, a.connectionId, "manual"));
  await runScore(deps, { kind: "score", tenantId: a.tenantId });
  // Tenant B holds one company that only B has.
  const storeB = deps.tenant(tenantB.tenantId);
  await storeB.beginSync(tenantB.connectionId, "hubspot", "seed", "seeding", Date.now());
  const today = new Date().toISOString().slice(0, 10);
  await storeB.applyPage(
    tenantB.connectionId,
    "hubspot",
    "seed",
    "seeding",
    {
      ...emptyPortfolio(),
      accounts: [
        { id: `hs-company-${B_ONLY}`, name: "Only in B", externalIds: { hubspot: B_ONLY } },
      ],
      usage: [{ accountId: `hs-company-${B_ONLY}`, day: today, activeUsers: 5, events: 50 }],
      deleted: [],
    },
    { cursor: { done: true } },
    Date.now(),
  );
  await scoreNow(storeB, today, ["hubspot"]);
  const companies = await sandbox<{ results: { id: string }[] }>("/__sandbox/objects/companies");
  // A company with something to say: scored, with reasons.
  for (const c of companies.results) {
    const view = await deps.tenant(a.tenantId).accountView("hubspot", c.id);
    if (view && view.reasons.length > 0 && view.series.length > 30) {
      companyA = c.id;
      break;
    }
  }
});

describe("the card endpoint", () => {
  it("answers a signed request with the company's score, reasons, series and tasks", async () => {
    const res = await signed("GET", `/hubspot/card?objectId=${companyA}&portalId=${PORTAL_A}`);
    expect(res.status).toBe(200);
    const card = HubSpotCardResponse.parse(await res.json());
    expect(card.status).toBe("scored");
    if (card.status !== "scored") return;
    expect(card.companyId).toBe(companyA);
    expect(card.series.length).toBeGreaterThan(30);
    expect(card.series.length).toBeLessThanOrEqual(90);
    expect(card.reasons.length).toBeGreaterThan(0);
  });

  it("refuses unsigned, forged, stale and tampered requests", async () => {
    const path = `/hubspot/card?objectId=${companyA}&portalId=${PORTAL_A}`;
    expect((await worker(path)).status).toBe(401);
    expect((await signed("GET", path, "", Date.now(), "not-the-secret")).status).toBe(401);
    expect((await signed("GET", path, "", Date.now() - 6 * 60_000)).status).toBe(401);
    const s = await signHubSpotRequest(
      { method: "GET", uri: `${BASE}${path}`, body: "" },
      "sandbox-secret",
      Date.now(),
    );
    const tampered = await worker(path.replace(PORTAL_A, PORTAL_B), {
      headers: {
        "x-hubspot-signature-v3": s.signature,
        "x-hubspot-request-timestamp": s.timestamp,
      },
    });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ error: "invalid_signature" });
  });

  it("never reads another tenant's account: portal B asking for A's company gets not_scored", async () => {
    const res = await signed("GET", `/hubspot/card?objectId=${companyA}&portalId=${PORTAL_B}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "not_scored", companyId: companyA });
    const unknown = await signed("GET", `/hubspot/card?objectId=${companyA}&portalId=9999999`);
    expect(unknown.status).toBe(404);
  });

  it("never reads another tenant's account: portal A asking for B's company gets not_scored", async () => {
    const own = await signed("GET", `/hubspot/card?objectId=${B_ONLY}&portalId=${PORTAL_B}`);
    expect(((await own.json()) as { status: string }).status).toBe("scored");
    const other = await signed("GET", `/hubspot/card?objectId=${B_ONLY}&portalId=${PORTAL_A}`);
    expect(await other.json()).toEqual({ status: "not_scored", companyId: B_ONLY });
  });

  it("an admin of tenant A cannot open tenant B's account page", async () => {
    const code = await createLoginLink(env.DB, tenantA.tenantId, "a@example.com", Date.now());
    const cookie = await signIn(`/admin/login?code=${code}`);
    const res = await worker(`/admin/accounts/hs-company-${B_ONLY}`, { headers: { cookie } });
    expect(res.status).toBe(404);
    const mine = await worker(`/admin/accounts/hs-company-${companyA}`, { headers: { cookie } });
    expect(mine.status).toBe(200);
    expect((await worker("/admin")).status).toBe(401);
  });

  it("refuses a query that names the portal or the record twice", async () => {
    // HubSpot sends each once; a second value (which a parser might pick over the first) is refused.
    for (const q of [
      `objectId=${companyA}&portalId=${PORTAL_B}&portalId=${PORTAL_A}`,
      `objectId=${B_ONLY}&objectId=${companyA}&portalId=${PORTAL_A}`,
    ]) {
      const res = await signed("GET", `/hubspot/card?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/more than once/);
    }
  });

  it("names a bad query", async () => {
    const res = await signed("GET", `/hubspot/card?objectId=abc&portalId=${PORTAL_A}`);
    expect(res.status).toBe(400);
    expect((await res.json()) as { message: string }).toMatchObject({
      message: expect.stringContaining("objectId"),
    });
  });
});

describe("the webhook endpoint", () => {
  const events = (portalId: string, eventId: number) =>
    JSON.stringify([
      {
        eventId,
        subscriptionId: 1,
        portalId: Number(portalId),
        appId: 1,
        occurredAt: Date.now(),
        subscriptionType: "ticket.propertyChange",
        attemptNumber: 0,
        objectId: 4242,
        propertyName: "subject",
        changeSource: "CRM",
      },
      {
        eventId: eventId + 1,
        subscriptionId: 2,
        portalId: Number(portalId),
        appId: 1,
        occurredAt: Date.now(),
        subscriptionType: "contact.deletion",
        attemptNumber: 0,
        objectId: 777,
        changeSource: "CRM",
      },
    ]);
  const pending = async () =>
    (
      await depsOf(env, CONNECTORS)
        .tenant(tenantB.tenantId)
        .overview(new Date().toISOString().slice(0, 10))
    ).pendingMarks;

  it("refuses an unsigned or forged delivery and marks nothing", async () => {
    const body = events(PORTAL_B, 100);
    const unsigned = await worker("/hubspot/webhooks", { method: "POST", body });
    expect(unsigned.status).toBe(401);
    expect((await signed("POST", "/hubspot/webhooks", body, Date.now(), "wrong")).status).toBe(401);
    // Signed for a different body.
    const s = await signHubSpotRequest(
      { method: "POST", uri: `${BASE}/hubspot/webhooks`, body: "[]" },
      "sandbox-secret",
      Date.now(),
    );
    const swapped = await worker("/hubspot/webhooks", {
      method: "POST",
      body,
      headers: {
        "x-hubspot-signature-v3": s.signature,
        "x-hubspot-request-timestamp": s.timestamp,
      },
    });
    expect(swapped.status).toBe(401);
    expect(await pending()).toBe(0);
  });

  it("marks each event once, even when HubSpot delivers it again", async () => {
    const body = events(PORTAL_B, 200);
    const first = await signed("POST", "/hubspot/webhooks", body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 2, ignored: 0 });
    const again = await signed("POST", "/hubspot/webhooks", body);
    expect(await again.json()).toEqual({ accepted: 0, ignored: 0 });
    expect(await pending()).toBe(2);
  });

  it("refuses a body over the cap with 413 whether or not it says its length", async () => {
    const big = JSON.stringify([{ pad: "x".repeat(2_000_000) }]);
    const declared = await signed("POST", "/hubspot/webhooks", big);
    expect(declared.status).toBe(413);
    // Streamed without Content-Length: read only up to the cap, then refused.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 40) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const s = await signHubSpotRequest(
      { method: "POST", uri: `${BASE}/hubspot/webhooks`, body: "" },
      "sandbox-secret",
      Date.now(),
    );
    const streamed = await worker("/hubspot/webhooks", {
      method: "POST",
      body: stream,
      headers: {
        "x-hubspot-signature-v3": s.signature,
        "x-hubspot-request-timestamp": s.timestamp,
      },
    });
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(40);
  });

  it("names what is wrong with a signed but malformed delivery", async () => {
    const res = await signed("POST", "/hubspot/webhooks", JSON.stringify([{ eventId: 1 }]));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("invalid_events");
    expect(body.message).toContain("0.portalId");
  });

  it("moves a merged company's records to the surviving company at once", async () => {
    const store = depsOf(env, CONNECTORS).tenant(tenantA.tenantId);
    const companies = await sandbox<{ results: { id: string }[] }>("/__sandbox/objects/companies");
    const loser = companies.results.map((c) => c.id).find((id) => id !== companyA) ?? "";
    const people = "'tickets', 'engagements', 'stakeholders'";
    const records = (account: string, kinds = `'usage', ${people}`) =>
      runInDurableObject(
        store,
        (_, state) =>
          state.storage.sql
            .exec<{ n: number }>(
              `SELECT COUNT(*) AS n FROM records WHERE account_id = ? AND kind IN (${kinds})`,
              `hs-company-${account}`,
            )
            .one().n,
      );
    const [survivorBefore, loserBefore] = [
      await records(companyA, people),
      await records(loser, people),
    ];
    expect(loserBefore).toBeGreaterThan(0);
    const body = JSON.stringify([
      {
        eventId: 900,
        subscriptionId: 3,
        portalId: Number(PORTAL_A),
        appId: 1,
        occurredAt: Date.now(),
        subscriptionType: "company.merge",
        attemptNumber: 0,
        objectId: Number(companyA),
        primaryObjectId: Number(companyA),
        mergedObjectIds: [Number(loser)],
        changeSource: "CRM",
      },
    ]);
    const res = await signed("POST", "/hubspot/webhooks", body);
    expect(await res.json()).toEqual({ accepted: 1, ignored: 0 });
    // Its tickets, engagements and contacts move; its usage does not (the survivor's history goes on).
    expect(await records(loser)).toBe(0);
    expect(await records(companyA, people)).toBe(survivorBefore + loserBefore);
    expect(await store.account(`hs-company-${loser}`)).toBeNull();
  });
});
