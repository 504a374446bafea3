// Identity across vendors: two accounts of one vendor are never merged by domain; another vendor's
// account joins the one account with its domain, and waits for an admin when there are several.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createLoginLink } from "../../app/db/sessions-repo.ts";
import { depsOf } from "../../app/deps.ts";
import type { RecordBatch } from "../../connectors/connector.ts";
import { CONNECTORS } from "../../connectors/registry.ts";
import { emptyPortfolio } from "../../core/model.ts";
import { directTenant, scoreNow, signIn, worker } from "./support/helpers.ts";

const batch = (b: Partial<RecordBatch>): RecordBatch => ({
  ...emptyPortfolio(),
  deleted: [],
  ...b,
});

const ticket = (id: string, accountId: string) => ({
  id,
  accountId,
  createdAt: "2026-11-20T10:00:00Z",
  status: "open" as const,
  tags: [],
});

/** A tenant's store, and a page of a vendor's records stored in it as a sync would. */
function storeOf(tenantId: string) {
  const deps = { ...depsOf(env, CONNECTORS), enqueue: async () => {} };
  const store = deps.tenant(tenantId);
  const now = Date.now();
  const put = async (vendor: string, records: RecordBatch) => {
    const conn = `${vendor}-conn`;
    await store.beginSync(conn, vendor, "run", "holder", now);
    const r = await store.applyPage(conn, vendor, "run", "holder", records, { cursor: 1 }, now);
    expect(r.stored).toBe(true);
  };
  return { store, put, now };
}

describe("accounts across vendors", () => {
  it("keeps one vendor's accounts apart, joins another vendor's by domain, and asks when it is ambiguous", async () => {
    const t = await directTenant("7200001");
    const { store, put, now } = storeOf(t.tenantId);
    // HubSpot holds two companies on one domain (a parent and its subsidiary, say).
    await put(
      "hubspot",
      batch({
        accounts: [
          {
            id: "hs-company-1",
            name: "Acme Inc",
            domain: "acme.com",
            externalIds: { hubspot: "1" },
          },
          {
            id: "hs-company-2",
            name: "Acme GmbH",
            domain: "www.acme.com",
            externalIds: { hubspot: "2" },
          },
          {
            id: "hs-company-3",
            name: "Globex",
            domain: "globex.com",
            externalIds: { hubspot: "3" },
          },
        ],
        tickets: [ticket("hs-ticket-1", "hs-company-1"), ticket("hs-ticket-2", "hs-company-2")],
      }),
    );
    let o = await store.overview("2026-11-30");
    expect(o.accounts).toBe(3);
    const a1 = await store.account("hs-company-1");
    const a2 = await store.account("hs-company-2");
    expect(a1?.account).toMatchObject({ name: "Acme Inc", externalIds: { hubspot: "1" } });
    expect(a2?.account).toMatchObject({ name: "Acme GmbH", externalIds: { hubspot: "2" } });

    // Zendesk's Globex joins HubSpot's Globex (one candidate); its Acme has two: it waits.
    await put(
      "zendesk",
      batch({
        accounts: [
          {
            id: "zd-org-7",
            name: "Globex Corp",
            domain: "globex.com",
            externalIds: { zendesk: "7" },
          },
          { id: "zd-org-8", name: "ACME", domain: "acme.com", externalIds: { zendesk: "8" } },
        ],
        tickets: [ticket("zd-ticket-80", "zd-org-8")],
      }),
    );
    o = await store.overview("2026-11-30");
    expect(o.accounts).toBe(4);
    expect((await store.account("hs-company-3"))?.account.externalIds).toEqual({
      hubspot: "3",
      zendesk: "7",
    });
    expect(o.identity).toEqual([
      {
        vendor: "zendesk",
        sourceId: "zd-org-8",
        domain: "acme.com",
        account: { id: "zd-org-8", name: "ACME" },
        candidates: [
          { id: "hs-company-1", name: "Acme Inc", vendors: ["hubspot"] },
          { id: "hs-company-2", name: "Acme GmbH", vendors: ["hubspot"] },
        ],
      },
    ]);

    // The admin lists it and answers: the same customer as Acme GmbH.
    const code = await createLoginLink(env.DB, t.tenantId, "a@example.com", now);
    const cookie = await signIn(`/admin/login?code=${encodeURIComponent(code)}`);
    const page = await (await worker("/admin", { headers: { cookie } })).text();
    expect(page).toContain("Accounts to match (1)");
    expect(page).toContain("Acme GmbH (hubspot)");
    const csrf = (await (await worker("/admin/api/session", { headers: { cookie } })).json()) as {
      csrf: string;
    };
    const answer = (into: string) =>
      worker("/admin/identity", {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf: csrf.csrf, vendor: "zendesk", source: "zd-org-8", into }),
      });
    // Not one of the candidates: refused, nothing changes.
    expect((await answer("hs-company-3")).status).toBe(409);
    expect((await store.overview("2026-11-30")).identity).toHaveLength(1);
    expect((await answer("hs-company-2")).status).toBe(303);
    o = await store.overview("2026-11-30");
    expect(o.identity).toEqual([]);
    expect(o.accounts).toBe(3);
    const joined = await store.account("hs-company-2");
    expect(joined?.account.externalIds).toEqual({ hubspot: "2", zendesk: "8" });
    expect(await store.account("zd-org-8")).toBeNull();
    // Zendesk's next page for its org lands on the joined account.
    await put("zendesk", batch({ tickets: [ticket("zd-ticket-81", "zd-org-8")] }));
    await scoreNow(store, "2026-11-30", ["hubspot", "zendesk"]);
    expect((await store.accountView("zendesk", "8"))?.accountId ?? "").toBe("hs-company-2");
    // A second answer to the same question finds none.
    expect((await answer("hs-company-1")).status).toBe(409);
  });

  it("joins a Zendesk organization by its external id first, then by any of its domain names, and asks when the external id is ambiguous", async () => {
    const t = await directTenant("7200002");
    const { store, put } = storeOf(t.tenantId);
    await put(
      "hubspot",
      batch({
        accounts: [
          {
            id: "hs-company-11",
            name: "Initech",
            domain: "initech.com",
            externalIds: { hubspot: "11" },
          },
          {
            id: "hs-company-12",
            name: "Umbrella",
            domain: "umbrella.io",
            externalIds: { hubspot: "12" },
          },
          {
            id: "hs-company-13",
            name: "Hooli",
            domain: "hooli.com",
            externalIds: { hubspot: "13" },
          },
          {
            id: "hs-company-14",
            name: "Hooli XYZ",
            domain: "hooli.xyz",
            externalIds: { hubspot: "14" },
          },
        ],
      }),
    );
    await put(
      "salesforce",
      batch({
        accounts: [{ id: "sf-001", name: "Hooli (SF)", externalIds: { salesforce: "001" } }],
      }),
    );
    await put(
      "zendesk",
      batch({
        accounts: [
          // Its external id names HubSpot's company, whatever its domain says.
          {
            id: "zd-org-21",
            name: "Initech Support",
            domain: "initech-support.net",
            linkedIds: ["11"],
            externalIds: { zendesk: "21" },
          },
          // Its second domain name is Umbrella's.
          {
            id: "zd-org-22",
            name: "Umbrella Corp",
            domain: "umbrellacorp.com",
            otherDomains: ["umbrella.io"],
            externalIds: { zendesk: "22" },
          },
          // An external id two vendors' accounts answer to: not guessed.
          {
            id: "zd-org-23",
            name: "Hooli",
            linkedIds: ["001", "13"],
            externalIds: { zendesk: "23" },
          },
          // Requesters without an organization, by their email domain.
          { id: "zd-domain-hooli.xyz", name: "hooli.xyz", domain: "hooli.xyz" },
        ],
        tickets: [ticket("zd-ticket-1", "zd-org-21"), ticket("zd-ticket-2", "zd-domain-hooli.xyz")],
      }),
    );
    const initech = await store.account("hs-company-11");
    expect(initech?.account).toMatchObject({
      name: "Initech",
      domain: "initech.com",
      externalIds: { hubspot: "11", zendesk: "21" },
    });
    expect((await store.account("hs-company-12"))?.account.externalIds).toEqual({
      hubspot: "12",
      zendesk: "22",
    });
    expect(await store.account("zd-org-21")).toBeNull();
    // The requesters' domain joins HubSpot's Hooli XYZ, keeping HubSpot's name.
    expect(await store.account("zd-domain-hooli.xyz")).toBeNull();
    expect((await store.account("hs-company-14"))?.account.name).toBe("Hooli XYZ");
    const o = await store.overview("2026-11-30");
    // Four HubSpot companies, Salesforce's account, and the Hooli organization standing alone.
    expect(o.accounts).toBe(6);
    expect(o.identity).toEqual([
      expect.objectContaining({
        vendor: "zendesk",
        sourceId: "zd-org-23",
        candidates: [
          expect.objectContaining({ id: "hs-company-13" }),
          expect.objectContaining({ id: "sf-001" }),
        ],
      }),
    ]);
  });

  it("joins a Salesforce account to a Zendesk organization that came first and names its id", async () => {
    const t = await directTenant("7200003");
    const { store, put } = storeOf(t.tenantId);
    await put(
      "zendesk",
      batch({
        accounts: [
          {
            id: "zd-org-31",
            name: "Globex Support",
            domain: "globex-help.net",
            linkedIds: ["001Eb0000000031AAA"],
            externalIds: { zendesk: "31" },
          },
        ],
      }),
    );
    await put(
      "salesforce",
      batch({
        accounts: [
          {
            id: "sf-account-001Eb0000000031AAA",
            name: "Globex",
            domain: "globex.com",
            externalIds: { salesforce: "001Eb0000000031AAA" },
          },
        ],
      }),
    );
    // One customer, known to both, whatever the domains say.
    expect((await store.overview("2026-11-30")).accounts).toBe(1);
    expect((await store.account("zd-org-31"))?.account.externalIds).toEqual({
      zendesk: "31",
      salesforce: "001Eb0000000031AAA",
    });
    expect(await store.account("sf-account-001Eb0000000031AAA")).toBeNull();
  });
});
